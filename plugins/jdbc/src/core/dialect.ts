/**
 * What each database module provides: how to open a connection from the task's properties, and a
 * connection that runs one statement at a time, handing rows over in batches.
 */
import type { FileSource, Logger, TaskStorage } from "@saker/sdk";
import type { DbErrorInfo } from "./errors.ts";
import type { PlaceholderStyle } from "./parameters.ts";
import type { Row } from "./values.ts";

/**
 * Receives the rows of a statement's result, at most `fetchSize` at a time and never none (an
 * empty result set reaches no sink: the collectors' `finish` knows it had a result set). Resolves
 * `false` to stop reading (the rest of the result is discarded).
 */
export type RowSink = (rows: Row[]) => Promise<boolean> | boolean;

/**
 * Gathers rows for a sink `fetchSize` at a time. Adding a row is synchronous; the sink is awaited
 * only when a batch is full (`add` answers true: call `flush`) and once at the end.
 */
export class RowBatcher {
  private batch: Row[] = [];

  constructor(
    private readonly sink: RowSink,
    private readonly fetchSize: number,
  ) {}

  /** Adds a row; true when the batch is full and must be handed over with {@link flush}. */
  add(row: Row): boolean {
    return this.batch.push(row) >= this.fetchSize;
  }

  /** Hands the gathered rows (if any) to the sink; resolves false once the sink wants no more rows. */
  async flush(): Promise<boolean> {
    if (this.batch.length === 0) return true;
    const rows = this.batch;
    this.batch = [];
    return this.sink(rows);
  }
}

export interface ExecuteOptions {
  fetchSize: number;
  /** The zone timestamps with a zone are shown in. */
  zone: string;
}

export interface DbConnection {
  /** Runs one statement; resolves whether it produced a result set. */
  execute(
    sql: string,
    values: readonly unknown[],
    options: ExecuteOptions,
    sink: RowSink,
  ): Promise<{ resultSet: boolean }>;
  /** Runs a statement that returns no rows and takes no values (`BEGIN`, `COMMIT`, `ROLLBACK`). */
  run(sql: string): Promise<void>;
  /** Closes the connection; never throws. */
  close(): Promise<void>;
  /** Stops whatever runs now and drops the connection (task timeout or kill); never throws. */
  abort(): Promise<void>;
}

/** The common connection properties, rendered. */
export interface ConnectionProps {
  url: string;
  username?: string | undefined;
  password?: string | undefined;
}

/** What a dialect may use while connecting and after the task. */
export interface SessionContext {
  logger: Logger;
  storage: TaskStorage;
  signal: AbortSignal;
  /** A folder for temporary files of this run. */
  workingDir(): Promise<string>;
}

/** An open connection plus what the dialect adds to the outputs when the task ends well. */
export interface Session<C extends DbConnection = DbConnection> {
  connection: C;
  /** Called after a successful run, once the connection is closed (e.g. SQLite's `databaseUri`). */
  finish?(): Promise<Record<string, unknown>>;
}

export interface Dialect<P extends ConnectionProps = ConnectionProps, C extends DbConnection = DbConnection> {
  /** `postgresql`, `mysql`, … as in the type ids. */
  id: string;
  /** `PostgreSQL`: prefixes error messages. */
  label: string;
  syntax: PlaceholderStyle;
  open(props: P, ctx: SessionContext): Promise<Session<C>>;
  describeError(error: unknown): DbErrorInfo;
  /** Values that must never appear in a message. */
  secretsOf(props: P): (string | undefined)[];
}

/** Stores a file under the task (or trigger) prefix. */
export type PutFile = (source: FileSource, name?: string) => Promise<string>;
