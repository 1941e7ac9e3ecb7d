/**
 * Test support: a real engine instance with the core plugin and the S3 plugins registered, a real
 * S3-compatible server (s3rver) on loopback, and flows built from task properties.
 */
import { createHash } from "node:crypto";
import type { Readable } from "node:stream";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { PluginDefinition } from "@saker/sdk";
import { coreRegistry, openTestInstance, type TestInstance, type TestS3Server } from "@saker/engine/testing";
import aws from "../src/index.ts";
import { silenceNodeVersionWarning } from "../src/s3/nodeVersionWarning.ts";

export { startS3Server, taskRun, outputsOf, errorMessages, storedText, eventually } from "@saker/engine/testing";

export async function s3Instance(
  plugins: Record<string, PluginDefinition> = { "@saker/plugin-aws": aws },
  options: { scheduler?: boolean } = {},
): Promise<TestInstance> {
  const registry = coreRegistry();
  for (const [name, plugin] of Object.entries(plugins))
    registry.addPlugin({ name, version: "1.0.0", core: false }, plugin);
  return openTestInstance({ registry, ...(options.scheduler ? { scheduler: true } : {}) });
}

/** The YAML lines of the aws connection to `s3`. */
export function awsConnection(s3: TestS3Server, secret = s3.secretAccessKey): string {
  return `endpointOverride: ${s3.endpoint}\nforcePathStyle: true\nregion: ${s3.region}\naccessKeyId: ${s3.accessKeyId}\nsecretKeyId: ${secret}`;
}

/** The YAML lines of the minio connection to `s3`. */
export function minioConnection(s3: TestS3Server): string {
  return `endpoint: ${s3.endpoint}\naccessKeyId: ${s3.accessKeyId}\nsecretKeyId: ${s3.secretAccessKey}`;
}

export function indented(yaml: string, spaces: number): string {
  return yaml
    .trim()
    .split("\n")
    .map((l) => " ".repeat(spaces) + l)
    .join("\n");
}

/** A flow of tasks, each `[id, type, props YAML]`. */
export function flow(id: string, tasks: ReadonlyArray<readonly [string, string, string]>, extra = ""): string {
  const items = tasks.map(([taskId, type, props]) => `  - id: ${taskId}\n    type: ${type}\n${indented(props, 4)}`);
  return `id: ${id}\nnamespace: company.s3\ntasks:\n${items.join("\n")}\n${extra}`;
}

/**
 * A direct client to the test server, to arrange and check objects. It silences the SDK's Node
 * version warning as the plugin does: a test checking the plugin's silence creates it afterwards.
 */
export function directClient(s3: TestS3Server): S3Client {
  silenceNodeVersionWarning();
  return new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    // s3rver stores an aws-chunked body (streamed with a trailing checksum) as it is, framing included.
    requestChecksumCalculation: "WHEN_REQUIRED",
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
}

export async function putObject(client: S3Client, bucket: string, key: string, body: string | Buffer): Promise<void> {
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}

export async function objectText(client: S3Client, bucket: string, key: string): Promise<string> {
  const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return got.Body!.transformToString();
}

/** SHA-256 and size of a stream, read chunk by chunk. */
export async function digest(stream: Readable | AsyncIterable<Uint8Array>): Promise<{ sha256: string; size: number }> {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { sha256: hash.digest("hex"), size };
}
