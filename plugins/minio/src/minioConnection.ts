/**
 * The connection properties of Kestra's MinIO tasks (`endpoint`, `accessKeyId`, `secretKeyId`,
 * `region`) as an S3 flavor: MinIO speaks S3, with buckets addressed by path.
 */
import { NonRetryableError, z } from "@saker/sdk";
import { staticCredentials, type S3Flavor, type S3Settings } from "@saker/plugin-aws";

export const minioConnection = {
  endpoint: z
    .string()
    .min(1)
    .describe("The MinIO server: a URL such as `http://localhost:9000`, or a host name (HTTPS then)."),
  accessKeyId: z.string().optional().describe("The access key."),
  secretKeyId: z.string().optional().describe("The secret key. Never logged nor returned."),
  region: z.string().optional().describe("The region the server is configured with (default `us-east-1`)."),
} satisfies Record<string, z.ZodType>;

/** `endpoint` as a URL: a bare host (with or without a port) means HTTPS, as MinIO's client takes it. */
export function endpointUrl(endpoint: string): string {
  const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint) ? endpoint : `https://${endpoint}`;
  try {
    return new URL(url).toString().replace(/\/$/, "");
  } catch {
    throw new NonRetryableError(`endpoint '${endpoint}' is not a URL nor a host name`, { path: "endpoint" });
  }
}

export function minioSettings(props: Readonly<Record<string, unknown>>): S3Settings {
  const endpoint = endpointUrl(String(props.endpoint ?? ""));
  const region = typeof props.region === "string" && props.region !== "" ? props.region : "us-east-1";
  return {
    region,
    endpoint,
    endpointProperty: "endpoint",
    // Path style everywhere but AWS itself, as MinIO's own client does.
    forcePathStyle: !/\.amazonaws\.com(\.cn)?$/i.test(new URL(endpoint).hostname),
    credentials: staticCredentials(props),
  };
}

export const minioFlavor: S3Flavor = {
  kind: "minio",
  prefix: "io.kestra.plugin.minio",
  connection: minioConnection,
  settings: minioSettings,
  service: "MinIO",
  exampleConnection: `endpoint: https://minio.example.com\naccessKeyId: "{{ secret('MINIO_ACCESS_KEY_ID') }}"\nsecretKeyId: "{{ secret('MINIO_SECRET_KEY_ID') }}"`,
};
