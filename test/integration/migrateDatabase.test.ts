/**
 * `saker migrate --from sqlite:… --to postgres://…` through the real CLI (built packages), against
 * a real PostgreSQL (a fresh database) and an S3-compatible server for the storage in the same
 * command: counts, progress, summary, a second run copying nothing, bad inputs.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestInstance, serviceAvailable } from "@saker/engine/testing";
import { createTestDatabase, type TestDatabase } from "../../packages/engine/src/backend/postgres/testDatabase.ts";
import { runCli } from "./cli.ts";
import { MIGRATE_ENV, startMigrateTarget, type MigrateTarget } from "./migrateTarget.ts";

const up = await serviceAvailable("PostgreSQL", "127.0.0.1", 5432);

const FLOW = `id: hello
namespace: company.team
tasks:
  - id: write
    type: io.kestra.plugin.core.storage.Write
    content: "some output"
    extension: .txt
  - id: say
    type: io.kestra.plugin.core.log.Log
    message: "hello from {{ flow.id }}"
`;

let work: string;
let home: string;
let executionId: string;
let database: TestDatabase;
let bucketTarget: MigrateTarget;
const env = MIGRATE_ENV;

describe.skipIf(!up)("saker migrate --from sqlite: --to postgres://", () => {
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "saker-migrate-db-it-"));
    home = join(work, "home");
    const t = await openTestInstance({ home, overrides: { database: { type: "sqlite" } } });
    try {
      const execution = await t.run(FLOW);
      expect(execution.state.current).toBe("SUCCESS");
      executionId = execution.id;
    } finally {
      await t.close();
    }
    database = await createTestDatabase();
    bucketTarget = await startMigrateTarget();
  });
  afterAll(async () => {
    await bucketTarget?.close();
    await database?.drop();
    rmSync(work, { recursive: true, force: true });
  });

  const s3Args = () => [
    "--storage-from",
    join(home, "storage"),
    "--storage-to",
    "s3://target",
    ...bucketTarget.s3Args(),
  ];

  it("counts with --dry-run, copies the database and the storage, then copies nothing again", async () => {
    const target = `${database.url}?schema=saker`;
    const dry = await runCli(["migrate", "--from", `sqlite:${home}`, "--to", target, "--dry-run"], { env });
    expect(dry.stderr).toContain("database: executions: 1/1 (1 copied, 0 already there)");
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain("Would copy from");
    expect(dry.stdout).toMatch(/executions: 1\/1 \(1 copied, 0 already there\)/);

    const first = await runCli(["migrate", "--from", `sqlite:${home}`, "--to", target, ...s3Args()], { env });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/database: flows: 1\/1 \(1 copied, 0 already there\)/);
    expect(first.stdout).toMatch(/Database copied from '.*saker\.db' to postgres:\/\/postgres@127\.0\.0\.1:5432\//);
    expect(first.stdout).toMatch(/executions: 1\/1 \(1 copied, 0 already there\)/);
    expect(first.stdout).toMatch(/logs: (\d+)\/\1 \(\1 copied, 0 already there\)/);
    expect(first.stdout).toContain("Storage copied: 1 files, 1 copied");
    expect((await bucketTarget.bucket.list("/")).some((path) => path.endsWith(".txt"))).toBe(true);

    const client = new pg.Client({ connectionString: database.url, options: "-c search_path=saker" });
    await client.connect();
    try {
      const { rows } = await client.query("SELECT state FROM executions WHERE id = $1", [executionId]);
      expect(rows).toEqual([{ state: "SUCCESS" }]);
      const logs = await client.query("SELECT message FROM logs WHERE execution_id = $1", [executionId]);
      expect(logs.rows.map((r) => r.message)).toContain("hello from hello");
    } finally {
      await client.end();
    }

    const again = await runCli(["migrate", "--from", `sqlite:${home}`, "--to", target], { env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/executions: 1\/1 \(0 copied, 1 already there\)/);
    expect(again.stdout).toMatch(/logs: (\d+)\/\1 \(0 copied, \1 already there\)/);
  });

  it.each([
    [
      ["--from", "sqlite:/nowhere/at/all", "--to", "postgres://127.0.0.1/x"],
      /No Saker home .* \[MIGRATE_SOURCE_INVALID\]/,
    ],
    [["--from", "sqlite:", "--to", "postgres://127.0.0.1/x"], /needs the home folder .* \[CLI_USAGE\]/],
    [
      ["--from", "sqlite:HOME", "--to", "postgres://postgres:pw@127.0.0.1:1/x"],
      /Unable to connect .* \[ENGINE_UNAVAILABLE\]/,
    ],
    [["--from", "sqlite:HOME", "--to", "mysql://127.0.0.1/x"], /--to postgres:\/\/user@host:5432\/db \[CLI_USAGE\]/],
  ])("refuses %j", async (args, message) => {
    const result = await runCli(["migrate", ...args.map((a) => a.replace("HOME", home))], { env });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toContain("pw@");
  });
});
