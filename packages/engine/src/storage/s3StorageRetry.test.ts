/**
 * A failed load of the S3 client (the SDK's import, or the client it makes) is not kept: the next
 * call of the storage loads it again, instead of failing the same way until the process restarts.
 */
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { startS3Server, type TestS3Server } from "../testing/s3Server.ts";
import { S3Storage } from "./s3Storage.ts";

let s3: TestS3Server;
beforeAll(async () => {
  s3 = await startS3Server(["saker"]);
});
afterAll(async () => {
  await s3.close();
});

it("loads the SDK again on the next call after a load that failed", async () => {
  const storage = new S3Storage({
    bucket: "saker",
    endpoint: s3.endpoint,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
  try {
    vi.doMock("@aws-sdk/client-s3", () => {
      throw new Error("EMFILE: too many open files");
    });
    // the mock's error, as vitest wraps it, inside the storage's own message
    await expect(storage.exists("/a.txt")).rejects.toThrow(/failed looking up/);
    vi.doUnmock("@aws-sdk/client-s3");
    expect(await storage.put("/a.txt", Buffer.from("abc"))).toBe(3);
    expect(await storage.exists("/a.txt")).toBe(true);
  } finally {
    vi.doUnmock("@aws-sdk/client-s3");
    storage.close();
  }
});
