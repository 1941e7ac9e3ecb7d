import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { afterAll, beforeAll, expect, it } from "vitest";
import { GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { TestInstance, TestS3Server } from "@saker/engine/testing";
import {
  awsConnection,
  digest,
  directClient,
  errorMessages,
  flow,
  outputsOf,
  s3Instance,
  startS3Server,
} from "../../test/support.ts";

const P = "io.kestra.plugin.aws.s3";
const SIZE = 50 * 1024 * 1024;
let s3: TestS3Server;
let test: TestInstance;
let client: S3Client;
let dir: string;

/** 50 MiB of varied bytes, written chunk by chunk. */
async function* content(): AsyncGenerator<Buffer> {
  const chunk = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < SIZE / chunk.length; i++) {
    for (let j = 0; j < chunk.length; j += 4) chunk.writeUInt32LE(((i * chunk.length + j) * 2654435761) >>> 0, j);
    yield chunk;
  }
}

beforeAll(async () => {
  s3 = await startS3Server(["big"]);
  test = await s3Instance();
  client = directClient(s3);
  dir = await mkdtemp(join(tmpdir(), "saker-s3-large-"));
});
afterAll(async () => {
  client?.destroy();
  await test?.close();
  await s3?.close();
  await rm(dir, { recursive: true, force: true });
});

it("streams a 50 MiB object from S3 to storage and back, in parts", async () => {
  const file = join(dir, "big.bin");
  await pipeline(content(), createWriteStream(file));
  const original = await digest(createReadStream(file));
  await client.send(
    new PutObjectCommand({ Bucket: "big", Key: "in/big.bin", Body: createReadStream(file), ContentLength: SIZE }),
  );
  const c = awsConnection(s3);
  const execution = await test.run(
    flow("large", [
      ["download", `${P}.Download`, `${c}\nbucket: big\nkey: in/big.bin`],
      ["upload", `${P}.Upload`, `${c}\nbucket: big\nkey: out/big.bin\nfrom: "{{ outputs.download.uri }}"`],
    ]),
    {},
    60_000,
  );
  expect(errorMessages(test, execution, "upload")).toEqual([]);
  expect(execution.state.current).toBe("SUCCESS");
  expect(outputsOf(execution, "download").contentLength).toBe(SIZE);
  expect(outputsOf(execution, "upload").eTag).toEqual(expect.any(String));
  const copy = await client.send(new GetObjectCommand({ Bucket: "big", Key: "out/big.bin" }));
  expect(await digest(copy.Body as AsyncIterable<Uint8Array>)).toEqual(original);
}, 90_000);
