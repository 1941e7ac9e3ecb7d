import mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestInstance } from "@saker/engine/testing";
import {
  MARIADB_URL,
  batchFlows,
  failedRun,
  jdbcInstance,
  mysqlThreadMark,
  mysqlThreadsLeftSince,
  serviceAvailable,
  taskRun,
} from "../../test/support.ts";

const up = await serviceAvailable("MariaDB", "127.0.0.1", 3306);
const BATCH = "io.kestra.plugin.jdbc.mysql.Batch";

let test: TestInstance;
let admin: mysql.Connection;

const { batchFlow, store, write } = batchFlows(BATCH, "io.kestra.plugin.jdbc.mariadb.Query", MARIADB_URL);

async function rowsOf(sql: string): Promise<unknown[]> {
  return (await admin.query(sql))[0] as unknown[];
}

const failed = (id: string, source: string, props: string) => failedRun(test, batchFlow(id, source, props));

const TYPES = `id int primary key, big bigint, huge decimal(30,2), price decimal(10,2), ratio double, flag tinyint(1),
  name varchar(50), txt text, d date, dt datetime(6), ts timestamp(6) null, t time(3), b varbinary(10), bl blob, j json, y year`;

describe.skipIf(!up)("mysql.Batch (on MariaDB)", () => {
  beforeAll(async () => {
    admin = await mysql.createConnection({ host: "127.0.0.1", port: 3306, user: "root", multipleStatements: true });
    await admin.query(`set time_zone = '+00:00'; create database if not exists test; use test;
      drop table if exists batch_src, batch_dst, batch_named, batch_pk, batch_big;
      create table batch_src (${TYPES}); create table batch_dst (${TYPES});
      create table batch_named (id int primary key, Name varchar(20), note varchar(20) default 'dflt', total int as (id * 2) persistent);
      create table batch_pk (id int primary key, name varchar(20));
      create table batch_big (id int primary key, name varchar(40), amount decimal(12,2), at timestamp(3) null, flag tinyint(1));
      insert into batch_src values
      (1, 9007199254740993, 1234567890123456789012345678.12, 12.50, 0.1, 1, 'it''s "one" \\\\ é', repeat('x', 3000), '2024-01-31',
       '2024-01-31 10:11:12.345678', '2024-01-31 10:11:12.345678', '10:15:30.5', x'00ff10', x'0102', '{"a": [1, 2.5, null]}', 2024),
      (2, -42, null, 0.10, -1e300, 0, '', '', '1000-01-01', '1999-12-31 23:59:59', '1999-12-31 23:59:59', '-12:00:00', x'', x'', '[]', 1999),
      (3, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null)`);
    test = await jdbcInstance();
  });
  afterAll(async () => {
    await test?.close();
    await admin?.end();
  });

  it("round-trips every column type through a stored file", async () => {
    const mark = await mysqlThreadMark(admin);
    const placeholders = Array.from({ length: 16 }, () => "?").join(", ");
    const execution = await test.run(
      batchFlow(
        "types",
        store("select * from batch_src order by id", "    timeZoneId: Asia/Tokyo\n"),
        `from: "{{ outputs.source.uri }}"\nsql: insert into batch_dst values (${placeholders})`,
      ),
    );
    expect(execution.state.current).toBe("SUCCESS");
    expect(taskRun(execution, "batch").outputs).toEqual({ rowCount: 3, updatedCount: 3 });
    const select = (table: string) =>
      rowsOf(`select id, cast(big as char) big, cast(huge as char) huge, cast(price as char) price, cast(ratio as char) ratio, flag,
        name, txt, cast(d as char) d, cast(dt as char) dt, cast(ts as char) ts, cast(t as char) t, hex(b) b, hex(bl) bl, j, y
        from ${table} order by id`);
    const written = await select("batch_dst");
    expect(written).toEqual(await select("batch_src"));
    expect(written[0]).toMatchObject({ big: "9007199254740993", ts: "2024-01-31 10:11:12.345678", b: "00FF10" });
    expect(await mysqlThreadsLeftSince(admin, mark)).toBe(0);
  });

  it("generates the INSERT from table, binding fields by name, and takes a jdbc:mysql: URL", async () => {
    await admin.query("delete from test.batch_named");
    const all = await test.run(
      batchFlow(
        "table",
        write(['{other:true,name:"a",id:1,note:"n1"}', '{id:2,NAME:"b"}']),
        `from: "{{ outputs.source.uri }}"\ntable: batch_named`,
      ),
    );
    expect(taskRun(all, "batch").outputs).toEqual({ rowCount: 2, updatedCount: 2 });
    const some = await test.run(
      batchFlow(
        "columns",
        write(['{id:3,name:"c",note:"ignored"}', '{id:4,note:"x"}']),
        `url: ${MARIADB_URL.replace("mariadb", "mysql")}\nfrom: "{{ outputs.source.uri }}"\ntable: test.batch_named\ncolumns: [id, name]`,
      ),
    );
    expect(some.state.current).toBe("SUCCESS");
    expect(await rowsOf("select id, Name, note, total from test.batch_named order by id")).toEqual([
      { id: 1, Name: "a", note: "n1", total: 2 },
      { id: 2, Name: "b", note: null, total: 4 },
      { id: 3, Name: "c", note: "dflt", total: 6 },
      { id: 4, Name: null, note: "dflt", total: 8 },
    ]);
  });

  it("sends rows in chunks, the last one partial, also one row per statement, and takes an empty file", async () => {
    await admin.query("delete from test.batch_pk");
    const lines = Array.from({ length: 2501 }, (_, i) => `{id:${i + 1},name:"n${i + 1}"}`);
    const chunked = await test.run(
      batchFlow("chunks", write(lines), `from: "{{ outputs.source.uri }}"\nsql: insert into batch_pk values (?, ?)`),
    );
    expect(taskRun(chunked, "batch").outputs).toEqual({ rowCount: 2501, updatedCount: 2501 });
    const update = await test.run(
      batchFlow(
        "update",
        write(Array.from({ length: 20 }, (_, i) => `["u${i}", ${i * 100 + 1}]`)),
        `from: "{{ outputs.source.uri }}"\nchunk: 7\nsql: update batch_pk set name = ? where id = ?`,
      ),
    );
    expect(taskRun(update, "batch").outputs).toEqual({ rowCount: 20, updatedCount: 20 });
    expect(await rowsOf("select count(*) n, sum(name like 'u%') u from test.batch_pk")).toEqual([{ n: 2501, u: "20" }]);
    const empty = await test.run(
      batchFlow("empty", write([]), `from: "{{ outputs.source.uri }}"\nsql: insert into batch_pk values (?, ?)`),
    );
    expect(taskRun(empty, "batch").outputs).toEqual({ rowCount: 0, updatedCount: 0 });
  });

  it("inserts 100,000 rows", async () => {
    await admin.query("delete from test.batch_big");
    const sql =
      "select seq as id, concat('name ', seq) as name, seq * 1.25 as amount, timestamp '2024-01-01 00:00:00' + interval seq minute as at, seq % 2 = 0 as flag from seq_1_to_100000";
    const execution = await test.run(
      batchFlow(
        "big",
        store(sql, "    timeZoneId: UTC\n"),
        `from: "{{ outputs.source.uri }}"\ntable: batch_big\nchunk: 5000`,
      ),
    );
    expect(execution.state.current).toBe("SUCCESS");
    expect(taskRun(execution, "batch").outputs).toEqual({ rowCount: 100_000, updatedCount: 100_000 });
    expect(await rowsOf("select count(*) n, cast(sum(amount) as char) total from test.batch_big")).toEqual([
      { n: 100_000, total: "6250062500.00" },
    ]);
  });

  it("keeps the chunks committed before a failing row and loses the chunk it is in", async () => {
    await admin.query("delete from test.batch_pk");
    const lines = Array.from({ length: 25 }, (_, i) => `{id:${i === 14 ? 3 : i + 1},name:"n${i + 1}"}`);
    const text = await failed(
      "constraint",
      write(lines),
      `from: "{{ outputs.source.uri }}"\nchunk: 10\nsql: insert into batch_pk values (?, ?)`,
    );
    expect(text).toContain("MySQL: Duplicate entry '3' for key 'PRIMARY' [ER_DUP_ENTRY, SQLSTATE 23000]");
    expect(await rowsOf("select min(id) lo, max(id) hi, count(*) n from test.batch_pk")).toEqual([
      { lo: 1, hi: 10, n: 10 },
    ]);
  });

  it("fails clearly on bad input and a wrong password, never showing the password", async () => {
    const mark = await mysqlThreadMark(admin);
    const row = write(['{id:1,name:"a",extra:true}']);
    const from = `from: "{{ outputs.source.uri }}"`;
    expect(
      await failed(
        "password",
        row,
        `url: jdbc:mariadb://127.0.0.1:3306/test\nusername: root\npassword: hunter2\n${from}\ntable: batch_pk`,
      ),
    ).toContain("MySQL: Access denied for user 'root'@");
    expect(await failed("missing", row, `from: "{{ outputs.source.uri }}.nope"\ntable: batch_pk`)).toContain(
      "property 'from': Unable to find file at uri",
    );
    expect(await failed("toomany", row, `${from}\nsql: insert into batch_pk values (?, ?)`)).toContain(
      "property 'from': row 1 has 3 values but the statement has 2 placeholder(s)",
    );
    expect(
      await failed("columns", row, `${from}\nsql: insert into batch_pk values (?, ?)\ncolumns: [id, name, extra]`),
    ).toContain("'columns' names 3 column(s) but 'sql' has 2 placeholder(s) (?)");
    expect(await failed("notable", row, `${from}\ntable: batch_nope`)).toContain(
      "property 'table': table 'batch_nope' does not exist, or has no column this user can see",
    );
    expect(await failed("nosqltable", row, `${from}\nsql: insert into batch_nope values (?, ?, ?)`)).toContain(
      "MySQL: Table 'test.batch_nope' doesn't exist",
    );
    expect(await failed("badurl", row, `url: jdbc:postgresql://127.0.0.1/test\n${from}\ntable: batch_pk`)).toContain(
      "property 'url' must start with 'jdbc:mysql:' or 'jdbc:mariadb:'",
    );
    expect(await mysqlThreadsLeftSince(admin, mark)).toBe(0);
  });
});
