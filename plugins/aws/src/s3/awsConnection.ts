/**
 * The connection properties of Kestra's AWS tasks (`region`, `accessKeyId`, `secretKeyId`,
 * `sessionToken`, `endpointOverride`, `forcePathStyle`, `compatibilityMode`, `sts*`).
 */
import { NonRetryableError, z } from "@saker/sdk";
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
    "An IAM role to assume through STS: not supported by Saker (the task fails when it is set).",
  ),
  stsRoleExternalId: optionalText("The external id of `stsRoleArn`."),
  stsRoleSessionName: optionalText("The session name of `stsRoleArn`."),
  stsRoleSessionDuration: optionalText("The session duration of `stsRoleArn`."),
  stsEndpointOverride: optionalText("The STS endpoint for `stsRoleArn`."),
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

export function awsSettings(props: Readonly<Record<string, unknown>>): S3Settings {
  if (text(props, "stsRoleArn"))
    throw new NonRetryableError(
      "assuming a role with stsRoleArn is not supported by Saker: give accessKeyId/secretKeyId (and sessionToken), or credentials through the AWS SDK's default chain",
      { path: "stsRoleArn" },
    );
  const endpoint = text(props, "endpointOverride");
  return {
    // An S3-compatible endpoint rarely cares about the region, but the SDK needs one to sign.
    region: text(props, "region") ?? (endpoint ? "us-east-1" : undefined),
    endpoint,
    endpointProperty: "endpointOverride",
    forcePathStyle: props.forcePathStyle === true,
    credentials: staticCredentials(props, text(props, "sessionToken")),
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
