import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { HeadObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { TestInstance, TestS3Server } from "@saker/engine/testing";
import {
  awsConnection,
  directClient,
  errorMessages,
  flow,
  objectText,
  outputsOf,
  s3Instance,
  startS3Server,
} from "../../test/support.ts";
import { copyLimits } from "./transfers.ts";

const P = "io.kestra.plugin.aws.s3";
const saved = { ...copyLimits };
let s3: TestS3Server;
let test: TestInstance;
let client: S3Client;

beforeAll(async () => {
  s3 = await startS3Server(["data", "archive"]);
  test = await s3Instance();
  client = directClient(s3);
});
afterEach(() => Object.assign(copyLimits, saved));
afterAll(async () => {
  client?.destroy();
  await test?.close();
  await s3?.close();
});

const content = "0123456789abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ"; // 47 bytes

it("copies an object past the multipart threshold in UploadPartCopy parts, keeping its content type and metadata", async () => {
  await client.send(
    new PutObjectCommand({
      Bucket: "data",
      Key: "big/file.txt",
      Body: content,
      ContentType: "text/plain",
      Metadata: { origin: "test" },
    }),
  );
  // 47 bytes over a 10-byte threshold, in parts of 10: 5 parts, the last of 7 bytes.
  Object.assign(copyLimits, { multipartThreshold: 10, partSize: 10, concurrency: 2 });
  const before = s3.partCopies;
  const run = await test.run(
    flow("copy-multipart", [
      [
        "copy",
        `${P}.Copy`,
        `${awsConnection(s3)}\nfrom:\n  bucket: data\n  key: big/file.txt\nto:\n  bucket: archive\n  key: 2024/file.txt`,
      ],
    ]),
  );
  expect(errorMessages(test, run, "copy")).toEqual([]);
  expect(run.state.current).toBe("SUCCESS");
  expect(outputsOf(run, "copy")).toMatchObject({ bucket: "archive", key: "2024/file.txt", eTag: expect.any(String) });
  expect(s3.partCopies - before).toBe(5);
  expect(await objectText(client, "archive", "2024/file.txt")).toBe(content);
  const head = await client.send(new HeadObjectCommand({ Bucket: "archive", Key: "2024/file.txt" }));
  expect(head.ContentType).toBe("text/plain");
  expect(head.Metadata).toEqual({ origin: "test" });
});

it("an object under the threshold is copied with CopyObject, and a move deletes the source", async () => {
  await client.send(new PutObjectCommand({ Bucket: "data", Key: "small.txt", Body: "tiny" }));
  Object.assign(copyLimits, { multipartThreshold: 10, partSize: 10 });
  const before = s3.partCopies;
  const run = await test.run(
    flow("copy-small", [
      [
        "copy",
        `${P}.Copy`,
        `${awsConnection(s3)}\nfrom:\n  bucket: data\n  key: small.txt\nto:\n  key: moved.txt\ndelete: true`,
      ],
    ]),
  );
  expect(run.state.current).toBe("SUCCESS");
  expect(s3.partCopies).toBe(before);
  expect(await objectText(client, "data", "moved.txt")).toBe("tiny");
  await expect(objectText(client, "data", "small.txt")).rejects.toThrow();
});

it("a missing source fails the copy naming it, before any upload is started", async () => {
  Object.assign(copyLimits, { multipartThreshold: 10, partSize: 10 });
  const run = await test.run(
    flow("copy-missing", [
      ["copy", `${P}.Copy`, `${awsConnection(s3)}\nfrom:\n  bucket: data\n  key: nothing/here.txt\nto:\n  key: x.txt`],
    ]),
  );
  expect(run.state.current).toBe("FAILED");
  expect(errorMessages(test, run, "copy").join("\n")).toContain(
    "HeadObject of 's3://data/nothing/here.txt' failed: no object has key 'nothing/here.txt' in bucket 'data'",
  );
});
