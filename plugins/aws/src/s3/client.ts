/**
 * One S3 client per task run or trigger evaluation: bounded connection and idle timeouts, the
 * SDK's three attempts, the instance's refused addresses applied to every connection, and the
 * run's signal on every call, so an unreachable endpoint fails within the task's timeout.
 */
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import type { S3Client } from "@aws-sdk/client-s3";
import { checkHttpUrl, outboundLookup, type RunContext } from "@saker/sdk";
import { assumeRoleCredentials } from "./assumeRole.ts";
import type { S3Settings } from "./flavor.ts";
import { silenceNodeVersionWarning } from "./nodeVersionWarning.ts";

/** What the outbound address checks need to know about the run. */
export type NetworkContext = Pick<RunContext, "flow" | "task" | "refusedAddresses">;

const CONNECTION_TIMEOUT_MS = 10_000;
/** Without a byte either way for this long, a request fails (an idle timeout, not a total one). */
const IDLE_TIMEOUT_MS = 60_000;
const MAX_ATTEMPTS = 3;

export async function createS3Client(
  settings: S3Settings,
  net: NetworkContext,
  signal: AbortSignal,
): Promise<S3Client> {
  silenceNodeVersionWarning();
  const credentials = settings.assumeRole
    ? assumeRoleCredentials(settings.assumeRole, settings, net, signal)
    : settings.credentials;
  if (settings.endpoint) checkHttpUrl(net, settings.endpoint, settings.endpointProperty);
  const lookup = outboundLookup(net, settings.endpointProperty);
  const { S3Client } = await import("@aws-sdk/client-s3");
  return new S3Client({
    ...(settings.region ? { region: settings.region } : {}),
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    ...(credentials ? { credentials } : {}),
    forcePathStyle: settings.forcePathStyle,
    maxAttempts: MAX_ATTEMPTS,
    // Checksums only when an operation requires them: S3-compatible servers often reject the newer headers.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    requestHandler: {
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      requestTimeout: IDLE_TIMEOUT_MS,
      httpAgent: new HttpAgent({ keepAlive: true, lookup }),
      httpsAgent: new HttpsAgent({ keepAlive: true, lookup }),
    },
  });
}
