/**
 * SQLite through better-sqlite3. Statements run synchronously in the worker's thread, so a long
 * query cannot be interrupted; rows are read with `iterate()` and handed over `fetchSize` at a
 * time. Integers are read as bigints and kept exact.
 */
import Database from "better-sqlite3";
import { RowBatcher, type DbConnection, type ExecuteOptions, type RowSink } from "../core/dialect.ts";
import { dateCell, localDateTimeText } from "../core/temporal.ts";
import { SqlFloat, SqlTemporal, integerCell, type Cell, type Row } from "../core/values.ts";
import { fieldOrderFor, withFieldOrder } from "@saker/sdk/ion";

/** better-sqlite3 binds numbers, bigints, strings, buffers and null. */
function bindable(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "object" && !Buffer.isBuffer(value)) return JSON.stringify(value);
  return value;
}

function cellOf(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === "bigint") return integerCell(value);
  if (typeof value === "number") return new SqlFloat(value);
  if (typeof value === "string") return value;
  if (Buffer.isBuffer(value)) return value;
  return String(value);
}

/** Text in DATE / DATETIME columns becomes a date, as the SQLite JDBC driver reads it. */
function temporalTextCell(text: string): Cell {
  if (/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?$/.test(text))
    return new SqlTemporal("LocalDateTime", localDateTimeText(text));
  return dateCell(text);
}

/** The converter of a column, chosen once from its declared type (SQLite values may still be of any type). */
function converterOf(declared: string | null): (value: unknown) => Cell {
  const type = (declared ?? "").toUpperCase();
  if (!type.includes("DATE") && !type.includes("TIME")) return cellOf;
  return (value) => (typeof value === "string" ? temporalTextCell(value) : cellOf(value));
}

export class SqliteConnection implements DbConnection {
  constructor(private readonly db: Database.Database) {}

  static open(path: string): SqliteConnection {
    return new SqliteConnection(new Database(path, { timeout: 5000 }));
  }

  async execute(
    sql: string,
    values: readonly unknown[],
    options: ExecuteOptions,
    sink: RowSink,
  ): Promise<{ resultSet: boolean }> {
    const statement = this.db.prepare(sql);
    const bound = values.map(bindable);
    if (!statement.reader) {
      statement.run(...bound);
      return { resultSet: false };
    }
    statement.safeIntegers(true).raw(true);
    const columns = statement.columns();
    const names = columns.map((c) => c.name);
    const order = fieldOrderFor(names);
    const converters = columns.map((c) => converterOf(c.type));
    const iterator = statement.iterate(...bound) as IterableIterator<unknown[]>;
    try {
      const batcher = new RowBatcher(sink, options.fetchSize);
      for (const raw of iterator) {
        const row: Row = {};
        for (let c = 0; c < names.length; c++) row[names[c]!] = converters[c]!(raw[c]);
        if (batcher.add(withFieldOrder(row, order)) && !(await batcher.flush())) return { resultSet: true };
      }
      await batcher.flush();
      return { resultSet: true };
    } finally {
      iterator.return?.();
    }
  }

  async run(sql: string): Promise<void> {
    this.db.exec(sql);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  async abort(): Promise<void> {
    await this.close();
  }
}
