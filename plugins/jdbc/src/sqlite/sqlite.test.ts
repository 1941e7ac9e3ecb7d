import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toStoragePath, type TestInstance } from "@saker/engine/testing";
import { errorLines, flow, jdbcInstance, storedRows, storedText, taskRun } from "../../test/support.ts";

let dir: string;
let file: string;
let test: TestInstance;

describe("sqlite", () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "saker-sqlite-"));
    file = join(dir, "db.sqlite");
    const db = new Database(file);
    db.exec(`create table t (id integer primary key, big integer, price real, name text, d date, ts datetime, b blob);
      insert into t values (1, 9007199254740993, 1.5, 'one', '2024-01-31', '2024-01-31 10:11:12', x'0102'), (2, 2, 2.0, 'it''s', null, null, null);`);
    db.close();
    test = await jdbcInstance();
  });
  afterAll(async () => {
    await test?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("fetches, stores and binds parameters on a database file", async () => {
    const fetched = await test.run(
      flow(
        "fetch",
        "io.kestra.plugin.jdbc.sqlite.Query",
        `url: jdbc:sqlite:${file}\nsql: select * from t where id = :id or name = :name\nparameters:\n  id: 1\n  name: "x' or 1=1 --"\nfetchType: FETCH`,
      ),
    );
    expect(taskRun(fetched, "q").outputs).toEqual({
      rows: [
        {
          id: 1,
          big: "9007199254740993",
          price: 1.5,
          name: "one",
          d: "2024-01-31",
          ts: "2024-01-31T10:11:12",
          b: "AQI=",
        },
      ],
      size: 1,
      fetchType: "FETCH",
    });
    const stored = await test.run(
      flow(
        "store",
        "io.kestra.plugin.jdbc.sqlite.Query",
        `url: jdbc:sqlite:${file}\nsql: select id, price from t order by id\nfetchType: STORE`,
      ),
    );
    const { uri, size } = taskRun(stored, "q").outputs as { uri: string; size: number };
    expect(size).toBe(2);
    // The engine reads Ion floats as Java doubles.
    const rows = (await storedRows(test, uri)) as { id: number; price: unknown }[];
    expect(rows.map((r) => ({ id: r.id, price: Number(r.price) }))).toEqual([
      { id: 1, price: 1.5 },
      { id: 2, price: 2 },
    ]);
  });

  it("stores the query's column order when columns are named like numbers (2023)", async () => {
    const stored = await test.run(
      flow(
        "storeyears",
        "io.kestra.plugin.jdbc.sqlite.Query",
        `url: jdbc:sqlite:${file}\nsql: select name as region, id as "2023", id * 10 as "2022" from t order by id\nfetchType: STORE`,
      ),
    );
    const { uri } = taskRun(stored, "q").outputs as { uri: string };
    expect((await storedText(test, uri)).split("\n")[0]).toBe(`{region:"one",'2023':1,'2022':10}`);
  });

  it("outputs an empty result for every fetchType, and batches of fetchSize rows", async () => {
    const empty = (fetchType: string) =>
      test.run(
        flow(
          `empty${fetchType.replace("_", "").toLowerCase()}`,
          "io.kestra.plugin.jdbc.sqlite.Query",
          `url: jdbc:sqlite:${file}\nsql: select id, d from t where id < 0\nfetchType: ${fetchType}`,
        ),
      );
    expect(taskRun(await empty("FETCH"), "q").outputs).toEqual({ rows: [], size: 0, fetchType: "FETCH" });
    expect(taskRun(await empty("FETCH_ONE"), "q").outputs).toEqual({ row: null, size: 0, fetchType: "FETCH_ONE" });
    const stored = taskRun(await empty("STORE"), "q").outputs as { uri: string; size: number };
    expect(stored).toEqual({ uri: expect.stringMatching(/\.ion$/), size: 0, fetchType: "STORE" });
    expect(await storedRows(test, stored.uri)).toEqual([]);
    const batched = await test.run(
      flow(
        "batched",
        "io.kestra.plugin.jdbc.sqlite.Query",
        `url: jdbc:sqlite:${file}\nsql: select id, d from t order by id\nfetchType: STORE\nfetchSize: 1`,
      ),
    );
    const { uri, size } = taskRun(batched, "q").outputs as { uri: string; size: number };
    expect(size).toBe(2);
    expect(await storedRows(test, uri)).toEqual([
      { id: 1, d: expect.stringMatching(/^2024-01-31/) },
      { id: 2, d: null },
    ]);
  });

  it("runs Queries on an in-memory database and rolls back on failure", async () => {
    const ok = await test.run(
      flow(
        "mem",
        "io.kestra.plugin.jdbc.sqlite.Queries",
        `url: "jdbc:sqlite::memory:"\nsql: "create table x (v int); insert into x values (1), (2); select sum(v) as s from x; select 'a;b' as t"\nfetchType: FETCH_ONE`,
      ),
    );
    expect(taskRun(ok, "q").outputs).toEqual({
      outputs: [
        { row: { s: 3 }, size: 1, fetchType: "FETCH_ONE" },
        { row: { t: "a;b" }, size: 1, fetchType: "FETCH_ONE" },
      ],
      size: 2,
    });
    const failed = await test.run(
      flow(
        "rollback",
        "io.kestra.plugin.jdbc.sqlite.Queries",
        `url: jdbc:sqlite:${file}\nsql: "insert into t (id, name) values (10, 'ten'); insert into nope values (1)"`,
      ),
    );
    expect(failed.state.current).toBe("FAILED");
    expect(errorLines(test, failed.id).join("\n")).toContain("SQLite: no such table: nope [SQLITE_ERROR]");
    const db = new Database(file, { readonly: true });
    expect(db.prepare("select count(*) as n from t where id = 10").get()).toEqual({ n: 0 });
    db.close();
  });

  it("opens sqliteFile from internal storage and outputs the database with outputDbFile", async () => {
    const source = `id: dbfile
namespace: company.jdbc
tasks:
  - id: create
    type: io.kestra.plugin.jdbc.sqlite.Queries
    url: "jdbc:sqlite:"
    sqliteFile: "{{ outputs.first.databaseUri }}"
    sql: "insert into t (id, name) values (3, 'three')"
    outputDbFile: true
`;
    const first = `  - id: first
    type: io.kestra.plugin.jdbc.sqlite.Query
    url: jdbc:sqlite:${file}
    sql: select 1
    outputDbFile: true
`;
    const read = `  - id: read
    type: io.kestra.plugin.jdbc.sqlite.Query
    url: "jdbc:sqlite:"
    sqliteFile: "{{ outputs.create.databaseUri }}"
    sql: select count(*) as n from t
    fetchType: FETCH_ONE
`;
    const [head, createTask] = source.split("tasks:\n");
    const execution = await test.run(`${head}tasks:\n${first}${createTask}${read}`);
    expect(execution.state.current).toBe("SUCCESS");
    expect(taskRun(execution, "create").outputs).toMatchObject({
      outputs: [],
      size: 0,
      databaseUri: expect.stringMatching(/database\.sqlite$/),
    });
    expect(taskRun(execution, "read").outputs).toMatchObject({ row: { n: 3 }, size: 1 });
    expect(
      await test.instance.storage.exists(
        toStoragePath((taskRun(execution, "create").outputs as { databaseUri: string }).databaseUri),
      ),
    ).toBe(true);
  });

  it("reading value/rows of a STORE result (or uri of a FETCH one) fails naming the right attribute", async () => {
    const use = (expression: string) =>
      `  - id: use\n    type: io.kestra.plugin.core.debug.Return\n    format: "${expression}"\n`;
    const stored = await test.run(
      flow(
        "store-value",
        "io.kestra.plugin.jdbc.sqlite.Query",
        `url: jdbc:sqlite:${file}\nsql: select * from t\nfetchType: STORE`,
        use("{{ outputs.q.value }}"),
      ),
    );
    expect(stored.state.current).toBe("FAILED");
    expect(errorLines(test, stored.id).join("\n")).toMatch(/Unable to find `value`.*fetchType: STORE.*`uri`/s);
    const storedRowsRead = await test.run(
      flow(
        "store-rows",
        "io.kestra.plugin.jdbc.sqlite.Query",
        `url: jdbc:sqlite:${file}\nsql: select * from t\nfetchType: STORE`,
        use("{{ outputs.q.rows }}"),
      ),
    );
    expect(errorLines(test, storedRowsRead.id).join("\n")).toMatch(/Unable to find `rows`.*`uri`/s);
    const fetched = await test.run(
      flow(
        "fetch-uri",
        "io.kestra.plugin.jdbc.sqlite.Query",
        `url: jdbc:sqlite:${file}\nsql: select * from t\nfetchType: FETCH`,
        use("{{ outputs.q.uri }}"),
      ),
    );
    expect(fetched.state.current).toBe("FAILED");
    expect(errorLines(test, fetched.id).join("\n")).toMatch(/Unable to find `uri`.*fetchType: FETCH.*`rows`/s);
    const right = await test.run(
      flow(
        "store-uri",
        "io.kestra.plugin.jdbc.sqlite.Query",
        `url: jdbc:sqlite:${file}\nsql: select * from t\nfetchType: STORE`,
        use("{{ outputs.q.size }} rows in {{ outputs.q.uri }}"),
      ),
    );
    expect(right.state.current).toBe("SUCCESS");
  });
});
