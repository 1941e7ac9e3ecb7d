/**
 * `saker migrate` copying a local storage folder into an S3 bucket, through the real CLI (built
 * packages) against a real S3-compatible server: progress, summary, idempotence, bad targets.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { S3Storage } from "@saker/engine";
import { startS3Server, type TestS3Server } from "@saker/engine/testing";
import { runCli } from "./cli.ts";

let work: string;
let folder: string;
let s3: TestS3Server;
let bucket: S3Storage;
/** The child sets the SDK's warning switch itself (this process's S3 clients set it here). */
const env = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "" };

beforeAll(async () => {
  s3 = await startS3Server(["target"]);
  bucket = new S3Storage({
    bucket: "target",
    prefix: "prod",
    endpoint: s3.endpoint,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
  work = mkdtempSync(join(tmpdir(), "saker-migrate-it-"));
  folder = join(work, "storage");
  const files: Record<string, string> = {
    "company/team/f/executions/x1/tasks/t/r1/abc-out.txt": "first output",
    "company/team/_files/scripts/run.sh": "echo hi",
    "company/team/f/executions/x1/inputs/file/data.csv": "a,b\n1,2\n",
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(folder, path, ".."), { recursive: true });
    writeFileSync(join(folder, path), text);
  }
  writeFileSync(join(folder, "company/team/half.txt.1234.part"), "half-written");
  symlinkSync("/etc/hostname", join(folder, "company/team/link.txt"));
});
afterAll(async () => {
  bucket?.close();
  await s3?.close();
  rmSync(work, { recursive: true, force: true });
});

const s3Args = () => [
  "--s3-endpoint",
  s3.endpoint,
  "--s3-access-key",
  s3.accessKeyId,
  "--s3-secret-key",
  s3.secretAccessKey,
];

it("copies every file of the folder, then skips what is already there", async () => {
  const first = await runCli(["migrate", "--storage-from", folder, "--storage-to", "s3://target/prod", ...s3Args()], {
    env,
  });
  expect(first.stderr).not.toContain("NodeVersionSupportWarning");
  expect(first.stdout).toContain("Storage copied: 3 files, 3 copied");
  expect(first.stderr).toMatch(/storage: 3\/3 files \(3 copied, 0 already there, 0 failed\)/);
  expect(first.code).toBe(0);
  expect(await bucket.list("/")).toEqual([
    "/company/team/_files/scripts/run.sh",
    "/company/team/f/executions/x1/inputs/file/data.csv",
    "/company/team/f/executions/x1/tasks/t/r1/abc-out.txt",
  ]);
  expect(await bucket.size("/company/team/f/executions/x1/tasks/t/r1/abc-out.txt")).toBe(12);

  writeFileSync(join(folder, "company/team/_files/scripts/run.sh"), "echo a longer script");
  const again = await runCli(["migrate", "--storage-from", folder, "--storage-to", "s3://target/prod", ...s3Args()], {
    env,
  });
  expect(again.stdout).toContain("3 files, 1 copied (0.0 MB), 2 already there with the same size, 0 failed");
  expect(again.code).toBe(0);
  expect(await bucket.size("/company/team/_files/scripts/run.sh")).toBe(20);
});

it("takes the target from a configuration file, keys from secrets", async () => {
  const config = join(work, "saker-s3.yml");
  writeFileSync(
    config,
    [
      "storage:",
      "  type: s3",
      "  bucket: target",
      "  prefix: from-config",
      `  endpoint: ${s3.endpoint}`,
      `  accessKey: ${s3.accessKeyId}`,
      "  secretKey: \"{{ secret('S3_SECRET') }}\"",
    ].join("\n"),
  );
  const result = await runCli(["migrate", "--storage-from", folder, "--config", config], {
    env: { ...env, SECRET_S3_SECRET: Buffer.from(s3.secretAccessKey).toString("base64") },
  });
  expect(result.stdout).toContain("3 copied");
  expect(result.code).toBe(0);
});

it("stops with a clear error on a missing bucket or an unreachable endpoint", async () => {
  const missing = await runCli(
    ["migrate", "--storage-from", folder, "--storage-to", "s3://no-such-bucket", ...s3Args()],
    { env },
  );
  expect(missing.code).not.toBe(0);
  expect(missing.stderr).toMatch(/The S3 bucket 'no-such-bucket' does not exist.*\[STORAGE_BUCKET_NOT_FOUND\]/);

  const unreachable = await runCli(
    [
      "migrate",
      "--storage-from",
      folder,
      "--storage-to",
      "s3://target",
      "--s3-endpoint",
      "http://127.0.0.1:9",
      "--s3-access-key",
      "k",
      "--s3-secret-key",
      "hidden-secret",
    ],
    { env },
  );
  expect(unreachable.code).not.toBe(0);
  expect(unreachable.stderr).toContain("[STORAGE_UNREACHABLE]");
  expect(unreachable.stderr).not.toContain("hidden-secret");
});
