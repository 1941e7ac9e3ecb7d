import * as ion from "ion-js";
import { describe, expect, it } from "vitest";
import { ionStruct } from "./ionText.ts";
import { parseServerUrl, redactUrl, stripScheme } from "./jdbcUrl.ts";
import { bindParameters } from "./parameters.ts";
import { splitStatements } from "./sqlText.ts";
import { zonedText } from "./temporal.ts";
import { SqlDecimal, SqlFloat, SqlTemporal, outputRow } from "./values.ts";

const pgStyle = { placeholder: "dollar", dollarQuotes: true } as const;
const myStyle = { placeholder: "question", backslashEscapes: true, backticks: true } as const;

describe("bindParameters", () => {
  it("numbers each name once for PostgreSQL and leaves casts, quotes and comments alone", () => {
    const sql = "select :a::int, ':a', \":a\", $$ :a $$ -- :a\n, /* :a */ :b, :a";
    expect(bindParameters(sql, { a: 1, b: "x" }, pgStyle)).toEqual({ sql: "select $1::int, ':a', \":a\", $$ :a $$ -- :a\n, /* :a */ $2, $1", values: [1, "x"] });
  });
  it("uses one ? per occurrence for MySQL, honouring backslash escapes", () => {
    expect(bindParameters("select :a, 'it\\'s :a', `:a`, :a", { a: 5 }, myStyle)).toEqual({ sql: "select ?, 'it\\'s :a', `:a`, ?", values: [5, 5] });
  });
  it("leaves SQL alone without parameters and names a missing one", () => {
    expect(bindParameters("select :a", undefined, pgStyle).sql).toBe("select :a");
    expect(() => bindParameters("select :a, :b", { a: 1 }, pgStyle)).toThrow("the SQL uses parameter ':b' but 'parameters' has no value for it (it has: a)");
  });
});

describe("splitStatements", () => {
  it("splits on ; outside quotes, comments and dollar quotes", () => {
    const script = "create table t (a text); insert into t values ('a;b'); -- c;\ndo $$ begin perform 1; end $$;\n;  ";
    expect(splitStatements(script, pgStyle)).toEqual(["create table t (a text)", "insert into t values ('a;b')", "-- c;\ndo $$ begin perform 1; end $$"]);
  });
});

describe("JDBC URLs", () => {
  it("reads host, port, database and properties", () => {
    const { rest } = stripScheme("jdbc:postgresql://db.local:6543/sales?user=bob&password=s%3Bcret&ssl=true", ["jdbc:postgresql:"]);
    expect(parseServerUrl(rest, "", 5432)).toEqual({ host: "db.local", port: 6543, database: "sales", properties: { user: "bob", password: "s;cret", ssl: "true" } });
  });
  it("rejects another scheme without showing the password", () => {
    expect(() => stripScheme("jdbc:mysql://h/db?password=hunter2", ["jdbc:postgresql:"])).toThrow("property 'url' must start with 'jdbc:postgresql:' (got 'jdbc:mysql://h/db?password=***')");
    expect(redactUrl("jdbc:mysql://u:hunter2@h/db")).toBe("jdbc:mysql://u:***@h/db");
  });
});

describe("cells", () => {
  it("outputs exact decimals and big integers as numbers only when safe", () => {
    expect(outputRow({ a: new SqlDecimal("12.50"), b: new SqlDecimal("12345678901234567890.1"), c: 2n ** 60n, d: new SqlFloat(1), e: Buffer.from([1, 2]) })).toEqual({
      a: 12.5,
      b: "12345678901234567890.1",
      c: "1152921504606846976",
      d: 1,
      e: "AQI=",
    });
  });
  it("writes Ion text that ion-js reads back", () => {
    const line = ionStruct({
      id: 1,
      "a b": "x\"y\n",
      null: null,
      dec: new SqlDecimal("100"),
      f: new SqlFloat(2),
      big: 2n ** 70n,
      d: new SqlTemporal("LocalDate", "2024-01-01"),
      ts: new SqlTemporal("LocalDateTime", "2024-01-01T10:00:00"),
      z: new SqlTemporal("ZonedDateTime", "2024-01-01T10:00:00+01:00", "Europe/Paris"),
      b: Buffer.from([255]),
      list: [1, [true], { k: null }],
    });
    expect(line).toBe(
      "{id:1,'a b':\"x\\\"y\\n\",'null':null,dec:100.,f:2e0,big:1180591620717411303424,d:2024-01-01,ts:LocalDateTime::\"2024-01-01T10:00:00\",z:ZonedDateTime::\"2024-01-01T10:00:00+01:00[Europe/Paris]\",b:{{/w==}},list:[1,[true],{k:null}]}",
    );
    const value = ion.load(line)!;
    expect(value.get("a b")?.stringValue()).toBe('x"y\n');
    expect(value.get("dec")?.decimalValue()?.toString()).toBe("100");
    expect(value.get("f")?.getType()).toBe(ion.IonTypes.FLOAT);
    expect(value.get("big")?.bigIntValue()).toBe(2n ** 70n);
    expect(value.get("d")?.getType()).toBe(ion.IonTypes.TIMESTAMP);
    expect(value.get("z")?.getAnnotations()).toEqual(["ZonedDateTime"]);
    expect([...(value.get("b")?.uInt8ArrayValue() ?? [])]).toEqual([255]);
  });
  it("shows instants in a zone with its offset", () => {
    expect(zonedText(Date.UTC(2024, 6, 1, 10), "5", "Europe/Paris")).toBe("2024-07-01T12:00:00.500+02:00");
    expect(zonedText(Date.UTC(2024, 0, 1, 10), "", "UTC")).toBe("2024-01-01T10:00:00Z");
  });
});
