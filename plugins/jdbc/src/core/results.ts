/**
 * What happens to a statement's rows for each `fetchType`: discarded (NONE), the first kept
 * (FETCH_ONE), all kept up to a limit (FETCH), or streamed into an Ion file in internal storage
 * (STORE). STORE writes each batch into the storage stream as it arrives and waits when the
 * stream is full, so memory stays flat whatever the row count.
 */
import { once } from "node:events";
import { PassThrough } from "node:stream";
import { NonRetryableError } from "@saker/sdk";
import type { PutFile, RowSink } from "./dialect.ts";
import { ionLines } from "./ionText.ts";
import { outputRow, type Row } from "./values.ts";

export const FETCH_TYPES = ["STORE", "FETCH", "FETCH_ONE", "NONE"] as const;
export type FetchType = (typeof FETCH_TYPES)[number];

/** Kestra's output of one statement. */
export interface QueryOutput {
  row?: Record<string, unknown> | null;
  rows?: Record<string, unknown>[];
  uri?: string;
  fetchType?: FetchType;
  size?: number;
}

/** Rows that FETCH keeps in memory at most, unless the plugin configuration says `maxFetchRows`. */
export const DEFAULT_MAX_FETCH_ROWS = 100_000;

/** Collects one statement's rows; `sink` goes to the connection, `finish` gives the output after it ran. */
export interface Collector {
  sink: RowSink;
  finish(resultSet: boolean): Promise<QueryOutput>;
  /** Drops what was started (a half-written file) after a failure. */
  discard(): Promise<void>;
}

function tooManyRows(limit: number): NonRetryableError {
  return new NonRetryableError(
    `the query returned more than ${limit} rows, the most fetchType: FETCH (or FETCH_ONE) keeps in memory; use fetchType: STORE to write them to a file in internal storage (the limit is the plugin configuration 'maxFetchRows')`,
  );
}

function noneCollector(): Collector {
  return { sink: () => true, finish: async () => ({}), discard: async () => {} };
}

function fetchOneCollector(): Collector {
  let first: Row | undefined;
  return {
    sink: (rows) => {
      first ??= rows[0];
      return first === undefined;
    },
    finish: async (resultSet) => (resultSet ? { row: first ? outputRow(first) : null, size: first ? 1 : 0 } : {}),
    discard: async () => {},
  };
}

function fetchCollector(limit: number): Collector {
  const kept: Record<string, unknown>[] = [];
  return {
    sink: (rows) => {
      if (kept.length + rows.length > limit) throw tooManyRows(limit);
      for (const row of rows) kept.push(outputRow(row));
      return true;
    },
    finish: async (resultSet) => (resultSet ? { rows: kept, size: kept.length } : {}),
    discard: async () => {},
  };
}

function storeCollector(putFile: PutFile): Collector {
  let stream: PassThrough | undefined;
  let stored: Promise<string> | undefined;
  let size = 0;
  const start = () => {
    stream = new PassThrough({ highWaterMark: 1024 * 1024 });
    stored = putFile(stream, "result.ion");
    // A storage failure surfaces through `stored`; the stream itself is destroyed then.
    stored.catch(() => stream?.destroy());
  };
  return {
    sink: async (rows) => {
      if (!stream) start();
      if (rows.length === 0) return true;
      size += rows.length;
      if (!stream!.write(ionLines(rows))) await Promise.race([once(stream!, "drain"), stored!.then(() => undefined)]);
      if (stream!.destroyed) await stored; // rethrows the storage error
      return true;
    },
    async finish(resultSet) {
      if (!resultSet) {
        await this.discard();
        return {};
      }
      if (!stream) start();
      stream!.end();
      return { uri: await stored!, size };
    },
    async discard() {
      if (!stream) return;
      stream.destroy(new Error("query failed"));
      await stored!.catch(() => undefined);
    },
  };
}

/** A collector for `fetchType`. */
export function collectorFor(fetchType: FetchType, options: { maxFetchRows: number; putFile: PutFile }): Collector {
  switch (fetchType) {
    case "NONE":
      return noneCollector();
    case "FETCH_ONE":
      return fetchOneCollector();
    case "FETCH":
      return fetchCollector(options.maxFetchRows);
    case "STORE":
      return storeCollector(options.putFile);
  }
}
