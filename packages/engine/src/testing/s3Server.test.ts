import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startS3Server, type TestS3Server } from "./s3Server.ts";

let s3: TestS3Server;
beforeAll(async () => {
  s3 = await startS3Server(["saker-test"]);
});
afterAll(() => s3.close());

it("serves a bucket an object can be written to and read back from", async () => {
  const client = new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
  await client.send(new PutObjectCommand({ Bucket: "saker-test", Key: "a/b.txt", Body: "hello" }));
  const got = await client.send(new GetObjectCommand({ Bucket: "saker-test", Key: "a/b.txt" }));
  expect(await got.Body!.transformToString()).toBe("hello");
  client.destroy();
});
