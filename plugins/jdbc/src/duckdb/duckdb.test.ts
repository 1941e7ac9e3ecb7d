import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestInstance } from "@saker/engine/testing";
import { errorLines, flow, jdbcInstance, storedRows, storedText, taskRun } from "../../test/support.ts";

let dir: string;
let test: TestInstance;

describe("duckdb", () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "saker-duckdb-"));
    test = await jdbcInstance();
  });
  afterAll(async () => {
    await test?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("fetches DuckDB types in memory", async () => {
    const sql =
      "select 1::int as i, 9007199254740993::bigint as big, 12.50::decimal(10,2) as dec, 1.0::double as dbl, true as flag, 'x' as s, date '2024-01-31' as d, timestamp '2024-01-31 10:11:12.345' as ts, timestamptz '2024-01-31 10:11:12+00' as tstz, [1, 2] as l, {'a': 1} as st, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid as u, '\\x01'::blob as b";
    const execution = await test.run(
      flow(
        "types",
        "io.kestra.plugin.jdbc.duckdb.Query",
        `url: "jdbc:duckdb:"\nsql: "${sql}"\nfetchType: FETCH_ONE\ntimeZoneId: Europe/Paris`,
      ),
    );
    expect(execution.state.current).toBe("SUCCESS");
    expect(taskRun(execution, "q").outputs).toEqual({
      row: {
        i: 1,
        big: "9007199254740993",
        dec: 12.5,
        dbl: 1,
        flag: true,
        s: "x",
        d: "2024-01-31",
        ts: "2024-01-31T10:11:12.345",
        tstz: "2024-01-31T11:11:12+01:00",
        l: [1, 2],
        st: { a: 1 },
        u: "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
        b: "AQ==",
      },
      size: 1,
      fetchType: "FETCH_ONE",
    });
  });

  it("stores rows of a file database and binds parameters", async () => {
    const url = `jdbc:duckdb:${join(dir, "db.duckdb")}`;
    const setup = await test.run(
      flow(
        "setup",
        "io.kestra.plugin.jdbc.duckdb.Queries",
        `url: ${url}\nsql: "create table t as select range as id, 'n' || range as name from range(5000); select count(*) as n from t"\nfetchType: FETCH_ONE`,
      ),
    );
    expect(taskRun(setup, "q").outputs).toEqual({
      outputs: [{ row: { n: 5000 }, size: 1, fetchType: "FETCH_ONE" }],
      size: 1,
    });
    const stored = await test.run(
      flow(
        "store",
        "io.kestra.plugin.jdbc.duckdb.Query",
        `url: ${url}\nsql: select id, name from t where id >= :from order by id\nparameters:\n  from: 10\nfetchType: STORE\nfetchSize: 1000`,
      ),
    );
    const { uri, size } = taskRun(stored, "q").outputs as { uri: string; size: number };
    expect(size).toBe(4990);
    const rows = await storedRows(test, uri);
    expect(rows).toHaveLength(4990);
    expect(rows[0]).toEqual({ id: 10, name: "n10" });
  });

  it("stores the query's column order when columns are named like numbers (2023)", async () => {
    const stored = await test.run(
      flow(
        "storeyears",
        "io.kestra.plugin.jdbc.duckdb.Query",
        `url: "jdbc:duckdb:"\nsql: select 'north' as region, 1 as "2023", 10 as "2022"\nfetchType: STORE`,
      ),
    );
    const { uri } = taskRun(stored, "q").outputs as { uri: string };
    expect((await storedText(test, uri)).trim()).toBe(`{region:"north",'2023':1,'2022':10}`);
  });

  it("fails with DuckDB's message on bad SQL", async () => {
    const execution = await test.run(
      flow("bad", "io.kestra.plugin.jdbc.duckdb.Query", `url: "jdbc:duckdb:"\nsql: select * from nowhere`),
    );
    expect(execution.state.current).toBe("FAILED");
    expect(errorLines(test, execution.id).join("\n")).toMatch(
      /DuckDB: Catalog Error: Table with name nowhere does not exist/,
    );
  });
});
