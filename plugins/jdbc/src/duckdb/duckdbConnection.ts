/**
 * DuckDB through @duckdb/node-api: one instance and connection per run. Results are streamed
 * and read one data chunk (2048 rows) at a time, handed over in batches of `fetchSize`.
 */
import { DuckDBInstance, ResultReturnType, type DuckDBConnection, type DuckDBValue } from "@duckdb/node-api";
import { RowBatcher, type DbConnection, type ExecuteOptions, type RowSink } from "../core/dialect.ts";
import type { Row } from "../core/values.ts";
import { duckColumnConverter } from "./duckdbTypes.ts";
import { fieldOrderFor, withFieldOrder } from "@saker/sdk/ion";

/** DuckDB binds JS strings, numbers, booleans, bigints and null; lists and maps go as JSON text. */
function bindable(value: unknown): DuckDBValue {
  if (value === undefined || value === null) return null;
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean" || typeof value === "bigint")
    return value;
  return JSON.stringify(value);
}

export class DuckdbConnection implements DbConnection {
  private closed = false;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  static async open(path: string): Promise<DuckdbConnection> {
    const instance = await DuckDBInstance.create(path);
    try {
      return new DuckdbConnection(instance, await instance.connect());
    } catch (error) {
      instance.closeSync();
      throw error;
    }
  }

  async execute(
    sql: string,
    values: readonly unknown[],
    options: ExecuteOptions,
    sink: RowSink,
  ): Promise<{ resultSet: boolean }> {
    const result = await this.connection.stream(sql, values.length ? values.map(bindable) : undefined);
    if (result.returnType !== ResultReturnType.QUERY_RESULT) {
      // Drain the (empty or row-count) result so the statement completes.
      for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
        /* nothing to keep */
      }
      return { resultSet: false };
    }
    const names = result.columnNames();
    const order = fieldOrderFor(names);
    const converters = names.map((_, i) => duckColumnConverter(result.columnTypeId(i), options.zone));
    const batcher = new RowBatcher(sink, options.fetchSize);
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      for (const raw of chunk.getRows()) {
        const row: Row = {};
        for (let c = 0; c < names.length; c++) row[names[c]!] = converters[c]!(raw[c] ?? null);
        if (batcher.add(withFieldOrder(row, order)) && !(await batcher.flush())) return { resultSet: true };
      }
    }
    await batcher.flush();
    return { resultSet: true };
  }

  async run(sql: string): Promise<void> {
    await this.connection.run(sql);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      this.connection.closeSync();
      this.instance.closeSync();
    } catch {
      // already closed
    }
  }

  async abort(): Promise<void> {
    try {
      this.connection.interrupt();
    } catch {
      // nothing running
    }
    await this.close();
  }
}
