/**
 * The connection properties of Kestra's AWS tasks (`region`, `accessKeyId`, `secretKeyId`,
 * `sessionToken`, `endpointOverride`, `forcePathStyle`, `compatibilityMode`, `sts*`).
 */
import { randomUUID } from "node:crypto";
import { NonRetryableError, isDuration, parseDuration, z } from "@saker/sdk";
import { MAX_SESSION_SECONDS, MIN_SESSION_SECONDS, type AssumeRoleSettings } from "./assumeRole.ts";
import type { S3Flavor, S3Settings } from "./flavor.ts";

const optionalText = (description: string) => z.string().optional().describe(description);

export const awsConnection = {
  region: optionalText("The AWS region (e.g. `eu-west-1`); default: the SDK's (`AWS_REGION`, `~/.aws/config`)."),
  accessKeyId: optionalText(
    "The access key id. With `secretKeyId`; without both, the AWS SDK's default credential chain is used.",
  ),
  secretKeyId: optionalText("The secret access key. Never logged nor returned."),
  sessionToken: optionalText("A session token, for temporary credentials."),
  endpointOverride: optionalText("The endpoint to use instead of AWS's (an S3-compatible service), as an http(s) URL."),
  forcePathStyle: z
    .boolean()
    .default(false)
    .describe("Address buckets as `endpoint/bucket/key` rather than `bucket.endpoint/key`."),
  compatibilityMode: z
    .boolean()
    .default(false)
    .describe(
      "Kestra's switch between two Java clients; Saker has one client for every endpoint, so it has no effect.",
    ),
  stsRoleArn: optionalText(
    "An IAM role to assume through STS AssumeRole, with the credentials above (or the default chain); S3 is then called with the role's temporary credentials.",
  ),
  stsRoleExternalId: optionalText("The external id the role's trust policy requires, if any."),
  stsRoleSessionName: optionalText("The session name of the assumed role; default: `saker-` and a random suffix."),
  stsRoleSessionDuration: z
    .string()
    .default("PT15M")
    .describe(
      "How long the temporary credentials last, an ISO-8601 duration from PT15M to PT12H (renewed before they expire).",
    ),
  stsEndpointOverride: optionalText("The STS endpoint to use instead of AWS's, as an http(s) URL."),
} satisfies Record<string, z.ZodType>;

function text(props: Readonly<Record<string, unknown>>, key: string): string | undefined {
  const value = props[key];
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** Static credentials when both keys are given; an error when only one is. */
export function staticCredentials(
  props: Readonly<Record<string, unknown>>,
  sessionToken?: string,
): S3Settings["credentials"] {
  const accessKeyId = text(props, "accessKeyId");
  const secretAccessKey = text(props, "secretKeyId");
  if (!accessKeyId && !secretAccessKey) return undefined;
  if (!accessKeyId || !secretAccessKey)
    throw new NonRetryableError("accessKeyId and secretKeyId must be given together", {
      path: accessKeyId ? "secretKeyId" : "accessKeyId",
    });
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
}

function sessionSeconds(props: Readonly<Record<string, unknown>>): number {
  const value = text(props, "stsRoleSessionDuration") ?? "PT15M";
  const seconds = isDuration(value) ? parseDuration(value) / 1000 : Number.NaN;
  if (!Number.isInteger(seconds) || seconds < MIN_SESSION_SECONDS || seconds > MAX_SESSION_SECONDS)
    throw new NonRetryableError(
      `stsRoleSessionDuration '${value}' must be a whole number of seconds from PT15M to PT12H (an ISO-8601 duration)`,
      { path: "stsRoleSessionDuration" },
    );
  return seconds;
}

/** The role to assume, when `stsRoleArn` is set. */
function assumeRoleSettings(props: Readonly<Record<string, unknown>>): AssumeRoleSettings | undefined {
  const roleArn = text(props, "stsRoleArn");
  if (!roleArn) return undefined;
  return {
    roleArn,
    sessionName: text(props, "stsRoleSessionName") ?? `saker-${randomUUID().slice(0, 8)}`,
    externalId: text(props, "stsRoleExternalId"),
    durationSeconds: sessionSeconds(props),
    endpoint: text(props, "stsEndpointOverride"),
  };
}

export function awsSettings(props: Readonly<Record<string, unknown>>): S3Settings {
  const assumeRole = assumeRoleSettings(props);
  const endpoint = text(props, "endpointOverride");
  return {
    // An S3-compatible endpoint rarely cares about the region, but the SDK needs one to sign.
    region: text(props, "region") ?? (endpoint ? "us-east-1" : undefined),
    endpoint,
    endpointProperty: "endpointOverride",
    forcePathStyle: props.forcePathStyle === true,
    credentials: staticCredentials(props, text(props, "sessionToken")),
    ...(assumeRole ? { assumeRole } : {}),
  };
}

export const awsFlavor: S3Flavor = {
  kind: "aws",
  prefix: "io.kestra.plugin.aws.s3",
  connection: awsConnection,
  settings: awsSettings,
  service: "Amazon S3",
  exampleConnection: `region: "{{ secret('AWS_DEFAULT_REGION') }}"\naccessKeyId: "{{ secret('AWS_ACCESS_KEY_ID') }}"\nsecretKeyId: "{{ secret('AWS_SECRET_KEY_ID') }}"`,
};
