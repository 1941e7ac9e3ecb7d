/**
 * `saker migrate` copying a local storage folder into an S3 bucket, through the real CLI (built
 * packages) against a real S3-compatible server: progress, summary, idempotence, bad targets.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runCli } from "./cli.ts";
import { MIGRATE_ENV, startMigrateTarget, type MigrateTarget } from "./migrateTarget.ts";

let work: string;
let folder: string;
let target: MigrateTarget;
const env = MIGRATE_ENV;

beforeAll(async () => {
  target = await startMigrateTarget("prod");
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
  await target?.close();
  rmSync(work, { recursive: true, force: true });
});

const s3Args = () => target.s3Args();

it("copies every file of the folder, then skips what is already there", async () => {
  const first = await runCli(["migrate", "--storage-from", folder, "--storage-to", "s3://target/prod", ...s3Args()], {
    env,
  });
  expect(first.stderr).not.toContain("NodeVersionSupportWarning");
  expect(first.stdout).toContain("Storage copied: 3 files, 3 copied");
  expect(first.stderr).toMatch(/storage: 3\/3 files \(3 copied, 0 already there, 0 failed\)/);
  expect(first.code).toBe(0);
  expect(await target.bucket.list("/")).toEqual([
    "/company/team/_files/scripts/run.sh",
    "/company/team/f/executions/x1/inputs/file/data.csv",
    "/company/team/f/executions/x1/tasks/t/r1/abc-out.txt",
  ]);
  expect(await target.bucket.size("/company/team/f/executions/x1/tasks/t/r1/abc-out.txt")).toBe(12);

  writeFileSync(join(folder, "company/team/_files/scripts/run.sh"), "echo a longer script");
  const again = await runCli(["migrate", "--storage-from", folder, "--storage-to", "s3://target/prod", ...s3Args()], {
    env,
  });
  expect(again.stdout).toContain("3 files, 1 copied (0.0 MB), 2 already there with the same size, 0 failed");
  expect(again.code).toBe(0);
  expect(await target.bucket.size("/company/team/_files/scripts/run.sh")).toBe(20);
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
      `  endpoint: ${target.s3.endpoint}`,
      `  accessKey: ${target.s3.accessKeyId}`,
      "  secretKey: \"{{ secret('S3_SECRET') }}\"",
    ].join("\n"),
  );
  const result = await runCli(["migrate", "--storage-from", folder, "--config", config], {
    env: { ...env, SECRET_S3_SECRET: Buffer.from(target.s3.secretAccessKey).toString("base64") },
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
