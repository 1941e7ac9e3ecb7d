import * as ion from "ion-js";
import { describe, expect, it } from "vitest";
import { NonRetryableError, TaskError } from "@saker/sdk";
import { driverError, toTaskError } from "./errors.ts";
import { ionStruct } from "./ionText.ts";
import { booleanProperty, parseServerUrl, passwordOfUrl, redactUrl, stripScheme } from "./jdbcUrl.ts";
import { bindParameters } from "./parameters.ts";
import { effectiveFetchType } from "./properties.ts";
import { splitStatements } from "./sqlText.ts";
import { zonedText } from "./temporal.ts";
import { SqlDecimal, SqlFloat, SqlTemporal, outputRow } from "./values.ts";

const pgStyle = { placeholder: "dollar", dollarQuotes: true } as const;
const myStyle = { placeholder: "question", backslashEscapes: true, backticks: true } as const;

describe("bindParameters", () => {
  it("numbers each name once for PostgreSQL and leaves casts, quotes and comments alone", () => {
    const sql = "select :a::int, ':a', \":a\", $$ :a $$ -- :a\n, /* :a */ :b, :a";
    expect(bindParameters(sql, { a: 1, b: "x" }, pgStyle)).toEqual({
      sql: "select $1::int, ':a', \":a\", $$ :a $$ -- :a\n, /* :a */ $2, $1",
      values: [1, "x"],
    });
  });
  it("uses one ? per occurrence for MySQL, honouring backslash escapes", () => {
    expect(bindParameters("select :a, 'it\\'s :a', `:a`, :a", { a: 5 }, myStyle)).toEqual({
      sql: "select ?, 'it\\'s :a', `:a`, ?",
      values: [5, 5],
    });
  });
  it("leaves SQL alone without parameters and names a missing one", () => {
    expect(bindParameters("select :a", undefined, pgStyle).sql).toBe("select :a");
    expect(() => bindParameters("select :a, :b", { a: 1 }, pgStyle)).toThrow(
      "the SQL uses parameter ':b' but 'parameters' has no value for it (it has: a)",
    );
  });
});

describe("splitStatements", () => {
  it("splits on ; outside quotes, comments and dollar quotes", () => {
    const script = "create table t (a text); insert into t values ('a;b'); -- c;\ndo $$ begin perform 1; end $$;\n;  ";
    expect(splitStatements(script, pgStyle)).toEqual([
      "create table t (a text)",
      "insert into t values ('a;b')",
      "-- c;\ndo $$ begin perform 1; end $$",
    ]);
  });
});

describe("JDBC URLs", () => {
  it("reads host, port, database and properties", () => {
    const { rest } = stripScheme("jdbc:postgresql://db.local:6543/sales?user=bob&password=s%3Bcret&ssl=true", [
      "jdbc:postgresql:",
    ]);
    expect(parseServerUrl(rest, "", 5432)).toEqual({
      host: "db.local",
      port: 6543,
      database: "sales",
      properties: { user: "bob", password: "s;cret", ssl: "true" },
    });
  });
  it("rejects another scheme without showing the password", () => {
    expect(() => stripScheme("jdbc:mysql://h/db?password=hunter2", ["jdbc:postgresql:"])).toThrow(
      "property 'url' must start with 'jdbc:postgresql:' (got 'jdbc:mysql://h/db?password=***')",
    );
    expect(redactUrl("jdbc:mysql://u:hunter2@h/db")).toBe("jdbc:mysql://u:***@h/db");
  });
});

describe("cells", () => {
  it("outputs exact decimals and big integers as numbers only when safe", () => {
    expect(
      outputRow({
        a: new SqlDecimal("12.50"),
        b: new SqlDecimal("12345678901234567890.1"),
        c: 2n ** 60n,
        d: new SqlFloat(1),
        e: Buffer.from([1, 2]),
      }),
    ).toEqual({
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
      "a b": 'x"y\n',
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
      '{id:1,\'a b\':"x\\"y\\n",\'null\':null,dec:100.,f:2e0,big:1180591620717411303424,d:2024-01-01,ts:LocalDateTime::"2024-01-01T10:00:00",z:ZonedDateTime::"2024-01-01T10:00:00+01:00[Europe/Paris]",b:{{/w==}},list:[1,[true],{k:null}]}',
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

describe("effectiveFetchType", () => {
  const props = { fetchType: "NONE" as const, fetch: false, fetchOne: false, store: false };
  it("uses fetchType when no deprecated boolean is set", () => {
    expect(effectiveFetchType(props)).toBe("NONE");
    expect(effectiveFetchType({ ...props, fetchType: "FETCH_ONE" })).toBe("FETCH_ONE");
  });
  it("checks fetch, then fetchOne, then store, before fetchType", () => {
    expect(effectiveFetchType({ ...props, fetchType: "STORE", fetch: true, fetchOne: true, store: true })).toBe(
      "FETCH",
    );
    expect(effectiveFetchType({ ...props, fetchType: "FETCH", fetchOne: true, store: true })).toBe("FETCH_ONE");
    expect(effectiveFetchType({ ...props, fetchType: "FETCH", store: true })).toBe("STORE");
    expect(effectiveFetchType({ ...props, fetchType: "STORE", fetch: true })).toBe("FETCH");
  });
});

describe("error messages", () => {
  const describeAs = (retryable: boolean) => (error: unknown) => ({
    message: (error as Error).message,
    code: "28P01",
    retryable,
  });

  it("hides every occurrence of every secret, keeping the label and code", () => {
    const error = toTaskError(
      new Error("login failed for s3cret with s3cret (url pw=url-pw)"),
      "PostgreSQL",
      describeAs(false),
      ["s3cret", undefined, "url-pw"],
    );
    expect(error).toBeInstanceOf(NonRetryableError);
    expect(error.message).toBe("PostgreSQL: login failed for *** with *** (url pw=***) [28P01]");
  });
  it("ignores empty and one-character secrets, and keeps retryable errors retryable", () => {
    const error = toTaskError(new Error("a b"), "MySQL", describeAs(true), ["", "a"]);
    expect(error).toBeInstanceOf(TaskError);
    expect(error).not.toBeInstanceOf(NonRetryableError);
    expect(error.message).toBe("MySQL: a b [28P01]");
  });
  it("passes SakerErrors through unchanged", () => {
    const original = new NonRetryableError("property 'sql' is empty");
    expect(toTaskError(original, "PostgreSQL", describeAs(false), ["sql"])).toBe(original);
  });
  it("finds the password a URL carries", () => {
    expect(passwordOfUrl("jdbc:postgresql://127.0.0.1:5432/test?user=u&Password=p%26w")).toBe("p&w");
    expect(passwordOfUrl("jdbc:mariadb://u:in-auth@h/db")).toBe("in-auth");
    expect(passwordOfUrl("jdbc:mysql://u:in-auth@h/db?password=in-query")).toBe("in-query");
    expect(passwordOfUrl("jdbc:postgresql:test")).toBeUndefined();
    expect(passwordOfUrl("jdbc:mysql://h:99999/db?password=x")).toBeUndefined();
  });
  it("tells a lost connection from another driver error", () => {
    expect(driverError(new Error("Connection terminated unexpectedly"), /terminated/i)).toEqual({
      message: "the connection was lost or timed out: Connection terminated unexpectedly",
      retryable: true,
    });
    expect(driverError(new Error("boom"), /terminated/i, { lost: true, code: "PROTOCOL_SEQUENCE_TIMEOUT" })).toEqual({
      message: "the connection was lost or timed out: boom",
      code: "PROTOCOL_SEQUENCE_TIMEOUT",
      retryable: true,
    });
    expect(driverError(new Error("boom"), /terminated/i, { code: "X" })).toEqual({ message: "boom", retryable: false });
  });
});

describe("URL properties", () => {
  it("reads booleans by case-insensitive name, a bare key meaning true", () => {
    expect(booleanProperty({ SSL: "TRUE" }, "ssl")).toBe(true);
    expect(booleanProperty({ useSSL: "" }, "ssl", "useSSL")).toBe(true);
    expect(booleanProperty({ ssl: "no" }, "ssl")).toBe(false);
    expect(booleanProperty({}, "ssl")).toBeUndefined();
  });
});
