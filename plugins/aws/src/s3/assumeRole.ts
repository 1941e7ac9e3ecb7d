/**
 * Kestra's `stsRole*` properties: the task's credentials (or the AWS SDK's default chain) call STS
 * AssumeRole, and S3 is signed with the role's temporary credentials. They are asked for again
 * shortly before they expire, so a task running longer than the session keeps working.
 */
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import type { STSClient } from "@aws-sdk/client-sts";
import { NonRetryableError, TaskError, checkHttpUrl, outboundLookup, type RunContext } from "@saker/sdk";

export interface AssumeRoleSettings {
  roleArn: string;
  sessionName: string;
  externalId: string | undefined;
  durationSeconds: number;
  /** An `http(s)://` URL, or undefined for AWS's own STS endpoint. */
  endpoint: string | undefined;
}

export interface TemporaryCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

/** AWS's bounds of DurationSeconds (a role's own maximum may be lower: STS then refuses). */
export const MIN_SESSION_SECONDS = 900;
export const MAX_SESSION_SECONDS = 43_200;
/** Temporary credentials are renewed when they have less than this left. */
const REFRESH_MARGIN_MS = 5 * 60_000;
const CONNECTION_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;

const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ETIMEDOUT"]);

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  cause?: { code?: string };
  $metadata?: { httpStatusCode?: number };
  $fault?: "client" | "server";
}

function assumeRoleFailure(error: unknown, role: AssumeRoleSettings, signal: AbortSignal): Error {
  const e = (typeof error === "object" && error !== null ? error : { message: String(error) }) as SdkError;
  const what = `assuming role '${role.roleArn}'`;
  if (signal.aborted) return new TaskError(`${what} was stopped: the task timed out or was killed`);
  const code = [e.code, e.name, e.cause?.code].find((c) => c !== undefined && NETWORK_CODES.has(c));
  const endpoint = role.endpoint ?? "AWS STS";
  if (code) return new TaskError(`${what} failed: cannot reach ${endpoint} (${code})`, { details: { code } });
  if (e.name === "TimeoutError" || /timed? ?out/i.test(e.message ?? ""))
    return new TaskError(`${what} failed: ${endpoint} did not answer in time`);
  if (e.name === "CredentialsProviderError")
    return new NonRetryableError(
      `${what} failed: no credentials to call STS with; set accessKeyId and secretKeyId (or configure the AWS SDK's default chain)`,
    );
  const status = e.$metadata?.httpStatusCode;
  const detail = `${e.name ?? "Error"}${status ? `, HTTP ${status}` : ""}: ${(e.message ?? "").replace(/\.$/, "")}`;
  return e.$fault === "server" || (status !== undefined && status >= 500)
    ? new TaskError(`${what} failed (${detail})`)
    : new NonRetryableError(
        `${what} was refused (${detail}); check the role's trust policy, stsRoleExternalId and the caller's credentials`,
      );
}

/**
 * A credentials provider for the S3 client: one AssumeRole call, then the same temporary
 * credentials until they are within a few minutes of expiring.
 */
export function assumeRoleCredentials(
  role: AssumeRoleSettings,
  caller: {
    region: string | undefined;
    /** Static credentials; undefined uses the AWS SDK's default provider chain. */
    credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined;
  },
  net: Pick<RunContext, "flow" | "task" | "refusedAddresses">,
  signal: AbortSignal,
  now: () => number = Date.now,
): () => Promise<TemporaryCredentials> {
  if (role.endpoint) checkHttpUrl(net, role.endpoint, "stsEndpointOverride");
  const lookup = outboundLookup(net, "stsEndpointOverride");
  let client: STSClient | undefined;
  const stsClient = async () =>
    (client ??= new (await import("@aws-sdk/client-sts")).STSClient({
      // STS is global, but the SDK needs a region to sign with.
      region: caller.region ?? "us-east-1",
      ...(role.endpoint ? { endpoint: role.endpoint } : {}),
      ...(caller.credentials ? { credentials: caller.credentials } : {}),
      maxAttempts: 2,
      requestHandler: {
        connectionTimeout: CONNECTION_TIMEOUT_MS,
        requestTimeout: REQUEST_TIMEOUT_MS,
        httpAgent: new HttpAgent({ lookup }),
        httpsAgent: new HttpsAgent({ lookup }),
      },
    }));
  let current: Promise<TemporaryCredentials> | undefined;
  // Infinity while a call is under way, so concurrent requests share it.
  let refreshAt = 0;

  async function assume(): Promise<TemporaryCredentials> {
    try {
      const { AssumeRoleCommand } = await import("@aws-sdk/client-sts");
      const sts = await stsClient();
      const out = await sts.send(
        new AssumeRoleCommand({
          RoleArn: role.roleArn,
          RoleSessionName: role.sessionName,
          DurationSeconds: role.durationSeconds,
          ...(role.externalId ? { ExternalId: role.externalId } : {}),
        }),
        { abortSignal: signal },
      );
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken)
        throw new NonRetryableError(`assuming role '${role.roleArn}' failed: STS answered without credentials`);
      const expiration = c.Expiration ?? new Date(now() + role.durationSeconds * 1000);
      refreshAt = expiration.getTime() - REFRESH_MARGIN_MS;
      return {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        sessionToken: c.SessionToken,
        expiration,
      };
    } catch (error) {
      if (error instanceof NonRetryableError) throw error;
      throw assumeRoleFailure(error, role, signal);
    }
  }

  return () => {
    if (!current || now() >= refreshAt) {
      refreshAt = Number.POSITIVE_INFINITY;
      const attempt = assume();
      current = attempt;
      // A failed call is not kept: the next request asks STS again.
      attempt.catch(() => {
        if (current === attempt) current = undefined;
      });
    }
    return current;
  };
}
