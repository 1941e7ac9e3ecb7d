import mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JavaNumber, type TestInstance } from "@saker/engine/testing";
import {
  MARIADB_URL,
  errorLines,
  flow,
  jdbcInstance,
  mysqlThreadMark,
  mysqlThreadsLeftSince,
  serviceAvailable,
  storedRows,
  storedText,
  taskRun,
} from "../../test/support.ts";

const up = await serviceAvailable("MariaDB", "127.0.0.1", 3306);

let test: TestInstance;
let admin: mysql.Connection;

describe.skipIf(!up)("mariadb and mysql", () => {
  beforeAll(async () => {
    admin = await mysql.createConnection({ host: "127.0.0.1", port: 3306, user: "root", multipleStatements: true });
    // The admin session writes TIMESTAMP values in UTC, so that their instants are known exactly.
    await admin.query(`set time_zone = '+00:00'; create database if not exists test; use test; drop table if exists jdbc_types;
      create table jdbc_types (id int primary key, big bigint, price decimal(10,2), ratio double, flag tinyint(1), name varchar(50),
        d date, dt datetime(3), ts timestamp null, t time, b varbinary(10), txt text);
      insert into jdbc_types values (1, 9007199254740993, 12.50, 1.5, 1, 'one', '2024-01-31', '2024-01-31 10:11:12.345', '2024-01-31 10:11:12', '10:15:30', x'010203', 'long text'),
        (2, 42, 0.10, 1, 0, 'it''s', '1999-12-31', '1999-12-31 23:59:59', null, '00:00:00', null, null);`);
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
        "io.kestra.plugin.jdbc.mariadb.Query",
        `url: ${MARIADB_URL}\nsql: select * from jdbc_types order by id\nfetchType: FETCH\ntimeZoneId: Europe/Paris`,
      ),
    );
    expect(execution.state.current).toBe("SUCCESS");
    const { rows, size } = taskRun(execution, "q").outputs as { rows: Record<string, unknown>[]; size: number };
    expect(size).toBe(2);
    expect(rows[0]).toEqual({
      id: 1,
      big: "9007199254740993",
      price: 12.5,
      ratio: 1.5,
      flag: true,
      name: "one",
      d: "2024-01-31",
      dt: "2024-01-31T10:11:12.345",
      ts: "2024-01-31T11:11:12+01:00",
      t: "10:15:30",
      b: "AQID",
      txt: "long text",
    });
    expect(rows[1]).toEqual({
      id: 2,
      big: 42,
      price: 0.1,
      ratio: 1,
      flag: false,
      name: "it's",
      d: "1999-12-31",
      dt: "1999-12-31T23:59:59",
      ts: null,
      t: "00:00:00",
      b: null,
      txt: null,
    });
  });

  it("accepts jdbc:mysql:// on the mysql types", async () => {
    const execution = await test.run(
      flow(
        "mysqlurl",
        "io.kestra.plugin.jdbc.mysql.Query",
        `url: ${MARIADB_URL.replace("mariadb", "mysql")}\nsql: select count(*) as n from jdbc_types\nfetchType: FETCH_ONE`,
      ),
    );
    expect(taskRun(execution, "q").outputs).toEqual({ row: { n: 2 }, size: 1, fetchType: "FETCH_ONE" });
  });

  it("stores the query's column order when columns are named like numbers (2023)", async () => {
    const execution = await test.run(
      flow(
        "storeyears",
        "io.kestra.plugin.jdbc.mariadb.Query",
        `url: ${MARIADB_URL}\nsql: select name as region, id as \`2023\`, id * 10 as \`2022\` from jdbc_types order by id\nfetchType: STORE`,
      ),
    );
    const { uri } = taskRun(execution, "q").outputs as { uri: string };
    expect((await storedText(test, uri)).split("\n")[0]).toBe(`{region:"one",'2023':1,'2022':10}`);
  });

  it("binds parameters through a prepared statement", async () => {
    const props = `url: ${MARIADB_URL}\nsql: "select id, name from jdbc_types where name = :name or id = :id"\nparameters:\n  name: "x' or '1'='1"\n  id: 2\nfetchType: FETCH`;
    const execution = await test.run(flow("params", "io.kestra.plugin.jdbc.mariadb.Query", props));
    expect(taskRun(execution, "q").outputs).toEqual({ rows: [{ id: 2, name: "it's" }], size: 1, fetchType: "FETCH" });
  });

  it("stores rows and runs Queries in a transaction, closing connections", async () => {
    const mark = await mysqlThreadMark(admin);
    const store = await test.run(
      flow(
        "store",
        "io.kestra.plugin.jdbc.mariadb.Query",
        `url: ${MARIADB_URL}\nsql: select id, price, d, ts from jdbc_types order by id\nfetchType: STORE\nfetchSize: 1\ntimeZoneId: UTC`,
      ),
    );
    const { uri, size } = taskRun(store, "q").outputs as { uri: string; size: number };
    expect(size).toBe(2);
    expect(await storedText(test, uri)).toBe(
      '{id:1,price:12.50,d:2024-01-31,ts:ZonedDateTime::"2024-01-31T10:11:12Z[UTC]"}\n{id:2,price:0.10,d:1999-12-31,ts:null}\n',
    );
    expect(await storedRows(test, uri)).toEqual([
      { id: 1, price: new JavaNumber(12.5, "BigDecimal"), d: "2024-01-31", ts: "2024-01-31T10:11:12Z[UTC]" },
      { id: 2, price: new JavaNumber(0.1, "BigDecimal"), d: "1999-12-31", ts: null },
    ]);
    // DDL commits implicitly in MySQL: the table exists before the transaction.
    await admin.query("create table if not exists test.jdbc_q (v int)");
    await admin.query("delete from test.jdbc_q");
    const script =
      "delete from jdbc_q; insert into jdbc_q values (1), (2); select * from jdbc_q order by v; select 'a;b' as s; insert into jdbc_q values ('oops')";
    const failed = await test.run(
      flow(
        "queries",
        "io.kestra.plugin.jdbc.mariadb.Queries",
        `url: ${MARIADB_URL}\nsql: "${script}"\nfetchType: FETCH`,
      ),
    );
    expect(failed.state.current).toBe("FAILED");
    const [rows] = await admin.query("select count(*) as n from test.jdbc_q");
    expect((rows as { n: number }[])[0]!.n).toBe(0);
    const ok = await test.run(
      flow(
        "queries2",
        "io.kestra.plugin.jdbc.mariadb.Queries",
        `url: ${MARIADB_URL}\nsql: "${script.replace("; insert into jdbc_q values ('oops')", "")}"\nfetchType: FETCH`,
      ),
    );
    expect(taskRun(ok, "q").outputs).toEqual({
      outputs: [
        { rows: [{ v: 1 }, { v: 2 }], size: 2, fetchType: "FETCH" },
        { rows: [{ s: "a;b" }], size: 1, fetchType: "FETCH" },
      ],
      size: 3,
    });
    expect(await mysqlThreadsLeftSince(admin, mark)).toBe(0);
  });

  it("kills the statement on the server when the task times out", async () => {
    const mark = await mysqlThreadMark(admin);
    const execution = await test.run(
      flow(
        "timeout",
        "io.kestra.plugin.jdbc.mariadb.Query",
        `url: ${MARIADB_URL}\nsql: select sleep(20)\ntimeout: PT1S`,
      ),
    );
    expect(execution.state.current).toBe("FAILED");
    expect(errorLines(test, execution.id).join("\n")).toContain("Timeout after PT1S");
    expect(await mysqlThreadsLeftSince(admin, mark)).toBe(0);
  });

  it("fails with the server's message on a wrong password, an unknown database and bad SQL", async () => {
    const cases: [string, string][] = [
      [
        `url: jdbc:mariadb://127.0.0.1:3306/test\nusername: root\npassword: s3cr3t-pw\nsql: select 1`,
        "Access denied for user 'root'@",
      ],
      [`url: jdbc:mariadb://127.0.0.1:3306/nope_db?user=root\nsql: select 1`, "Unknown database 'nope_db'"],
      [`url: ${MARIADB_URL}\nsql: selec 1`, "You have an error in your SQL syntax"],
    ];
    for (const [props, message] of cases) {
      const execution = await test.run(flow("errors", "io.kestra.plugin.jdbc.mariadb.Query", props));
      expect(execution.state.current).toBe("FAILED");
      const lines = errorLines(test, execution.id);
      expect(lines.join("\n")).toContain(message);
      expect(lines.join("\n")).not.toContain("s3cr3t-pw");
      expect(lines.join("\n")).not.toMatch(/\n\s+at /);
    }
  });
  it("loads inputFile with LOAD DATA LOCAL INFILE '{{ inputFile }}' (MySQL and MariaDB)", async () => {
    await admin.query("create table if not exists test.jdbc_load (id int, name varchar(20))");
    await admin.query("delete from test.jdbc_load");
    const load = (id: string, type: string, url: string) => `id: ${id}
namespace: company.jdbc
tasks:
  - id: write
    type: io.kestra.plugin.core.storage.Write
    extension: .csv
    content: |
      id,name
      1,"one"
      2,"two, too"
  - id: q
    type: ${type}
    url: ${url}
    inputFile: "{{ outputs.write.uri }}"
    sql: |
      LOAD DATA LOCAL INFILE '{{ inputFile }}'
      INTO TABLE jdbc_load
      FIELDS TERMINATED BY ',' ENCLOSED BY '"'
      LINES TERMINATED BY '\\n'
      IGNORE 1 ROWS
`;
    const mariadb = await test.run(load("loadmariadb", "io.kestra.plugin.jdbc.mariadb.Query", MARIADB_URL));
    expect(mariadb.state.current).toBe("SUCCESS");
    const mysqlUrl = `${MARIADB_URL.replace("mariadb", "mysql")}&allowLoadLocalInfile=true`;
    const viaMysql = await test.run(load("loadmysql", "io.kestra.plugin.jdbc.mysql.Queries", mysqlUrl));
    expect(viaMysql.state.current).toBe("SUCCESS");
    const [rows] = await admin.query("select id, name from test.jdbc_load order by id, name");
    expect(rows).toEqual([
      { id: 1, name: "one" },
      { id: 1, name: "one" },
      { id: 2, name: "two, too" },
      { id: 2, name: "two, too" },
    ]);
  });

  it("sends no other local file, and refuses an inputFile that is not a stored file", async () => {
    const cases: [string, string][] = [
      // without inputFile the server's request for a local file is refused
      [
        `url: ${MARIADB_URL}\nsql: "LOAD DATA LOCAL INFILE '/etc/passwd' INTO TABLE jdbc_load"`,
        "the server asked for the local file '/etc/passwd', but the task has no inputFile",
      ],
      [
        `url: ${MARIADB_URL}\ninputFile: "{{ outputs.write.uri }}"\nsql: "LOAD DATA LOCAL INFILE '/etc/hostname' INTO TABLE jdbc_load"`,
        "the server asked for the local file '/etc/hostname'; only inputFile",
      ],
      [
        `url: ${MARIADB_URL}\ninputFile: /etc/passwd\nsql: "LOAD DATA LOCAL INFILE '{{ inputFile }}' INTO TABLE jdbc_load"`,
        "inputFile must be a kestra:// URI of a stored file, got '/etc/passwd'",
      ],
      [
        `url: ${MARIADB_URL}\ninputFile: "kestra:///other/ns/_files/../../x.csv"\nsql: "LOAD DATA LOCAL INFILE '{{ inputFile }}' INTO TABLE jdbc_load"`,
        "leaves its folder ('..' is not allowed)",
      ],
      [
        `url: ${MARIADB_URL}\ninputFile: "kestra:///other/flow/executions/x1/secret.csv"\nsql: "LOAD DATA LOCAL INFILE '{{ inputFile }}' INTO TABLE jdbc_load"`,
        "Unable to read 'kestra:///other/flow/executions/x1/secret.csv': only files of this execution",
      ],
    ];
    await admin.query("delete from test.jdbc_load");
    const write = '  - id: write\n    type: io.kestra.plugin.core.storage.Write\n    content: "9,nine"\n';
    for (const [props, message] of cases) {
      const source = flow("loadbad", "io.kestra.plugin.jdbc.mariadb.Query", props).replace(
        "tasks:\n",
        `tasks:\n${write}`,
      );
      const execution = await test.run(source);
      expect(execution.state.current).toBe("FAILED");
      expect(errorLines(test, execution.id).join("\n")).toContain(message);
    }
    const [rows] = await admin.query("select count(*) as n from test.jdbc_load");
    expect((rows as { n: number }[])[0]!.n).toBe(0);
  });
});
