import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startS3Server, type TestS3Server } from "../testing/s3Server.ts";
import { LocalStorage } from "./localStorage.ts";
import { copyToS3, parseS3Url } from "./s3Copy.ts";
import { S3Storage } from "./s3Storage.ts";
import type { Storage } from "./storage.ts";

let s3: TestS3Server;
let root: string;
let local: LocalStorage;
const opened: S3Storage[] = [];

beforeAll(async () => {
  s3 = await startS3Server(["copy"]);
  root = mkdtempSync(join(tmpdir(), "saker-copy-"));
  local = new LocalStorage(root);
  for (const name of ["a", "b", "c", "d", "e"]) await local.put(`/ns/f/${name}.txt`, Buffer.from(name.repeat(3)));
});
afterAll(async () => {
  for (const storage of opened) storage.close();
  await s3.close();
  rmSync(root, { recursive: true, force: true });
});

function bucket(name = "copy", prefix = "p"): S3Storage {
  const storage = new S3Storage({
    bucket: name,
    prefix,
    endpoint: s3.endpoint,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
  opened.push(storage);
  return storage;
}

it("reads s3:// locations", () => {
  expect(parseS3Url("s3://bucket")).toEqual({ bucket: "bucket", prefix: "" });
  expect(parseS3Url("s3://bucket/a/b/")).toEqual({ bucket: "bucket", prefix: "a/b" });
  expect(() => parseS3Url("https://bucket/a")).toThrow(/not an S3 location/);
});

it("reports a file that fails and copies the others", async () => {
  const failing: Storage = {
    ...local,
    list: (p) => local.list(p),
    size: (p) => local.size(p),
    get: async (p) => {
      if (p === "/ns/f/c.txt") throw new Error("unreadable");
      return local.get(p);
    },
  } as Storage;
  const outcomes: string[] = [];
  const report = await copyToS3(failing, bucket(), { concurrency: 2, onFile: (p, o) => outcomes.push(`${p} ${o}`) });
  expect(report).toMatchObject({ total: 5, copied: 4, skipped: 0, failed: 1, bytes: 12 });
  expect(report.failures).toEqual([{ path: "/ns/f/c.txt", error: "unreadable" }]);
  expect(outcomes.sort()).toContain("/ns/f/c.txt failed");
  const again = await copyToS3(local, bucket());
  expect(again).toMatchObject({ total: 5, copied: 1, skipped: 4, failed: 0 });
});

it("stops at once when the bucket itself fails", async () => {
  let files = 0;
  await expect(copyToS3(local, bucket("missing"), { onFile: () => files++ })).rejects.toThrow(
    expect.objectContaining({ code: "STORAGE_BUCKET_NOT_FOUND" }),
  );
  expect(files).toBe(0);
});
