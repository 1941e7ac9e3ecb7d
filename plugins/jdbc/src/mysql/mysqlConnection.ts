/**
 * One mysql2 connection per run (MySQL and MariaDB). Rows stream from the command's events; the
 * socket is paused while a batch is handed over, so the server waits instead of filling memory.
 * Without parameters a statement goes through the text protocol; with parameters it is a
 * server-side prepared statement, so values are never part of the SQL.
 */
import mysql from "mysql2";
import type { BatchConnection, BoundStatement } from "../core/batch.ts";
import type { ExecuteOptions, RowSink } from "../core/dialect.ts";
import type { Row } from "../core/values.ts";
import { mysqlConverter, type MysqlConverter, type MysqlField } from "./mysqlTypes.ts";
import { fieldOrderFor, withFieldOrder } from "@saker/sdk/ion";

type Command = ReturnType<mysql.Connection["query"]>;

/** mysql2 binds strings, numbers, booleans, buffers and null; anything else goes as JSON text. */
function bindable(value: unknown): unknown {
  if (value === undefined) return null;
  if (value === null || typeof value !== "object" || Buffer.isBuffer(value) || value instanceof Date) return value;
  return JSON.stringify(value);
}

export class MysqlConnection implements BatchConnection {
  private closed = false;
  private dropped: Error | undefined;

  private constructor(
    private readonly connection: mysql.Connection,
    private readonly options: mysql.ConnectionOptions,
  ) {
    connection.on("error", (error: Error) => (this.dropped = error));
  }

  static async open(options: mysql.ConnectionOptions): Promise<MysqlConnection> {
    const connection = mysql.createConnection({
      ...options,
      dateStrings: true,
      supportBigNumbers: true,
      bigNumberStrings: true,
      jsonStrings: true,
      rowsAsArray: true,
      multipleStatements: false,
    });
    const wrapper = new MysqlConnection(connection, options);
    try {
      await new Promise<void>((resolve, reject) => connection.connect((error) => (error ? reject(error) : resolve())));
      // TIMESTAMP values then arrive in UTC, to be shown in timeZoneId.
      await wrapper.run("SET time_zone = '+00:00'");
    } catch (error) {
      connection.destroy();
      throw error;
    }
    return wrapper;
  }

  run(sql: string): Promise<void> {
    return new Promise((resolve, reject) => this.connection.query(sql, (error) => (error ? reject(error) : resolve())));
  }

  /** Runs a prepared statement (prepared once per connection and SQL) and resolves its result. */
  private prepared(sql: string, values: readonly unknown[]): Promise<unknown> {
    return new Promise((resolve, reject) =>
      this.connection.execute({ sql, values: [...values] as never }, (error, result) =>
        error ? reject(error) : resolve(result),
      ),
    );
  }

  /** The rows of a small query, as arrays. */
  async rows(sql: string, values: readonly unknown[]): Promise<unknown[][]> {
    return (await this.prepared(sql, values)) as unknown[][];
  }

  /** Prepares a statement on the server (checking it) and resolves how many placeholders it has. */
  parameterCount(sql: string): Promise<number> {
    return new Promise((resolve, reject) =>
      this.connection.prepare(sql, (error, statement) =>
        error ? reject(error) : resolve((statement as unknown as { parameters?: unknown[] }).parameters?.length ?? 0),
      ),
    );
  }

  /**
   * Runs a batch's statements in order, in one transaction when there are several. They are all
   * queued at once (mysql2 sends each when the previous one is answered), then every answer is
   * awaited.
   */
  async write(statements: readonly BoundStatement[]): Promise<number> {
    const transaction = statements.length > 1;
    if (transaction) await this.run("START TRANSACTION");
    const results = await Promise.allSettled(statements.map(({ sql, values }) => this.prepared(sql, values)));
    const failed = results.find((r) => r.status === "rejected");
    if (failed) {
      if (transaction) await this.run("ROLLBACK").catch(() => undefined);
      throw failed.reason;
    }
    if (transaction) await this.run("COMMIT");
    let updated = 0;
    for (const r of results)
      updated += (r as PromiseFulfilledResult<{ affectedRows?: number }>).value.affectedRows ?? 0;
    return updated;
  }

  execute(
    sql: string,
    values: readonly unknown[],
    options: ExecuteOptions,
    sink: RowSink,
  ): Promise<{ resultSet: boolean }> {
    const command: Command = values.length
      ? (this.connection.execute({ sql, values: values.map(bindable) as never }) as unknown as Command)
      : this.connection.query({ sql });
    return new Promise((resolve, reject) => {
      let fields: MysqlField[] | undefined;
      let converters: MysqlConverter[] = [];
      let order: readonly string[] | undefined;
      let batch: Row[] = [];
      let failure: unknown;
      let reading = true;
      let pending: Promise<void> = Promise.resolve();
      const hand = (rows: Row[]) => {
        this.connection.pause();
        pending = pending
          .then(async () => {
            if (failure === undefined && reading) reading = await sink(rows);
          })
          .catch((error: unknown) => {
            failure ??= error;
          })
          .finally(() => this.connection.resume());
      };
      command.on("fields", (list: MysqlField[] | undefined) => {
        if (!list) return; // an OK packet (INSERT, DDL…) announces "no fields"
        fields = list;
        converters = list.map((f) => mysqlConverter(f, options.zone));
        order = fieldOrderFor(list.map((f) => f.name));
      });
      command.on("result", (raw: unknown) => {
        if (!fields || !Array.isArray(raw) || failure !== undefined || !reading) return;
        const row: Row = {};
        for (let c = 0; c < fields.length; c++) row[fields[c]!.name] = raw[c] === null ? null : converters[c]!(raw[c]);
        batch.push(withFieldOrder(row, order));
        if (batch.length >= options.fetchSize) {
          hand(batch);
          batch = [];
        }
      });
      command.on("error", (error: Error & { fatal?: boolean }) => {
        failure ??= error;
        // A lost connection may never end the command: settle now.
        if (error.fatal) void pending.then(() => reject(failure));
      });
      command.on("end", () => {
        if (batch.length) hand(batch);
        void pending.then(() =>
          failure !== undefined ? reject(failure) : resolve({ resultSet: fields !== undefined }),
        );
      });
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.dropped) {
      this.connection.destroy();
      return;
    }
    await new Promise<void>((resolve) => this.connection.end(() => resolve())).catch(() => undefined);
    this.connection.destroy();
  }

  /** Kills the server thread from a second connection, then drops ours. */
  async abort(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const threadId = this.connection.threadId;
    if (threadId) {
      const killer = mysql.createConnection(this.options);
      killer.on("error", () => undefined);
      await new Promise<void>((resolve) => killer.query(`KILL ${Number(threadId)}`, () => resolve()));
      killer.destroy();
    }
    this.connection.destroy();
  }
}
