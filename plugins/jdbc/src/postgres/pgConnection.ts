/**
 * One `pg` client per run. Every statement goes through a cursor (pg-cursor) that reads
 * `fetchSize` rows at a time, so no result is ever held whole in memory, whatever the fetchType.
 * Values arrive as text and are converted by column type (pgTypes.ts).
 */
import pg from "pg";
import Cursor from "pg-cursor";
import {
  from as copyFromStdin,
  to as copyToStdout,
  type CopyStreamQuery,
  type CopyToStreamQuery,
} from "pg-copy-streams";
import type { BatchConnection, BoundStatement } from "../core/batch.ts";
import type { ExecuteOptions, RowSink } from "../core/dialect.ts";
import type { Row } from "../core/values.ts";
import type { PgConnectPlan } from "./pgConfig.ts";
import { converterFor, type TextConverter } from "./pgTypes.ts";
import { fieldOrderFor, withFieldOrder } from "@saker/sdk/ion";

/** Hands every value to us as text: conversion happens per column in pgTypes.ts. */
const RAW_TYPES = { getTypeParser: () => (value: string) => value };

interface Field {
  name: string;
  dataTypeID: number;
}

function readBatch(cursor: Cursor, count: number): Promise<{ rows: unknown[][]; fields: Field[] }> {
  return new Promise((resolve, reject) => {
    cursor.read(count, (error, rows, result) =>
      error
        ? reject(error)
        : resolve({ rows: rows as unknown as unknown[][], fields: (result?.fields ?? []) as Field[] }),
    );
  });
}

function closeCursor(cursor: Cursor): Promise<void> {
  return new Promise((resolve) => cursor.close(() => resolve()));
}

/** Converts `batch[start, end)`, letting each raw row go once converted. */
function rowsOf(batch: unknown[][], start: number, end: number, fields: Field[], converters: TextConverter[]): Row[] {
  const rows: Row[] = new Array(end - start);
  const order = fieldOrderFor(fields.map((f) => f.name));
  for (let r = start; r < end; r++) {
    const values = batch[r]!;
    const row: Row = {};
    for (let c = 0; c < fields.length; c++) {
      const value = values[c];
      row[fields[c]!.name] = value === null || value === undefined ? null : converters[c]!(value as string);
    }
    rows[r - start] = withFieldOrder(row, order);
    batch[r] = EMPTY;
  }
  return rows;
}

/**
 * The most rows one cursor round trip asks for, whatever `fetchSize` says (JDBC's fetch size is a
 * hint too). Rows of a round trip stay alive until it completes, and past this many they outlive
 * V8's young generation and pile up in the old one. Measured storing 1,000,000 rows (five
 * columns) on the embedded engine: peak RSS 137 MB reading 2000 rows a trip, 149 MB at 5000,
 * 175 to 204 MB at 10000.
 */
const MAX_ROUND_TRIP = 5000;

/** Batches are converted and handed over in slices, so converted rows live only while their slice is written. */
const SLICE = 1000;

const EMPTY: unknown[] = [];

async function handInSlices(
  batch: unknown[][],
  fields: Field[],
  converters: TextConverter[],
  sink: RowSink,
): Promise<boolean> {
  for (let start = 0; start < batch.length; start += SLICE) {
    if (!(await sink(rowsOf(batch, start, Math.min(start + SLICE, batch.length), fields, converters)))) return false;
  }
  return true;
}

export class PgConnection implements BatchConnection {
  private closed = false;
  /** Resolves when the client's connection ended, so that nothing waits on a dead socket. */
  private readonly ended: Promise<void>;

  private constructor(
    private readonly client: pg.Client,
    private readonly plan: PgConnectPlan,
  ) {
    // A dropped connection is reported here as well as to the running query; never let it crash the worker.
    client.on("error", () => undefined);
    this.ended = new Promise((resolve) => client.once("end", () => resolve()));
  }

  static async open(plan: PgConnectPlan): Promise<PgConnection> {
    try {
      return await PgConnection.connect(plan, plan.config);
    } catch (error) {
      if (
        plan.fallbackWithoutTls &&
        plan.config.ssl &&
        /does not support SSL/i.test(String((error as Error)?.message))
      ) {
        const { ssl: _ssl, ...plain } = plan.config;
        return PgConnection.connect(plan, plain);
      }
      throw error;
    }
  }

  private static async connect(plan: PgConnectPlan, config: pg.ClientConfig): Promise<PgConnection> {
    const client = new pg.Client(config);
    const connection = new PgConnection(client, { ...plan, config });
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    return connection;
  }

  async execute(
    sql: string,
    values: readonly unknown[],
    options: ExecuteOptions,
    sink: RowSink,
  ): Promise<{ resultSet: boolean }> {
    const cursor = this.client.query(
      new Cursor(sql, values.length ? [...values] : undefined, { rowMode: "array", types: RAW_TYPES }),
    );
    const roundTrip = Math.min(options.fetchSize, MAX_ROUND_TRIP);
    try {
      let converters: TextConverter[] | undefined;
      for (;;) {
        const { rows, fields } = await readBatch(cursor, roundTrip);
        if (fields.length === 0) return { resultSet: false };
        converters ??= fields.map((f) => converterFor(f.dataTypeID, options.zone));
        const more = await handInSlices(rows, fields, converters, sink);
        if (!more || rows.length < roundTrip) return { resultSet: true };
      }
    } finally {
      await Promise.race([closeCursor(cursor), this.ended]);
    }
  }

  /** `COPY … TO STDOUT`: the data as a stream; its `rowCount` is set once it ended. */
  copyOut(sql: string): CopyToStreamQuery {
    return this.client.query(copyToStdout(sql));
  }

  /** `COPY … FROM STDIN`: write the data into the stream; its `rowCount` is set once it finished. */
  copyIn(sql: string): CopyStreamQuery {
    return this.client.query(copyFromStdin(sql));
  }

  async run(sql: string): Promise<void> {
    await this.client.query(sql);
  }

  /** The rows of a small query, as arrays of values parsed by pg's default parsers. */
  async rows(sql: string, values: readonly unknown[]): Promise<unknown[][]> {
    return (await this.client.query({ text: sql, values: [...values], rowMode: "array" })).rows as unknown[][];
  }

  /**
   * Sends a batch's statements in one go (the client pipelines them when opened with `pipeline`),
   * between BEGIN and COMMIT when there are several; then waits for every answer, so that the
   * connection is in step again whether they succeeded or not.
   */
  async write(statements: readonly BoundStatement[]): Promise<number> {
    const transaction = statements.length > 1;
    const sent: Promise<pg.QueryResult>[] = [];
    if (transaction) sent.push(this.client.query("BEGIN"));
    for (const { name, sql, values } of statements) sent.push(this.client.query({ name, text: sql, values }));
    if (transaction) sent.push(this.client.query("COMMIT"));
    const results = await Promise.allSettled(sent);
    const failed = results.find((r) => r.status === "rejected");
    if (failed) {
      // a failed statement ends the transaction: its COMMIT rolled back; this one only makes sure
      if (transaction) await this.client.query("ROLLBACK").catch(() => undefined);
      throw failed.reason;
    }
    let updated = 0;
    for (let i = transaction ? 1 : 0; i < statements.length + (transaction ? 1 : 0); i++)
      updated += (results[i] as PromiseFulfilledResult<pg.QueryResult>).value.rowCount ?? 0;
    return updated;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.end().catch(() => undefined);
  }

  /**
   * Ends the backend from a second connection (`pg_terminate_backend`): closing our socket alone
   * would leave a long statement running on the server until it next writes to the client.
   */
  async abort(): Promise<void> {
    if (this.closed) return;
    const pid = (this.client as unknown as { processID?: number }).processID;
    if (pid) {
      const killer = new pg.Client(this.plan.config);
      killer.on("error", () => undefined);
      try {
        await killer.connect();
        await killer.query("select pg_terminate_backend($1)", [pid]);
      } catch {
        // the connection may be gone already
      } finally {
        await killer.end().catch(() => undefined);
      }
    }
    await this.close();
  }
}
