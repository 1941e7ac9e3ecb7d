import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { Backend } from "../backend.ts";
import { loadConfig } from "../../runtime/config.ts";
import { Instance } from "../../runtime/instance.ts";
import { serviceAvailable } from "../../testing/services.ts";
import { eventually, openTestInstance, outputsOf, type TestInstance } from "../../testing/testInstance.ts";
import { createTestDatabase, type TestDatabase } from "../postgres/testDatabase.ts";
import { migrateSqliteToPostgres, type TableProgress } from "./sqliteToPostgres.ts";

const up = await serviceAvailable("PostgreSQL", "127.0.0.1", 5432);

const CHILD = `id: child
namespace: mig.tests
inputs:
  - id: n
    type: INT
tasks:
  - id: say
    type: io.kestra.plugin.core.log.Log
    message: "child {{ inputs.n }}"
outputs:
  - id: doubled
    type: INT
    value: "{{ inputs.n * 2 }}"
`;

const PARENT = `id: parent
namespace: mig.tests
tasks:
  - id: call
    type: io.kestra.plugin.core.flow.Subflow
    namespace: mig.tests
    flowId: child
    inputs:
      n: 21
  - id: remember
    type: io.kestra.plugin.core.kv.Set
    key: answer
    value: "{{ outputs.call.outputs.doubled }}"
  - id: out
    type: io.kestra.plugin.core.output.OutputValues
    values:
      answer: "{{ outputs.call.outputs.doubled }}"
`;

const FAILING = `id: failing
namespace: mig.tests
tasks:
  - id: publish
    type: io.kestra.plugin.core.metric.Publish
    metrics:
      - type: counter
        name: rows
        value: 42
        tags:
          table: users
  - id: boom
    type: io.kestra.plugin.core.execution.Fail
    errorMessage: "it broke"
`;

const scheduled = (message: string) => `id: scheduled
namespace: mig.tests
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "${message}"
triggers:
  - id: hourly
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 * * * *"
`;

const LATER = `id: later
namespace: mig.tests
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "resumed on PostgreSQL"
`;

const homes: string[] = [];
const databases: TestDatabase[] = [];
const opened: TestInstance[] = [];
afterEach(async () => {
  while (opened.length) await opened.pop()!.close();
  while (databases.length) await databases.pop()!.drop();
});
afterAll(() => {
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});

function newHome(): string {
  const home = mkdtempSync(join(tmpdir(), "saker-migrate-"));
  homes.push(home);
  return home;
}

async function database(): Promise<TestDatabase> {
  const db = await createTestDatabase();
  databases.push(db);
  return db;
}

async function openSqlite(home: string): Promise<TestInstance> {
  return openTestInstance({ home, overrides: { database: { type: "sqlite" } } });
}

async function openPostgres(url: string): Promise<TestInstance> {
  const t = await openTestInstance({ home: newHome(), overrides: { database: { type: "postgres", url } } });
  opened.push(t);
  return t;
}

/** Everything a test compares, read through a backend. */
async function snapshot(backend: Backend, executionIds: readonly string[]) {
  const tenant = "main";
  const flows = await Promise.all(
    ["child", "parent", "failing", "scheduled", "gone"].map((id) => backend.flows.revisions(tenant, "mig.tests", id)),
  );
  const executions = await Promise.all(executionIds.map((id) => backend.executions.get(id)));
  const logs = await Promise.all(
    executionIds.map(async (executionId) =>
      (await backend.logs.find({ executionId })).map(({ seq: _seq, ...log }) => log),
    ),
  );
  const metrics = await Promise.all(executionIds.map((id) => backend.metrics.byExecution(id)));
  return {
    flows,
    executions,
    logs,
    metrics,
    kv: await backend.kv.get(tenant, "mig.tests", "answer"),
    triggers: await backend.triggers.list(tenant),
  };
}

const byTable = (tables: readonly TableProgress[]) => Object.fromEntries(tables.map((t) => [t.table, t]));

/** A SQLite home with flows (revisions, a deleted one), executions (failed, subflow, outputs), logs, KV and trigger state. */
async function sqliteHome(): Promise<{ home: string; ids: string[]; before: Awaited<ReturnType<typeof snapshot>> }> {
  const home = newHome();
  const t = await openSqlite(home);
  try {
    await t.instance.deploy(scheduled("first"));
    await t.instance.deploy(scheduled("second"));
    await t.instance.deploy(
      `id: gone\nnamespace: mig.tests\ntasks:\n  - id: l\n    type: io.kestra.plugin.core.log.Log\n    message: x\n`,
    );
    t.instance.flows.delete("mig.tests", "gone");
    await t.instance.scheduler.tick(new Date("2026-03-02T10:00:30Z"));
    await t.instance.deploy(CHILD);
    const parent = await t.run(PARENT);
    expect(parent.state.current).toBe("SUCCESS");
    expect(outputsOf(parent, "out")).toEqual({ values: { answer: "42" } });
    const failed = await t.run(FAILING);
    expect(failed.state.current).toBe("FAILED");
    const children = await t.instance.backend.executions.childIds(parent.id);
    const ids = [parent.id, failed.id, ...children];
    const before = await snapshot(t.instance.backend, ids);
    expect(before.flows[3]).toHaveLength(2);
    expect(before.flows[4]!.at(-1)!.deleted).toBe(true);
    expect(String(before.kv?.value)).toBe("42");
    expect(before.triggers).toHaveLength(1);
    expect(before.metrics[1]).toMatchObject([{ name: "rows", value: 42, tags: { table: "users" } }]);
    return { home, ids, before };
  } finally {
    await t.close();
  }
}

describe.skipIf(!up)("migrateSqliteToPostgres", () => {
  it("copies flows, executions with task runs, logs, KV and trigger state; a second run copies nothing", async () => {
    const { home, ids, before } = await sqliteHome();
    const db = await database();
    const progress: TableProgress[] = [];

    const dry = await migrateSqliteToPostgres({ from: home, to: db.url, dryRun: true });
    expect(byTable(dry.tables).executions!.copied).toBe(3);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query("SELECT to_regclass('public.flows') AS t");
      expect(rows[0].t).toBeNull(); // the dry run wrote nothing, not even the schema
    } finally {
      await client.end();
    }

    // small batches: every table takes several transactions
    const first = await migrateSqliteToPostgres({
      from: home,
      to: db.url,
      batchSize: 1,
      onProgress: (p) => progress.push(p),
    });
    const tables = byTable(first.tables);
    expect(tables.flows).toMatchObject({ total: 7, copied: 7, skipped: 0, conflicts: 0 });
    expect(tables.executions).toMatchObject({ total: 3, copied: 3 });
    expect(tables.kv!.copied).toBe(1);
    expect(tables.triggers!.copied).toBe(1);
    expect(tables.logs!.copied).toBeGreaterThan(10);
    expect(progress.filter((p) => p.table === "executions").map((p) => p.done)).toEqual([1, 2, 3]);
    expect(progress.filter((p) => p.table === "logs").length).toBeGreaterThan(1);
    expect(new Set(progress.map((p) => p.table))).toEqual(
      new Set(["flows", "executions", "kv", "triggers", "logs", "metrics", "queue"]),
    );

    const t = await openPostgres(db.url);
    expect(await snapshot(t.instance.backend, ids)).toEqual(before);
    expect(t.instance.flows.find("mig.tests", "parent")).toBeDefined();
    const parent = (await t.instance.backend.executions.get(ids[0]!))!.execution;
    expect(outputsOf(parent, "out")).toEqual({ values: { answer: "42" } });

    // a new execution on PostgreSQL, then the same migration again
    const later = await t.run(LATER);
    expect(later.state.current).toBe("SUCCESS");
    const second = await migrateSqliteToPostgres({ from: home, to: db.url });
    for (const table of second.tables) {
      expect(table.copied, table.table).toBe(0);
      expect(table.updated + table.overwritten + table.conflicts, table.table).toBe(0);
      expect(table.skipped, table.table).toBe(table.total);
    }
    expect(await snapshot(t.instance.backend, ids)).toEqual(before);
    expect((await t.instance.backend.executions.get(later.id))?.execution.state.current).toBe("SUCCESS");
  });

  it("copies the queue of unfinished executions, which resume on PostgreSQL", async () => {
    const home = newHome();
    const config = loadConfig({ env: { SAKER_PLUGINS_BUNDLED_PATH: "" }, overrides: { home }, cwd: home });
    const stopped = await Instance.open(config, { executor: false, worker: false });
    let id: string;
    try {
      await stopped.deploy(LATER);
      id = (await stopped.createExecution("mig.tests", "later", {})).id;
    } finally {
      await stopped.close();
    }
    const db = await database();
    const report = await migrateSqliteToPostgres({ from: home, to: `${db.url}?schema=saker` });
    expect(report.schema).toBe("saker");
    expect(byTable(report.tables).queue!.copied).toBeGreaterThan(0);
    const t = await openTestInstance({
      home: newHome(),
      overrides: { database: { type: "postgres", url: db.url, schema: "saker" } },
    });
    opened.push(t);
    const ended = await t.instance.waitForEnd(id, 20_000);
    expect(ended.state.current).toBe("SUCCESS");
    const logs = await t.instance.backend.logs.find({ executionId: id });
    expect(logs.map((l) => l.message)).toContain("resumed on PostgreSQL");
  });

  it("copies what the SQLite instance did after a first copy, leaves what PostgreSQL changed, stops on both", async () => {
    const { home } = await sqliteHome();
    const db = await database();
    await migrateSqliteToPostgres({ from: home, to: db.url });
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const kv = (key: string, value: string) => ({
      key,
      value,
      type: "STRING" as const,
      updateDate: new Date().toISOString(),
    });
    try {
      // changed on PostgreSQL only: kept as it is
      await client.query("UPDATE kv SET value = '\"on postgres\"' WHERE key = 'answer'");
      let t = await openSqlite(home);
      try {
        await t.instance.deploy(scheduled("third"));
        await t.run(FAILING);
        await t.instance.backend.kv.set("main", "mig.tests", kv("other", "first"));
      } finally {
        await t.close();
      }
      const second = byTable((await migrateSqliteToPostgres({ from: home, to: db.url })).tables);
      expect(second.flows).toMatchObject({ copied: 1, skipped: 7, conflicts: 0 });
      expect(second.executions).toMatchObject({ copied: 1, skipped: 3 });
      expect(second.kv).toMatchObject({ copied: 1, skipped: 1, updated: 0 });
      expect((await client.query("SELECT value FROM kv WHERE key = 'answer'")).rows[0].value).toBe('"on postgres"');

      // changed on SQLite only (other): updated; changed on both sides (answer): a conflict
      t = await openSqlite(home);
      try {
        await t.instance.backend.kv.set("main", "mig.tests", kv("other", "second"));
        await t.instance.backend.kv.set("main", "mig.tests", kv("answer", "on sqlite"));
      } finally {
        await t.close();
      }
      await expect(migrateSqliteToPostgres({ from: home, to: db.url })).rejects.toMatchObject({
        code: "MIGRATE_CONFLICT",
        message: expect.stringMatching(/1 row\(s\): KV key 'answer' of namespace mig.tests/),
      });
      const third = byTable((await migrateSqliteToPostgres({ from: home, to: db.url, overwrite: true })).tables);
      expect(third.kv).toMatchObject({ updated: 1, overwritten: 1, copied: 0 });
      const values = await client.query("SELECT key, value FROM kv ORDER BY key");
      expect(values.rows).toEqual([
        { key: "answer", value: '"on sqlite"' },
        { key: "other", value: '"second"' },
      ]);
    } finally {
      await client.end();
    }
  });

  it("tells a process already running on the target about the copied flows", async () => {
    const { home } = await sqliteHome();
    const db = await database();
    const t = await openPostgres(db.url);
    expect(t.instance.flows.find("mig.tests", "parent")).toBeUndefined();
    await migrateSqliteToPostgres({ from: home, to: db.url });
    await eventually(() => t.instance.flows.find("mig.tests", "parent"), 10_000, "the copied flow");
    expect(t.instance.flows.revisions("mig.tests", "scheduled")).toHaveLength(2);
  });

  it("stops on rows the target holds with other data, and replaces them with overwrite", async () => {
    const { home } = await sqliteHome();
    const db = await database();
    const t = await openPostgres(db.url);
    await t.instance.deploy(CHILD.replace("child {{ inputs.n }}", "another child"));
    await t.close();
    opened.pop();

    await expect(migrateSqliteToPostgres({ from: home, to: db.url })).rejects.toMatchObject({
      code: "MIGRATE_CONFLICT",
      message: expect.stringContaining("flow mig.tests.child revision 1"),
    });
    const dry = await migrateSqliteToPostgres({ from: home, to: db.url, dryRun: true });
    expect(dry.conflictCount).toBe(1);
    expect(byTable(dry.tables).executions!.copied).toBe(3);
    // nothing was copied by the refused run
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      expect((await client.query("SELECT COUNT(*)::int AS n FROM executions")).rows[0].n).toBe(0);
      const report = await migrateSqliteToPostgres({ from: home, to: db.url, overwrite: true });
      expect(byTable(report.tables).flows).toMatchObject({ overwritten: 1, copied: 6 });
      const { rows } = await client.query("SELECT source FROM flows WHERE id = 'child'");
      expect(rows[0].source).toContain("child {{ inputs.n }}");
    } finally {
      await client.end();
    }
  });

  it("refuses a missing file, a file that is not a Saker database, a running instance's home, an unreachable server; warns of a dead one's lock", async () => {
    const home = newHome();
    const db = await database();
    const refused = (from: string, message?: string) =>
      expect(migrateSqliteToPostgres({ from, to: db.url })).rejects.toMatchObject({
        code: "MIGRATE_SOURCE_INVALID",
        ...(message ? { message: expect.stringContaining(message) } : {}),
      });
    /** A SQLite file holding what `sql` makes. */
    const sqliteFile = (name: string, ...sql: string[]) => {
      const file = new Database(join(home, name));
      for (const statement of sql) file.exec(statement);
      file.close();
      return join(home, name);
    };
    await refused(join(home, "nope.db"));
    await refused(home, "no saker.db");
    const text = join(home, "notes.db");
    writeFileSync(text, "hello, this is not SQLite at all, but long enough to look like a header......");
    await refused(text, "is not a Saker database");
    await refused(
      sqliteFile("foreign.db", "CREATE TABLE things (id INTEGER PRIMARY KEY)"),
      "no such table: schema_migrations",
    );
    const old = sqliteFile(
      "old.db",
      "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied TEXT NOT NULL)",
      `INSERT INTO schema_migrations VALUES (1, 'init', '${new Date().toISOString()}')`,
    );
    await refused(old, "written by an older Saker");
    const running = await openSqlite(home);
    try {
      await expect(migrateSqliteToPostgres({ from: home, to: db.url })).rejects.toMatchObject({
        code: "HOME_LOCKED",
      });
    } finally {
      await running.close();
    }
    // a lock left by a process that died: copied, with a warning
    writeFileSync(join(home, "saker.lock"), "999999999");
    const warnings: string[] = [];
    const report = await migrateSqliteToPostgres({ from: home, to: db.url, onWarning: (w) => warnings.push(w) });
    expect(report.sourceStoppedAbruptly).toBe(true);
    expect(warnings).toEqual([expect.stringContaining("stopped abruptly")]);
    rmSync(join(home, "saker.lock"));
    await expect(
      migrateSqliteToPostgres({ from: home, to: "postgres://postgres:secret@127.0.0.1:1/nothing" }),
    ).rejects.toMatchObject({ code: "ENGINE_UNAVAILABLE", message: expect.not.stringContaining("secret") });
    await expect(migrateSqliteToPostgres({ from: home, to: "mysql://127.0.0.1/x" })).rejects.toMatchObject({
      code: "CLI_USAGE",
    });
    await expect(migrateSqliteToPostgres({ from: home, to: `${db.url}?schema=bad-name` })).rejects.toMatchObject({
      code: "CLI_USAGE",
    });
  });
});
