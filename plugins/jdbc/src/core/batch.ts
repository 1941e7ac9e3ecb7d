/**
 * Kestra's `Batch` (`io.kestra.plugin.jdbc.<db>.Batch`): inserts the rows of an Ion file with a
 * prepared statement, `chunk` rows at a time, each chunk committed on its own. A failure keeps the
 * chunks committed before it and loses the one it happened in; retries (`maxRetries`,
 * `retryScope`) start again after the last committed chunk (`resumeOnRetry`).
 */
import { NonRetryableError, defineTask, duration, errorMessage, isSakerError, z, type RunContext } from "@saker/sdk";
import { fieldNamesOf } from "@saker/sdk/ion";
import {
  INPUT_HANDLINGS,
  isInputFailure,
  prepareInput,
  rowsOf,
  type BatchInput,
  type InputHandling,
} from "./batchInput.ts";
import { checkTable, insertSql, parseBatchSql, type BatchSql } from "./batchSql.ts";
import type { ConnectionProps, DbConnection, Dialect } from "./dialect.ts";
import { queryShape } from "./properties.ts";
import { withConnection } from "./run.ts";
import { checkZone } from "./temporal.ts";

/** One statement of a chunk with its values; `name` lets the driver prepare it once per connection. */
export interface BoundStatement {
  sql: string;
  values: unknown[];
  name: string;
}

export interface BatchConnection extends DbConnection {
  /** Runs a chunk's statements in order, in one transaction when there are several; resolves the rows they changed. */
  write(statements: readonly BoundStatement[]): Promise<number>;
}

/** How one statement binds a row's values. */
export interface Binding {
  /** Placeholders the server counts in the one-row statement, when it says. */
  parameters?: number | undefined;
  /** The value the driver gets for the `parameter`th placeholder of a row (0-based). */
  bind(value: unknown, parameter: number): unknown;
  /** The most bytes (estimated) one statement should carry. */
  maxBytes: number;
}

export interface BatchDatabase<P extends ConnectionProps, C extends BatchConnection> {
  /** Opens a connection for a batch (the connection's session set for `timeZoneId`). */
  dialect: Dialect<P & { timeZoneId: string }, C>;
  /** Most placeholders one statement may hold. */
  maxParameters: number;
  /** A column for the generated INSERT; `exact` for names read from the table itself. */
  quoteColumn(name: string, exact: boolean): string;
  /** The columns of `table` in their order (none when there is no such table). */
  tableColumns(connection: C, table: string): Promise<string[]>;
  /** Checks the one-row statement on the server and returns how to bind its values. */
  prepare(connection: C, sql: BatchSql): Promise<Binding>;
}

export function batchShape(urlExample: string) {
  const { url, username, password, connectionPooling, connectionPoolSize } = queryShape({
    defaultFetchType: "NONE",
    urlExample,
  });
  return {
    url,
    username,
    password,
    from: z
      .string()
      .describe(
        "The rows to insert: an Ion file in internal storage (`kestra://…`), one struct or list per line, as Query's `fetchType: STORE` writes them.",
      ),
    sql: z
      .string()
      .optional()
      .describe(
        "The INSERT, with one `?` per value: `insert into orders values (?, ?, ?)`, or `insert into orders (id, name) values (?, ?)` for some columns. Without `columns`, a row's fields are bound in their order.",
      ),
    table: z
      .string()
      .optional()
      .describe(
        "The table to insert into when there is no `sql`: the INSERT is generated for `columns`, or for every column of the table (read from the database), each bound to the row's field of that name.",
      ),
    columns: z
      .array(z.string())
      .optional()
      .describe(
        "The fields to insert, in the order of the placeholders: each row's field of that name is bound (null when it has none).",
      ),
    chunk: z
      .number()
      .int()
      .positive()
      .default(1000)
      .describe("Rows sent and committed together; a failure keeps the chunks committed before it."),
    timeZoneId: z
      .string()
      .optional()
      .describe(
        "The session's time zone, in which a date-time without a zone (LocalDateTime) is read where the column keeps an instant (default: the worker's).",
      ),
    maxRetries: z
      .number()
      .int()
      .min(0)
      .default(3)
      .describe("Retries after a failure `retryScope` allows (input read errors by default)."),
    retryBackoff: duration()
      .prefault("PT1S")
      .describe("The first delay between attempts; it doubles once (PT1S: 1 s, then 2 s)."),
    retryScope: z
      .enum(["NONE", "INPUT", "ALL"])
      .default("INPUT")
      .describe(
        "What is retried: `INPUT` errors reading `from`, `ALL` those and lost connections or transient database errors, `NONE` nothing.",
      ),
    resumeOnRetry: z
      .boolean()
      .default(true)
      .describe("A retry starts after the last committed chunk (otherwise from the first row)."),
    inputHandling: z
      .enum(INPUT_HANDLINGS)
      .default("AUTO")
      .describe(
        "`STREAM` reads `from` from internal storage on each attempt, `LOCAL` copies it to the working directory first, `AUTO` copies it when it is at most `localBufferMaxBytes`.",
      ),
    localBufferMaxBytes: z
      .number()
      .int()
      .positive()
      .default(100 * 1024 * 1024)
      .describe("The largest file copied locally (`AUTO`); a larger one fails with `LOCAL`."),
    connectionPooling,
    connectionPoolSize,
  };
}

export const batchOutputs = {
  rowCount: z.number().describe("Rows read from `from` and sent."),
  updatedCount: z.number().describe("Rows the statements inserted or updated, as the database counts them."),
};

export interface BatchProps extends ConnectionProps {
  from: string;
  sql?: string | undefined;
  table?: string | undefined;
  columns?: string[] | undefined;
  chunk: number;
  timeZoneId?: string | undefined;
  maxRetries: number;
  retryBackoff: number;
  retryScope: "NONE" | "INPUT" | "ALL";
  resumeOnRetry: boolean;
  inputHandling: InputHandling;
  localBufferMaxBytes: number;
}

interface Progress {
  rowCount: number;
  updatedCount: number;
  chunks: number;
}

/** The statement, the row fields it binds and how. */
interface Plan {
  sql: BatchSql;
  columns: string[] | undefined;
  binding: Binding;
}

async function planOf<P extends ConnectionProps, C extends BatchConnection>(
  db: BatchDatabase<P, C>,
  connection: C,
  props: BatchProps,
  ctx: RunContext,
): Promise<Plan> {
  let columns = props.columns?.length ? props.columns : undefined;
  let text = props.sql?.trim() ? props.sql : undefined;
  if (text !== undefined && props.table) ctx.logger.info("table '{}' is ignored when sql is given", props.table);
  if (text === undefined) {
    if (!props.table)
      throw new NonRetryableError(
        "Batch needs 'sql' (an INSERT with one ? per value) or 'table' (the INSERT is then generated)",
      );
    const table = checkTable(props.table);
    const existing = await db.tableColumns(connection, table);
    if (existing.length === 0)
      throw new NonRetryableError(
        `property 'table': table '${table}' does not exist, or has no column this user can see`,
      );
    columns ??= existing;
    ctx.logger.debug("Inserting columns {} into {}", columns.join(", "), table);
    // a column is the table's of that name, else of that name in another case, else as written
    const quote = (column: string) => {
      const lower = column.toLowerCase();
      const real = existing.includes(column) ? column : existing.find((c) => c.toLowerCase() === lower);
      return real === undefined ? db.quoteColumn(column, false) : db.quoteColumn(real, true);
    };
    text = insertSql(table, columns, quote);
  }
  let sql = parseBatchSql(text.trim().replace(/;\s*$/, ""), db.dialect.syntax);
  ctx.logger.debug("Starting prepared statement: {}", sql.single);
  const binding = await db.prepare(connection, sql);
  // the server's count wins; the rewrite into many rows is kept only when both agree
  if (binding.parameters !== undefined && binding.parameters !== sql.parameters)
    sql = { single: sql.single, parameters: binding.parameters };
  if (columns && columns.length !== sql.parameters)
    throw new NonRetryableError(
      `'columns' names ${columns.length} column(s) but 'sql' has ${sql.parameters} placeholder(s) (?): give one column per placeholder`,
    );
  return { sql, columns, binding };
}

/** A field of `row` by name, or by name in any case when there is none exactly so (null when missing). */
function field(row: Record<string, unknown>, name: string): unknown {
  if (Object.hasOwn(row, name)) return row[name];
  const lower = name.toLowerCase();
  const key = Object.keys(row).find((k) => k.toLowerCase() === lower);
  return key === undefined ? null : row[key];
}

/** A row of the file as the values of one statement; `line` counts from 1 for messages. */
function valuesOf(row: unknown, line: number, plan: Plan): unknown[] {
  const n = plan.sql.parameters;
  let raw: unknown[];
  if (Array.isArray(row)) raw = row;
  else if (row !== null && typeof row === "object" && !Buffer.isBuffer(row) && row.constructor === Object) {
    const record = row as Record<string, unknown>;
    raw = plan.columns ? plan.columns.map((c) => field(record, c)) : fieldNamesOf(record).map((k) => record[k]);
  } else
    throw new NonRetryableError(
      `property 'from': row ${line} is ${row === null ? "null" : "a single value"}, not a struct or a list: Batch binds the fields of one struct (or the items of one list) per line`,
    );
  if (raw.length > n)
    throw new NonRetryableError(
      `property 'from': row ${line} has ${raw.length} values but the statement has ${n} placeholder(s): name the fields to insert in 'columns', or add placeholders to 'sql'`,
    );
  const values = new Array<unknown>(n);
  for (let k = 0; k < n; k++) values[k] = plan.binding.bind(k < raw.length ? raw[k] : null, k);
  return values;
}

/** Estimated bytes of a bound row, to keep a statement within what the server accepts in one message. */
function bytesOf(values: unknown[]): number {
  let bytes = 0;
  for (const v of values) bytes += (typeof v === "string" || Buffer.isBuffer(v) ? v.length : 0) + 8;
  return bytes;
}

/**
 * A chunk as statements: as many rows per statement as the placeholders and the byte budget
 * allow; a statement cut short by the budget takes a power of two of rows, so that few distinct
 * statements are prepared.
 */
function statementsOf(rows: unknown[][], bytes: number[], plan: Plan, maxParameters: number): BoundStatement[] {
  const { multi, single, parameters } = plan.sql;
  if (!multi) return rows.map((values) => ({ sql: single, values, name: "saker_batch_row" }));
  const perStatement = Math.max(1, Math.floor(maxParameters / parameters));
  const statements: BoundStatement[] = [];
  for (let i = 0; i < rows.length;) {
    const want = Math.min(perStatement, rows.length - i);
    let k = 0;
    for (let size = 0; k < want && (k === 0 || size + bytes[i + k]! <= plan.binding.maxBytes); k++)
      size += bytes[i + k]!;
    const count = k < want ? 2 ** Math.floor(Math.log2(k)) : want;
    const values: unknown[] = [];
    for (const end = i + count; i < end; i++) for (const value of rows[i]!) values.push(value);
    statements.push({ sql: multi(count), values, name: `saker_batch_${count}` });
  }
  return statements;
}

/** One attempt: a connection, the file from its start, rows after `skip` sent chunk by chunk. */
async function attempt<P extends ConnectionProps, C extends BatchConnection>(
  db: BatchDatabase<P, C>,
  props: BatchProps & P & { timeZoneId: string },
  ctx: RunContext,
  input: BatchInput,
  progress: Progress,
  skip: number,
): Promise<void> {
  const stream = await input.open();
  try {
    await withConnection(db.dialect, props, ctx, async (connection) => {
      const plan = await planOf(db, connection, props, ctx);
      let rows: unknown[][] = [];
      let bytes: number[] = [];
      // one chunk is written while the next one is read: `writing` is the chunk on its way
      let writing: Promise<void> = Promise.resolve();
      const flush = async () => {
        const statements = statementsOf(rows, bytes, plan, db.maxParameters);
        const count = rows.length;
        rows = [];
        bytes = [];
        await writing;
        writing = connection.write(statements).then((updated) => {
          progress.rowCount += count;
          progress.updatedCount += updated;
          progress.chunks++;
        });
        writing.catch(() => undefined); // awaited by the next flush or below
      };
      try {
        let line = 0;
        for await (const row of rowsOf(stream, props.from)) {
          if (++line <= skip) continue;
          const values = valuesOf(row, line, plan);
          rows.push(values);
          bytes.push(bytesOf(values));
          if (rows.length >= props.chunk) await flush();
        }
        if (rows.length) await flush();
        await writing;
      } catch (error) {
        await writing; // a failed chunk came first in the file: its error is the one to report
        throw error;
      }
      return {};
    });
  } finally {
    stream.destroy();
  }
}

function retryable(error: unknown, scope: BatchProps["retryScope"]): boolean {
  if (scope === "NONE") return false;
  if (isInputFailure(error)) return true;
  return scope === "ALL" && isSakerError(error) && error.code === "TASK_FAILED";
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      if (signal.aborted) reject(signal.reason as Error);
      else resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

/** Runs a batch with Kestra's retries: an attempt that fails in `retryScope` is tried again after a pause. */
export async function runBatch<P extends ConnectionProps, C extends BatchConnection>(
  db: BatchDatabase<P, C>,
  props: BatchProps & P,
  ctx: RunContext,
): Promise<{ rowCount: number; updatedCount: number }> {
  const zoned = { ...props, timeZoneId: checkZone(props.timeZoneId) };
  const input = await prepareInput(props.from, props.inputHandling, props.localBufferMaxBytes, ctx);
  const progress: Progress = { rowCount: 0, updatedCount: 0, chunks: 0 };
  try {
    for (let retry = 1; ; retry++) {
      try {
        await attempt(db, zoned, ctx, input, progress, props.resumeOnRetry ? progress.rowCount : 0);
        break;
      } catch (error) {
        if (retry > props.maxRetries || !retryable(error, props.retryScope) || ctx.signal.aborted) throw error;
        const wait = Math.min(props.retryBackoff * 2 ** (retry - 1), props.retryBackoff * 2);
        ctx.logger.warn(
          "Batch failed after {} committed rows, retry {} of {} in {} ms: {}",
          progress.rowCount,
          retry,
          props.maxRetries,
          wait,
          errorMessage(error),
        );
        await sleep(wait, ctx.signal);
      }
    }
  } finally {
    await input.cleanup();
  }
  ctx.metric({ name: "records", type: "counter", value: progress.rowCount });
  ctx.metric({ name: "updated", type: "counter", value: progress.updatedCount });
  ctx.metric({ name: "query", type: "counter", value: progress.chunks });
  ctx.logger.info("Successfully executed {} bulk queries and updated {} rows", progress.chunks, progress.updatedCount);
  return { rowCount: progress.rowCount, updatedCount: progress.updatedCount };
}

/** The `Batch` type of a database. */
export function defineBatch<P extends ConnectionProps, C extends BatchConnection>(
  db: BatchDatabase<P, C>,
  options: { name: string; urlExample: string; extraProperties?: z.ZodRawShape },
) {
  const type = `io.kestra.plugin.jdbc.${db.dialect.id}.Batch`;
  return defineTask({
    type,
    title: `Insert the rows of a file into ${options.name}`,
    description: `Reads an Ion file of rows from internal storage and inserts them with a prepared statement, \`chunk\` rows at a time, each chunk in its own transaction. Rows are streamed: memory stays flat whatever the file's size.`,
    examples: [
      {
        title: "Copy the rows of a query into another table",
        code: `id: copy\ntype: ${type}\nurl: ${options.urlExample}\nfrom: "{{ outputs.query.uri }}"\nsql: insert into orders_copy values (?, ?, ?)`,
      },
      {
        title: "Insert into the columns of a table named like the rows' fields",
        code: `id: load\ntype: ${type}\nurl: ${options.urlExample}\nfrom: "{{ outputs.query.uri }}"\ntable: orders\ncolumns: [id, amount]`,
      },
    ],
    properties: z.object({ ...batchShape(options.urlExample), ...(options.extraProperties ?? {}) }),
    outputs: z.object(batchOutputs),
    run: (props, ctx) => runBatch(db, props as unknown as BatchProps & P, ctx),
  });
}
