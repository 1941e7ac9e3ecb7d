import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { buildProgram } from "../main.ts";

const work = mkdtempSync(join(tmpdir(), "saker-migrate-args-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const migrate = (...args: string[]) => buildProgram().parseAsync(["node", "saker", "migrate", ...args]);

it.each([
  [["--from", "sqlite:", "--to", "postgres://localhost/saker"], /needs the home folder or the database file/],
  [
    ["--from", "sqlite:.saker", "--to", "postgres://localhost/saker", "--dry-run", "--storage-from", work],
    /--dry-run counts the database rows only/,
  ],
  [["--from", "sqlite:.saker"], /--from sqlite:<home or file> --to postgres:/],
  [["--from", "mysql://x", "--to", "postgres://localhost/saker"], /--from sqlite:<home or file> --to postgres:/],
  [[], /Nothing to migrate/],
  [["--storage-to", "s3://bucket"], /--storage-to needs --storage-from/],
  [["--storage-from", work], /--storage-from needs --storage-to/],
  [["--storage-from", work, "--storage-to", "gs://bucket"], /'gs:\/\/bucket' is not an S3 location/],
  [["--storage-from", join(work, "nope"), "--storage-to", "s3://bucket"], /is not a folder/],
  [["--storage-from", work, "--storage-to", "s3://b", "--s3-access-key", "k"], /go together/],
  [["--storage-from", work, "--storage-to", "s3://b/../x"], /may not hold '\.\.'/],
  [["--storage-from", work, "--storage-to", "s3://b", "--concurrency", "0"], /--concurrency must be/],
])("refuses %j", async (args, message) => {
  await expect(migrate(...args)).rejects.toThrow(message);
});
