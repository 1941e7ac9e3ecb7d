import { tmpdir } from "node:os";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { errorMessage, type RunContext } from "@saker/sdk";
import { IonAnnotated, IonDecimal, IonTimestamp, temporalOf, type IonTemporal } from "@saker/sdk/ion";
import { runBatch, type BatchConnection, type BatchDatabase, type BatchProps } from "./batch.ts";
import { checkTable, insertSql, parseBatchSql, tableParts } from "./batchSql.ts";
import { jsonText, mysqlTemporalText, pgTemporalText, scalarValue } from "./batchValues.ts";
import type { ConnectionProps } from "./dialect.ts";

const pg = { placeholder: "dollar", dollarQuotes: true } as const;
const my = { placeholder: "question", backslashEscapes: true, backticks: true } as const;

describe("parseBatchSql", () => {
  it("numbers placeholders outside quotes and comments, ?? being a literal ? on PostgreSQL", () => {
    const sql = parseBatchSql("insert into t values (?, '?', \"?\", ? /* ? */, $$?$$, j ?? 'k') -- ?", pg);
    expect(sql.single).toBe("insert into t values ($1, '?', \"?\", $2 /* ? */, $$?$$, j ? 'k') -- ?");
    expect(sql.parameters).toBe(2);
    expect(sql.multi!(2)).toBe(
      "insert into t values ($1, '?', \"?\", $2 /* ? */, $$?$$, j ? 'k'), ($3, '?', \"?\", $4 /* ? */, $$?$$, j ? 'k') -- ?",
    );
  });

  it("rewrites a one-row INSERT into many rows, keeping what follows the row", () => {
    const sql = parseBatchSql("INSERT INTO t (a, b) VALUES (?, coalesce(?, 'x')) ON CONFLICT (a) DO NOTHING", pg);
    expect(sql.multi!(3)).toBe(
      "INSERT INTO t (a, b) VALUES ($1, coalesce($2, 'x')), ($3, coalesce($4, 'x')), ($5, coalesce($6, 'x')) ON CONFLICT (a) DO NOTHING",
    );
    const mysql = parseBatchSql("replace into `t` value (?, 'it\\'s ?')", my);
    expect(mysql.single).toBe("replace into `t` value (?, 'it\\'s ?')");
    expect(mysql.multi!(2)).toBe("replace into `t` value (?, 'it\\'s ?'), (?, 'it\\'s ?')");
  });

  it("runs other statements one row at a time", () => {
    for (const text of [
      "update t set a = ? where id = ?",
      "insert into t select ?, ?",
      "insert into t values (?), (?)",
      "insert into t values (?) on conflict (a) do update set b = ?",
      "insert into t values (?) on conflict (a) do update set b = excluded.b",
      "insert into t default values",
    ]) {
      const sql = parseBatchSql(text, pg);
      expect(sql.multi, text).toBeUndefined();
    }
    expect(parseBatchSql("update t set a = ? where id = ?", pg)).toEqual({
      single: "update t set a = $1 where id = $2",
      parameters: 2,
    });
  });

  it("generates the INSERT of a table and checks its name", () => {
    expect(insertSql("public.orders", ["id", "Name"], (c) => `"${c}"`)).toBe(
      'INSERT INTO public.orders ("id", "Name") VALUES (?, ?)',
    );
    expect(tableParts('"My Schema".`t`')).toEqual({ schema: "My Schema", name: "t" });
    expect(tableParts("orders")).toEqual({ name: "orders" });
    expect(() => checkTable("orders; drop table x")).toThrow(
      "property 'table': 'orders; drop table x' is not a table name",
    );
  });
});

describe("batch values", () => {
  const temporal = (annotation: string, text: string): IonTemporal => temporalOf(new IonAnnotated(annotation, text))!;

  it("turns zoned date-times into text each database reads", () => {
    const zoned = temporal("ZonedDateTime", "2024-01-31T11:11:12.5+01:00[Europe/Paris]");
    expect(pgTemporalText(zoned)).toBe("2024-01-31T11:11:12.5+01:00");
    expect(mysqlTemporalText(zoned)).toBe("2024-01-31 10:11:12.500");
    expect(pgTemporalText(temporal("ZonedDateTime", "2024-01-31T11:11:12[Europe/Paris]"))).toBe(
      "2024-01-31T11:11:12 Europe/Paris",
    );
    expect(mysqlTemporalText(temporalOf(new IonTimestamp("2024-01-31T23:30:00-02:00"))!)).toBe("2024-02-01 01:30:00");
    expect(mysqlTemporalText(temporal("LocalDateTime", "2024-01-31T10:11:12.345"))).toBe("2024-01-31 10:11:12.345");
    expect(mysqlTemporalText(temporal("OffsetTime", "10:15:30+02:00"))).toBe("10:15:30");
  });

  it("binds scalars as they are and leaves lists and structs to the database", () => {
    expect(scalarValue(new IonDecimal("12.50"), pgTemporalText)).toBe("12.50");
    expect(scalarValue(new IonTimestamp("2024-01-31"), pgTemporalText)).toBe("2024-01-31");
    expect(scalarValue(new IonAnnotated("Other", 5), pgTemporalText)).toBe(5);
    expect(scalarValue(Buffer.from("ab"), pgTemporalText)).toEqual(Buffer.from("ab"));
    expect(scalarValue([1], pgTemporalText)).toBeUndefined();
    expect(scalarValue({ a: 1 }, pgTemporalText)).toBeUndefined();
  });

  it("writes JSON with exact decimals, date-times as strings and bytes as base64", () => {
    const value = {
      n: new IonDecimal("12."),
      d: new IonDecimal("1.5E+2"),
      at: new IonTimestamp("2024-01-31"),
      local: new IonAnnotated("LocalDateTime", "2024-01-31T10:00:00"),
      b: Buffer.from([1, 2, 3]),
      list: [1, 2.5, null, "x", 9007199254740993n],
    };
    expect(JSON.parse(jsonText(value))).toEqual({
      n: 12,
      d: 150,
      at: "2024-01-31",
      local: "2024-01-31T10:00:00",
      b: "AQID",
      list: [1, 2.5, null, "x", 9007199254740992],
    });
    expect(jsonText({ d: new IonDecimal("0.10") })).toBe('{"d":0.10}');
  });
});

describe("runBatch", () => {
  /** A database that records what it is sent, failing the statements `fail` picks. */
  function fakeDatabase(fail: (values: unknown[], call: number) => Error | undefined = () => undefined) {
    const written: { sql: string; values: unknown[] }[][] = [];
    let calls = 0;
    const connection: BatchConnection = {
      async write(statements) {
        calls++;
        for (const s of statements) {
          const error = fail(s.values, calls);
          if (error) throw error;
        }
        written.push(statements.map(({ sql, values }) => ({ sql, values })));
        return statements.reduce((n, s) => n + s.values.length / 2, 0);
      },
      execute: () => Promise.reject(new Error("not used")),
      run: async () => {},
      close: async () => {},
      abort: async () => {},
    };
    const db: BatchDatabase<ConnectionProps, BatchConnection> = {
      dialect: {
        id: "fake",
        label: "Fake",
        syntax: { placeholder: "question" },
        open: async () => ({ connection }),
        describeError: (error) => ({
          message: errorMessage(error),
          retryable: (error as { transient?: boolean }).transient === true,
        }),
        secretsOf: () => [],
      },
      maxParameters: 4,
      quoteColumn: (name) => name,
      tableColumns: async () => ["id", "name"],
      prepare: async () => ({ bind: (value) => value, maxBytes: 100 }),
    };
    return { db, written };
  }

  /** A context whose `from` holds `lines`; the first `broken` opens fail after `failAfter` lines. */
  function context(lines: string[], broken = 0, failAfter = 0) {
    let opens = 0;
    const logs: string[] = [];
    const ctx = {
      logger: {
        debug: () => {},
        info: () => {},
        warn: (message: string, ...args: unknown[]) => logs.push(message.replace(/\{\}/g, () => String(args.shift()))),
      },
      signal: new AbortController().signal,
      storage: {
        size: async () => 1,
        getFile: async () => {
          const text = lines.map((l) => `${l}\n`);
          if (++opens > broken) return Readable.from(text);
          return Readable.from(
            (async function* () {
              yield* text.slice(0, failAfter);
              throw new Error("connection reset by storage");
            })(),
          );
        },
      },
      workingDir: async () => tmpdir(),
      metric: () => {},
    };
    return { ctx: ctx as unknown as RunContext, logs, opens: () => opens };
  }

  const props = (extra: Partial<BatchProps> = {}): BatchProps => ({
    url: "jdbc:fake:",
    from: "kestra:///company/team/flow/executions/e/rows.ion",
    table: "t",
    chunk: 3,
    maxRetries: 3,
    retryBackoff: 1,
    retryScope: "INPUT",
    resumeOnRetry: true,
    inputHandling: "STREAM",
    localBufferMaxBytes: 1000,
    ...extra,
  });

  const rows = (n: number) => Array.from({ length: n }, (_, i) => `{id:${i + 1},name:"n${i + 1}"}`);

  it("sends chunks as statements of as many rows as the placeholders allow", async () => {
    const { db, written } = fakeDatabase();
    const result = await runBatch(db, props(), context(rows(7)).ctx);
    expect(result).toEqual({ rowCount: 7, updatedCount: 7 });
    expect(written.map((chunk) => chunk.map((s) => s.values))).toEqual([
      [
        [1, "n1", 2, "n2"],
        [3, "n3"],
      ],
      [
        [4, "n4", 5, "n5"],
        [6, "n6"],
      ],
      [[7, "n7"]],
    ]);
    expect(written[0]![0]!.sql).toBe("INSERT INTO t (id, name) VALUES (?, ?), (?, ?)");
  });

  it("cuts a statement at the byte budget, to a power of two of rows", async () => {
    const { db, written } = fakeDatabase();
    const long = "x".repeat(30);
    const lines = [1, 2, 3, 4].map((id) => `{id:${id},name:"${long}"}`);
    await runBatch(db, props({ chunk: 4 }), context(lines).ctx);
    expect(written[0]!.map((s) => s.values.length / 2)).toEqual([2, 2]);
  });

  it("retries an input failure after the last committed chunk", async () => {
    const { db, written } = fakeDatabase();
    const { ctx, logs, opens } = context(rows(8), 1, 5);
    const result = await runBatch(db, props(), ctx);
    expect(result).toEqual({ rowCount: 8, updatedCount: 8 });
    expect(opens()).toBe(2);
    expect(written.flat().flatMap((s) => s.values.filter((v) => typeof v === "number"))).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8,
    ]);
    expect(logs[0]).toContain("Batch failed after 3 committed rows, retry 1 of 3 in 1 ms");
    expect(logs[0]).toContain("property 'from': reading 'kestra:///company/team/flow/executions/e/rows.ion' failed");
  });

  it("starts over without resumeOnRetry, and gives up after maxRetries", async () => {
    const again = fakeDatabase();
    await runBatch(again.db, props({ resumeOnRetry: false }), context(rows(4), 1, 3).ctx);
    expect(again.written.flat().flatMap((s) => s.values.filter((v) => typeof v === "number"))).toEqual([
      1, 2, 3, 1, 2, 3, 4,
    ]);
    const { db } = fakeDatabase();
    const { ctx, opens } = context(rows(4), 10, 1);
    await expect(runBatch(db, props({ maxRetries: 2 }), ctx)).rejects.toThrow("property 'from': reading");
    expect(opens()).toBe(3);
  });

  it("retries a transient database failure only with retryScope ALL", async () => {
    const transient = (_: unknown[], call: number) =>
      call === 2 ? Object.assign(new Error("server closed the connection"), { transient: true }) : undefined;
    const input = fakeDatabase(transient);
    await expect(runBatch(input.db, props(), context(rows(7)).ctx)).rejects.toThrow(
      "Fake: server closed the connection",
    );
    expect(input.written).toHaveLength(1);
    const all = fakeDatabase(transient);
    expect(await runBatch(all.db, props({ retryScope: "ALL" }), context(rows(7)).ctx)).toEqual({
      rowCount: 7,
      updatedCount: 7,
    });
    const constraint = fakeDatabase((values) => (values.includes(5) ? new Error("duplicate key") : undefined));
    await expect(runBatch(constraint.db, props({ retryScope: "ALL" }), context(rows(7)).ctx)).rejects.toThrow(
      "Fake: duplicate key",
    );
    expect(constraint.written).toHaveLength(1);
  });
});
