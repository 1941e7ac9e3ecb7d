import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestInstance } from "@saker/engine/testing";
import {
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

const up = await serviceAvailable("PostgreSQL", "127.0.0.1", 5432);
const QUERY = "io.kestra.plugin.jdbc.postgresql.Query";
const APP = "saker-test-pg-query";
const APP_URL = pgUrlNamed(APP);

let test: TestInstance;
let admin: pg.Client;

describe.skipIf(!up)("postgresql.Query", () => {
  beforeAll(async () => {
    admin = new pg.Client({ host: "127.0.0.1", port: 5432, user: "postgres", database: "test" });
    await admin.connect();
    await admin.query(`drop table if exists jdbc_types; create table jdbc_types (
      id int primary key, big bigint, huge numeric(30,2), price numeric(10,2), ratio double precision, flag boolean,
      name text, d date, ts timestamp(3), tstz timestamptz, t time, u uuid, j jsonb, tags text[], nums int[], b bytea, iv interval)`);
    await admin.query(`insert into jdbc_types values
      (1, 9007199254740993, 1234567890123456789012345678.12, 12.50, 1.5, true, 'one', '2024-01-31', '2024-01-31 10:11:12.345', '2024-01-31 10:11:12.345678+00', '10:15:30',
       'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a": 1, "b": [true, null, 2.5]}', '{x,"y,z"}', '{1,2,NULL}', '\\x010203', '1 day 2 hours 3 minutes 4 seconds'),
      (2, 42, null, 0.10, 1, false, 'it''s', '1999-12-31', '1999-12-31 23:59:59', '1999-12-31 23:59:59+02', '00:00:00',
       null, '[1,2]', '{}', null, null, null)`);
    test = await jdbcInstance();
  });
  afterAll(async () => {
    await test?.close();
    await admin?.end();
  });

  it("fetches rows with Kestra's conversions", async () => {
    const execution = await test.run(
      flow(
        "types",
        QUERY,
        `url: ${APP_URL}\nsql: select * from jdbc_types order by id\nfetchType: FETCH\ntimeZoneId: Europe/Paris`,
      ),
    );
    expect(execution.state.current).toBe("SUCCESS");
    const outputs = taskRun(execution, "q").outputs as { rows: Record<string, unknown>[]; size: number };
    expect(outputs.size).toBe(2);
    expect(outputs.rows[0]).toEqual({
      id: 1,
      big: "9007199254740993",
      huge: "1234567890123456789012345678.12",
      price: 12.5,
      ratio: 1.5,
      flag: true,
      name: "one",
      d: "2024-01-31",
      ts: "2024-01-31T10:11:12.345",
      tstz: "2024-01-31T11:11:12.345678+01:00",
      t: "10:15:30",
      u: "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
      j: { a: 1, b: [true, null, 2.5] },
      tags: ["x", "y,z"],
      nums: [1, 2, null],
      b: "AQID",
      iv: "P1DT2H3M4S",
    });
    expect(outputs.rows[1]).toMatchObject({
      id: 2,
      big: 42,
      huge: null,
      price: 0.1,
      ratio: 1,
      name: "it's",
      tstz: "1999-12-31T22:59:59+01:00",
      j: [1, 2],
      tags: [],
    });
  });

  it("stores rows as Ion lines in internal storage", async () => {
    const execution = await test.run(
      flow(
        "store",
        QUERY,
        `url: ${APP_URL}\nsql: select id, price, ratio, d, ts, tstz, b from jdbc_types order by id\nfetchType: STORE\ntimeZoneId: UTC`,
      ),
    );
    expect(execution.state.current).toBe("SUCCESS");
    const outputs = taskRun(execution, "q").outputs as { uri: string; size: number };
    expect(outputs).toEqual({
      uri: expect.stringMatching(/^kestra:\/\/\/company\/jdbc\/store\/executions\/.+\.ion$/),
      size: 2,
      fetchType: "STORE",
    });
    const text = await storedText(test, outputs.uri);
    expect(text.split("\n")[0]).toBe(
      '{id:1,price:12.50,ratio:1.5e0,d:2024-01-31,ts:LocalDateTime::"2024-01-31T10:11:12.345",tstz:ZonedDateTime::"2024-01-31T10:11:12.345678Z[UTC]",b:{{AQID}}}',
    );
    const rows = await storedRows(test, outputs.uri);
    expect(rows).toHaveLength(2);
    expect(rows[1]).toMatchObject({ id: 2, ts: "1999-12-31T23:59:59", tstz: "1999-12-31T21:59:59Z[UTC]", b: null });
  });

  it("stores the query's column order when columns are named like numbers (2023)", async () => {
    const execution = await test.run(
      flow(
        "storeyears",
        QUERY,
        `url: ${APP_URL}\nsql: select name as region, id as "2023", id * 10 as "2022" from jdbc_types order by id\nfetchType: STORE`,
      ),
    );
    expect(execution.state.current).toBe("SUCCESS");
    const text = await storedText(test, (taskRun(execution, "q").outputs as { uri: string }).uri);
    expect(text.split("\n")[0]).toBe(`{region:"one",'2023':1,'2022':10}`);
  });

  it("binds parameters as values: an injection attempt stays a literal", async () => {
    const props = `url: ${APP_URL}\nsql: "select id, name, ':notaparam' as q, 1::int as c from jdbc_types where name = :name or id = :id"\nparameters:\n  name: "x' or '1'='1"\n  id: 2\nfetchType: FETCH`;
    const execution = await test.run(flow("params", QUERY, props));
    expect(execution.state.current).toBe("SUCCESS");
    expect(taskRun(execution, "q").outputs).toEqual({
      rows: [{ id: 2, name: "it's", q: ":notaparam", c: 1 }],
      size: 1,
      fetchType: "FETCH",
    });
  });

  it("closes its connection on success and on failure", async () => {
    const mark = await pgClockMark(admin);
    await test.run(flow("ok", QUERY, `url: ${APP_URL}\nsql: select 1 as x\nfetchType: FETCH_ONE`));
    await test.run(flow("bad", QUERY, `url: ${APP_URL}\nsql: selec 1`));
    expect(await pgConnectionsLeftSince(admin, APP, mark)).toBe(0);
  });
});
