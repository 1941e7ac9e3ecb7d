import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TriggerContext } from "@saker/sdk";
import { createTaskStorage, type TestInstance } from "@saker/engine/testing";
import {
  errorLines,
  flow,
  jdbcInstance,
  pgClockMark,
  pgConnectionsLeftSince,
  pgUrlNamed,
  serviceAvailable,
  storedRows,
  storedText,
  taskRun,
} from "../../test/support.ts";
import jdbc from "../index.ts";

const up = await serviceAvailable("PostgreSQL", "127.0.0.1", 5432);
const QUERY = "io.kestra.plugin.jdbc.postgresql.Query";
const APP = "saker-test-pg-behaviour";
const APP_URL = pgUrlNamed(APP);

let test: TestInstance;
let admin: pg.Client;

async function failure(id: string, props: string): Promise<string> {
  const execution = await test.run(flow(id, QUERY, props));
  expect(execution.state.current).toBe("FAILED");
  const text = errorLines(test, execution.id).join("\n");
  expect(text).not.toMatch(/\n\s+at /);
  expect(text).not.toContain("hunter2");
  return text;
}

beforeAll(async () => {
  if (!up) return;
  admin = new pg.Client({ host: "127.0.0.1", port: 5432, user: "postgres", database: "test" });
  await admin.connect();
  await admin.query(
    "drop table if exists jdbc_events; create table jdbc_events (id serial primary key, status text not null default 'NEW', payload text)",
  );
  test = await jdbcInstance({
    overrides: { plugins: { configurations: [{ type: "io.kestra.plugin.jdbc", values: { maxFetchRows: 50 } }] } },
  });
});
afterAll(async () => {
  await test?.close();
  await admin?.end();
});

describe.skipIf(!up)("postgresql behaviour", () => {
  it("fails with the database's message, never the password, and closes every connection", async () => {
    const mark = await pgClockMark(admin);
    expect(await failure("scheme", "url: jdbc:mysql://127.0.0.1:5432/test?password=hunter2\nsql: select 1")).toContain(
      "property 'url' must start with 'jdbc:postgresql:' (got 'jdbc:mysql://127.0.0.1:5432/test?password=***')",
    );
    expect(
      await failure(
        "nodb",
        "url: jdbc:postgresql://127.0.0.1:5432/no_such_db?user=postgres\npassword: hunter2\nsql: select 1",
      ),
    ).toContain('PostgreSQL: database "no_such_db" does not exist [3D000]');
    expect(
      await failure(
        "norole",
        "url: jdbc:postgresql://127.0.0.1:5432/test\nusername: nobody_here\npassword: hunter2\nsql: select 1",
      ),
    ).toContain('PostgreSQL: role "nobody_here" does not exist [28000]');
    expect(await failure("refused", "url: jdbc:postgresql://127.0.0.1:1/test\nsql: select 1")).toContain(
      "PostgreSQL: cannot reach the PostgreSQL server: connection refused [ECONNREFUSED]",
    );
    expect(await failure("syntax", `url: ${APP_URL}\nsql: selec 1`)).toContain(
      'PostgreSQL: syntax error at or near "selec" (at character 1) [42601]',
    );
    expect(await failure("two", `url: ${APP_URL}\nsql: select 1; select 2`)).toContain(
      "Query task support only a single SQL statement",
    );
    expect(await pgConnectionsLeftSince(admin, APP, mark)).toBe(0);
  });

  it("stops the statement on the server when the task times out", async () => {
    const mark = await pgClockMark(admin);
    const started = Date.now();
    const text = await failure("timeout", `url: ${APP_URL}\nsql: select pg_sleep(20)\ntimeout: PT1S`);
    expect(text).toContain("Timeout after PT1S");
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await pgConnectionsLeftSince(admin, APP, mark)).toBe(0);
  });

  it("reports a dropped connection with the server's message", async () => {
    const mark = await pgClockMark(admin);
    const running = test.run(flow("dropped", QUERY, `url: ${APP_URL}\nsql: select pg_sleep(10) as slept`));
    let killed = 0;
    for (let i = 0; i < 50 && killed === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      // found by this file's ApplicationName: the connections counted above are the task's own
      const { rowCount } = await admin.query(
        "select pg_terminate_backend(pid) from pg_stat_activity where query like 'select pg_sleep(10) as slept%' and application_name = $1",
        [APP],
      );
      killed = rowCount ?? 0;
    }
    const execution = await running;
    expect(killed).toBe(1);
    expect(execution.state.current).toBe("FAILED");
    expect(errorLines(test, execution.id).join("\n")).toMatch(
      /PostgreSQL: terminating connection due to administrator command \[57P01\]|connection was lost/,
    );
    expect(await pgConnectionsLeftSince(admin, APP, mark)).toBe(0);
  });

  it("refuses FETCH past maxFetchRows and points to STORE", async () => {
    const text = await failure(
      "limit",
      `url: ${APP_URL}\nsql: select generate_series(1, 51) as n\nfetchType: FETCH\nfetchSize: 7`,
    );
    expect(text).toContain(
      "the query returned more than 50 rows, the most fetchType: FETCH (or FETCH_ONE) keeps in memory; use fetchType: STORE",
    );
    const ok = await test.run(
      flow("limitok", QUERY, `url: ${APP_URL}\nsql: select generate_series(1, 50) as n\nfetchType: FETCH`),
    );
    expect((taskRun(ok, "q").outputs as { size: number }).size).toBe(50);
  });

  it("maps the deprecated fetch booleans and runs afterSQL in the same transaction", async () => {
    await admin.query("truncate jdbc_events; insert into jdbc_events (payload) values ('a'), ('b')");
    const props = `url: ${APP_URL}\nsql: select id, payload from jdbc_events where status = 'NEW' order by id\nstore: true\nafterSQL: update jdbc_events set status = 'DONE' where status = 'NEW'`;
    const execution = await test.run(flow("after", QUERY, props));
    const { uri, size } = taskRun(execution, "q").outputs as { uri: string; size: number };
    expect(size).toBe(2);
    expect(await storedText(test, uri)).toMatch(/^\{id:\d+,payload:"a"\}\n\{id:\d+,payload:"b"\}\n$/);
    expect((await admin.query("select count(*)::int as n from jdbc_events where status = 'DONE'")).rows[0].n).toBe(2);
    // A failing afterSQL rolls the whole transaction back.
    await admin.query("insert into jdbc_events (payload) values ('c')");
    const failed = await test.run(
      flow(
        "afterbad",
        QUERY,
        `url: ${APP_URL}\nsql: update jdbc_events set status = 'SEEN' where status = 'NEW'\nafterSQL: update nowhere set x = 1`,
      ),
    );
    expect(failed.state.current).toBe("FAILED");
    expect((await admin.query("select count(*)::int as n from jdbc_events where status = 'NEW'")).rows[0].n).toBe(1);
  });

  it("runs Queries: one output per statement returning rows, rolled back on failure", async () => {
    const sql =
      "insert into jdbc_events (payload) values ('q1'); select payload from jdbc_events where payload = 'q1'; select ';' as semi, $$ a;b $$ as body";
    const ok = await test.run(
      flow("queries", "io.kestra.plugin.jdbc.postgresql.Queries", `url: ${APP_URL}\nsql: "${sql}"\nfetchType: FETCH`),
    );
    expect(taskRun(ok, "q").outputs).toEqual({
      outputs: [
        { rows: [{ payload: "q1" }], size: 1, fetchType: "FETCH" },
        { rows: [{ semi: ";", body: " a;b " }], size: 1, fetchType: "FETCH" },
      ],
      size: 2,
    });
    const bad = await test.run(
      flow(
        "queriesbad",
        "io.kestra.plugin.jdbc.postgresql.Queries",
        `url: ${APP_URL}\nsql: "insert into jdbc_events (payload) values ('q2'); select 1/0"`,
      ),
    );
    expect(bad.state.current).toBe("FAILED");
    expect(errorLines(test, bad.id).join("\n")).toContain("PostgreSQL: division by zero [22012]");
    expect((await admin.query("select count(*)::int as n from jdbc_events where payload = 'q2'")).rows[0].n).toBe(0);
  });

  it("copies a table out to a file and back in", async () => {
    await admin.query(
      "drop table if exists jdbc_copy; create table jdbc_copy (id int, name text); insert into jdbc_copy values (1, 'a,b'), (2, null)",
    );
    const source = `id: copy
namespace: company.jdbc
tasks:
  - id: out
    type: io.kestra.plugin.jdbc.postgresql.CopyOut
    url: ${APP_URL}
    table: jdbc_copy
    format: CSV
    header: true
  - id: in
    type: io.kestra.plugin.jdbc.postgresql.CopyIn
    url: ${APP_URL}
    table: jdbc_copy
    format: CSV
    header: true
    from: "{{ outputs.out.uri }}"
`;
    const execution = await test.run(source);
    expect(execution.state.current).toBe("SUCCESS");
    const out = taskRun(execution, "out").outputs as { uri: string; rowCount: number };
    expect(out.rowCount).toBe(2);
    expect(await storedText(test, out.uri)).toBe('id,name\n1,"a,b"\n2,\n');
    expect(taskRun(execution, "in").outputs).toEqual({ rowCount: 2 });
    expect((await admin.query("select count(*)::int as n from jdbc_copy")).rows[0].n).toBe(4);
  });
});

describe.skipIf(!up)("postgresql.Trigger", () => {
  const trigger = jdbc.triggers!.find((t) => t.type === "io.kestra.plugin.jdbc.postgresql.Trigger")!;

  let workDir: string | undefined;
  afterAll(async () => {
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  function context(): TriggerContext {
    const logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, trace: () => {}, log: () => {} };
    const storage = createTaskStorage(test.instance.storage, {
      namespace: "company.jdbc",
      writePrefix: "/company/jdbc/watch/executions/e1/trigger/t",
      readPrefixes: ["/company/jdbc/watch/executions/e1"],
    });
    return {
      flow: { id: "watch", namespace: "company.jdbc" },
      trigger: { id: "t", type: trigger.type },
      logger,
      signal: new AbortController().signal,
      storage,
      // As the engine gives them: the instance's configuration of the type (maxFetchRows: 50) and a directory of its own.
      pluginConfiguration: () => test.instance.pluginConfiguration(trigger.type),
      workingDir: async () => (workDir ??= await mkdtemp(join(tmpdir(), "saker-jdbc-trigger-test-"))),
    } as unknown as TriggerContext;
  }
  const evaluate = (props: Record<string, unknown>) => trigger.evaluate!(trigger.properties.parse(props), context());
  const base = {
    url: APP_URL,
    sql: "select id, payload from jdbc_events where status = 'NEW' order by id",
    afterSQL: "update jdbc_events set status = 'PROCESSED' where status = 'NEW'",
  };

  it("starts one execution with the rows, marks them with afterSQL, then none", async () => {
    await admin.query("truncate jdbc_events; insert into jdbc_events (payload) values ('x'), ('y')");
    expect(trigger.properties.parse(base)).toMatchObject({ interval: 60_000, fetchType: "FETCH" });
    const event = await evaluate(base);
    expect(event?.variables).toEqual({
      rows: [expect.objectContaining({ payload: "x" }), expect.objectContaining({ payload: "y" })],
      size: 2,
    });
    expect((await admin.query("select count(*)::int as n from jdbc_events where status = 'PROCESSED'")).rows[0].n).toBe(
      2,
    );
    expect(await evaluate(base)).toBeUndefined();
  });

  it("stores the rows with fetchType STORE and refuses NONE", async () => {
    await admin.query("insert into jdbc_events (payload) values ('z')");
    const event = await evaluate({ ...base, fetchType: "STORE" });
    expect(event?.variables).toEqual({
      uri: expect.stringMatching(/^kestra:\/\/\/company\/jdbc\/watch\/executions\/e1\/trigger\/t\//),
      size: 1,
    });
    expect(await storedRows(test, event!.variables.uri as string)).toEqual([{ id: expect.any(Number), payload: "z" }]);
    await expect(evaluate({ ...base, fetchType: "NONE" })).rejects.toThrow(
      "fetchType NONE cannot be used on a trigger",
    );
  });

  it("honours maxFetchRows from the plugin configuration, rolling afterSQL back", async () => {
    await admin.query(
      "truncate jdbc_events; insert into jdbc_events (payload) select 'p' || g from generate_series(1, 51) g",
    );
    await expect(evaluate(base)).rejects.toThrow(
      "the query returned more than 50 rows, the most fetchType: FETCH (or FETCH_ONE) keeps in memory",
    );
    expect((await admin.query("select count(*)::int as n from jdbc_events where status = 'NEW'")).rows[0].n).toBe(51);
    await admin.query("delete from jdbc_events where payload = 'p51'");
    const event = await evaluate(base);
    expect(event?.variables.size).toBe(50);
    expect((await admin.query("select count(*)::int as n from jdbc_events where status = 'PROCESSED'")).rows[0].n).toBe(
      50,
    );
  });
});
