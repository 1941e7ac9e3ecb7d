import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestInstance } from "@saker/engine/testing";
import {
  batchFlows,
  failedRun,
  jdbcInstance,
  pgClockMark,
  pgConnectionsLeftSince,
  pgUrlNamed,
  serviceAvailable,
  taskRun,
} from "../../test/support.ts";

const up = await serviceAvailable("PostgreSQL", "127.0.0.1", 5432);
const APP = "saker-test-pg-batch";
const URL = pgUrlNamed(APP);
const BATCH = "io.kestra.plugin.jdbc.postgresql.Batch";

let test: TestInstance;
let admin: pg.Client;

const { batchFlow, store, write } = batchFlows(BATCH, "io.kestra.plugin.jdbc.postgresql.Query", URL);

async function rowsOf(sql: string): Promise<unknown[]> {
  return (await admin.query(sql)).rows;
}

const failed = (id: string, source: string, props: string) => failedRun(test, batchFlow(id, source, props));

const TYPES = `id int primary key, big bigint, huge numeric(30,2), price numeric(10,2), ratio double precision, r real, flag boolean,
  name text, v varchar(20), d date, ts timestamp(6), tstz timestamptz, t time, tz timetz, u uuid, j jsonb, js json, tags text[],
  nums int[], b bytea, iv interval`;

describe.skipIf(!up)("postgresql.Batch", () => {
  beforeAll(async () => {
    admin = new pg.Client({ host: "127.0.0.1", port: 5432, user: "postgres", database: "test" });
    await admin.connect();
    await admin.query(`drop table if exists batch_src, batch_dst, batch_named, batch_pk, batch_big;
      create table batch_src (${TYPES}); create table batch_dst (${TYPES});
      create table batch_named (id int primary key, "Name" text, note text default 'dflt', total numeric generated always as (id * 2) stored);
      create table batch_pk (id int primary key, name text);
      create table batch_big (id int primary key, name text, amount numeric(12,2), at timestamptz, flag boolean)`);
    await admin.query(`insert into batch_src values
      (1, 9007199254740993, 1234567890123456789012345678.12, 12.50, 0.1, 1.5, true, 'it''s "one"', 'vé', '2024-01-31',
       '2024-01-31 10:11:12.345678', '2024-01-31 10:11:12.345678+00', '10:15:30.5', '10:15:30+02', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
       '{"a": 1, "b": [true, null, 2.5], "c": 0.5}', '[1, "x"]', '{x,"y,z",NULL}', '{1,2,NULL}', '\\x00ff10', '1 day 2 hours 3.5 seconds'),
      (2, -42, null, 0.10, -1e300, 3, false, '', null, '0001-01-01', '1999-12-31 23:59:59', '1999-12-31 23:59:59+02', '00:00:00', '23:59:59-05',
       null, '[1,2]', null, '{}', null, '\\x', '-1 mons'),
      (3, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null)`);
    test = await jdbcInstance();
  });
  afterAll(async () => {
    await test?.close();
    await admin?.end();
  });

  it("round-trips every column type through a stored file", async () => {
    const mark = await pgClockMark(admin);
    const placeholders = Array.from({ length: 21 }, () => "?").join(", ");
    const execution = await test.run(
      batchFlow(
        "types",
        store("select * from batch_src order by id", "    timeZoneId: Asia/Tokyo\n"),
        `from: "{{ outputs.source.uri }}"\nsql: insert into batch_dst values (${placeholders});\ntimeZoneId: America/New_York`,
      ),
    );
    expect(execution.state.current).toBe("SUCCESS");
    expect(taskRun(execution, "batch").outputs).toEqual({ rowCount: 3, updatedCount: 3 });
    const select = (table: string) =>
      rowsOf(`select id, big::text, huge::text, price::text, ratio::text, r::text, flag, name, v, d::text, ts::text, tstz,
        t::text, tz::text, u::text, j::text, js::jsonb::text, tags::text, nums::text, encode(b, 'hex') as b, iv::text from ${table} order by id`);
    const written = await select("batch_dst");
    expect(written).toEqual(await select("batch_src"));
    expect(written[0]).toMatchObject({ big: "9007199254740993", huge: "1234567890123456789012345678.12", b: "00ff10" });
    expect(await pgConnectionsLeftSince(admin, APP, mark)).toBe(0);
  });

  it("reads a date-time without a zone in timeZoneId where the column keeps an instant", async () => {
    await admin.query("delete from batch_big");
    const execution = await test.run(
      batchFlow(
        "zones",
        write([
          '{id:1,at:LocalDateTime::"2024-07-01T12:00:00"}',
          "{id:2,at:2024-07-01T12:00:00Z}",
          '{id:3,at:ZonedDateTime::"2024-07-01T14:00:00+02:00[Europe/Paris]"}',
        ]),
        `from: "{{ outputs.source.uri }}"\nsql: insert into batch_big (id, at) values (?, ?)\ntimeZoneId: Europe/Paris`,
      ),
    );
    expect(execution.state.current).toBe("SUCCESS");
    const rows = (await rowsOf("select id, at from batch_big order by id")) as { at: Date }[];
    expect(rows.map((r) => r.at.toISOString())).toEqual([
      "2024-07-01T10:00:00.000Z",
      "2024-07-01T12:00:00.000Z",
      "2024-07-01T12:00:00.000Z",
    ]);
  });

  it("generates the INSERT from table, binding fields by name, for every column or for columns", async () => {
    await admin.query("delete from batch_named");
    // fields in another order than the table's, one the table lacks, one in another case
    const lines = ['{other:true,name:"a",id:1,note:"n1"}', '{id:2,Name:"b"}'];
    const all = await test.run(
      batchFlow("table", write(lines), `from: "{{ outputs.source.uri }}"\ntable: batch_named`),
    );
    expect(all.state.current).toBe("SUCCESS");
    expect(taskRun(all, "batch").outputs).toEqual({ rowCount: 2, updatedCount: 2 });
    const some = await test.run(
      batchFlow(
        "columns",
        write(['{id:3,name:"c",note:"ignored"}', '{id:4,note:"x"}']),
        `from: "{{ outputs.source.uri }}"\ntable: public.batch_named\ncolumns: [id, name]`,
      ),
    );
    expect(some.state.current).toBe("SUCCESS");
    const withSql = await test.run(
      batchFlow(
        "sqlcolumns",
        write(['{note:"z",id:5,name:"e"}']),
        `from: "{{ outputs.source.uri }}"\nsql: insert into batch_named (note, id) values (?, ?)\ncolumns: [note, id]\ntable: ignored_when_sql`,
      ),
    );
    expect(withSql.state.current).toBe("SUCCESS");
    expect(await rowsOf(`select id, "Name", note, total::int from batch_named order by id`)).toEqual([
      { id: 1, Name: "a", note: "n1", total: 2 },
      { id: 2, Name: "b", note: null, total: 4 },
      { id: 3, Name: "c", note: "dflt", total: 6 },
      { id: 4, Name: null, note: "dflt", total: 8 },
      { id: 5, Name: null, note: "z", total: 10 },
    ]);
  });

  it("sends rows in chunks, the last one partial, also one row per statement, and takes an empty file", async () => {
    await admin.query("delete from batch_pk");
    const lines = Array.from({ length: 2501 }, (_, i) => `{id:${i + 1},name:"n${i + 1}"}`);
    const chunked = await test.run(
      batchFlow("chunks", write(lines), `from: "{{ outputs.source.uri }}"\nsql: insert into batch_pk values (?, ?)`),
    );
    expect(taskRun(chunked, "batch").outputs).toEqual({ rowCount: 2501, updatedCount: 2501 });
    // an upsert runs one row per statement, in one transaction per chunk
    const upsert = await test.run(
      batchFlow(
        "upsert",
        write(Array.from({ length: 20 }, (_, i) => `[${i * 200 + 1}, "u${i}"]`)),
        `from: "{{ outputs.source.uri }}"\nchunk: 7\nsql: insert into batch_pk values (?, ?) on conflict (id) do update set name = excluded.name`,
      ),
    );
    expect(taskRun(upsert, "batch").outputs).toEqual({ rowCount: 20, updatedCount: 20 });
    expect(
      await rowsOf("select count(*)::int as n, count(*) filter (where name like 'u%')::int as u from batch_pk"),
    ).toEqual([{ n: 2508, u: 20 }]);
    const empty = await test.run(
      batchFlow("empty", write([]), `from: "{{ outputs.source.uri }}"\nsql: insert into batch_pk values (?, ?)`),
    );
    expect(empty.state.current).toBe("SUCCESS");
    expect(taskRun(empty, "batch").outputs).toEqual({ rowCount: 0, updatedCount: 0 });
  });

  it("inserts 100,000 rows", async () => {
    await admin.query("delete from batch_big");
    const sql =
      "select g as id, 'name ' || g as name, (g * 1.25)::numeric(12,2) as amount, timestamptz '2024-01-01' + g * interval '1 minute' as at, g % 2 = 0 as flag from generate_series(1, 100000) g";
    const execution = await test.run(
      batchFlow("big", store(sql), `from: "{{ outputs.source.uri }}"\ntable: batch_big\nchunk: 5000`),
    );
    expect(execution.state.current).toBe("SUCCESS");
    expect(taskRun(execution, "batch").outputs).toEqual({ rowCount: 100_000, updatedCount: 100_000 });
    expect(await rowsOf("select count(*)::int as n, sum(amount)::text as total from batch_big")).toEqual([
      { n: 100_000, total: "6250062500.00" },
    ]);
  });

  it("keeps the chunks committed before a failing row and loses the chunk it is in", async () => {
    await admin.query("delete from batch_pk");
    const lines = Array.from({ length: 25 }, (_, i) => `{id:${i === 14 ? 3 : i + 1},name:"n${i + 1}"}`);
    const text = await failed(
      "constraint",
      write(lines),
      `from: "{{ outputs.source.uri }}"\nchunk: 10\nsql: insert into batch_pk values (?, ?)`,
    );
    expect(text).toContain('PostgreSQL: duplicate key value violates unique constraint "batch_pk_pkey"');
    expect(text).toContain("[23505]");
    expect(await rowsOf("select min(id) as lo, max(id) as hi, count(*)::int as n from batch_pk")).toEqual([
      { lo: 1, hi: 10, n: 10 },
    ]);
  });

  it("stops the statement on the server when the task times out", async () => {
    const mark = await pgClockMark(admin);
    const started = Date.now();
    const text = await failed(
      "timeout",
      write(['{id:1,name:"a"}']),
      `from: "{{ outputs.source.uri }}"\nsql: insert into batch_pk select ?::int, pg_sleep(20)::text || ?\ntimeout: PT1S`,
    );
    expect(text).toContain("Timeout after PT1S");
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await pgConnectionsLeftSince(admin, APP, mark)).toBe(0);
  });

  it("fails clearly on bad input, naming the property, never showing the password", async () => {
    const mark = await pgClockMark(admin);
    const row = write(['{id:1,name:"a",extra:true}']);
    const from = `from: "{{ outputs.source.uri }}"`;
    expect(await failed("missing", row, `from: "{{ outputs.source.uri }}.nope"\ntable: batch_pk`)).toContain(
      "property 'from': Unable to find file at uri",
    );
    expect(await failed("notkestra", row, `from: /etc/passwd\ntable: batch_pk`)).toContain(
      "property 'from' must be a kestra:// URI of a stored file, got '/etc/passwd'",
    );
    expect(await failed("toomany", row, `${from}\nsql: insert into batch_pk values (?, ?)`)).toContain(
      "property 'from': row 1 has 3 values but the statement has 2 placeholder(s): name the fields to insert in 'columns'",
    );
    expect(await failed("columns", row, `${from}\nsql: insert into batch_pk values (?, ?)\ncolumns: [id]`)).toContain(
      "'columns' names 1 column(s) but 'sql' has 2 placeholder(s) (?)",
    );
    expect(await failed("notable", row, `${from}\ntable: batch_nope`)).toContain(
      "property 'table': table 'batch_nope' does not exist, or has no column this user can see",
    );
    expect(await failed("nosqltable", row, `${from}\nsql: insert into batch_nope values (?, ?, ?)`)).toContain(
      'PostgreSQL: relation "batch_nope" does not exist',
    );
    expect(await failed("neither", row, from)).toContain(
      "Batch needs 'sql' (an INSERT with one ? per value) or 'table'",
    );
    expect(await failed("badtable", row, `${from}\ntable: "x; drop table batch_pk"`)).toContain(
      "property 'table': 'x; drop table batch_pk' is not a table name",
    );
    expect(await failed("notion", write(["id,name", "1,a"]), `${from}\ntable: batch_pk`)).toContain(
      "is not an Ion file of rows: invalid Ion at line 1",
    );
    expect(await failed("scalar", write(["1"]), `${from}\ntable: batch_pk`)).toContain(
      "property 'from': row 1 is a single value, not a struct or a list",
    );
    expect(
      await failed("local", row, `${from}\ntable: batch_pk\ninputHandling: LOCAL\nlocalBufferMaxBytes: 10`),
    ).toContain("more than localBufferMaxBytes (10) allows with inputHandling LOCAL");
    expect(
      await failed(
        "role",
        row,
        `${from}\nurl: jdbc:postgresql://127.0.0.1:5432/test?ApplicationName=${APP}\nusername: nobody_here\npassword: hunter2\ntable: batch_pk`,
      ),
    ).toContain('PostgreSQL: role "nobody_here" does not exist [28000]');
    expect(await pgConnectionsLeftSince(admin, APP, mark)).toBe(0);
  });
});
