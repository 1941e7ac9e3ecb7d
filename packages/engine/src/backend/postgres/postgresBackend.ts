/**
 * The shared backend: PostgreSQL (node-postgres) behind the async `Backend`, so that several
 * processes can run the executor, workers and scheduler over one database.
 *
 * - Calls outside a transaction run on the pool (each one a statement of its own, or a
 *   transaction of its own when it writes several: see `Atomic`).
 * - `transaction(fn)` takes a dedicated client: BEGIN, the awaited `fn` writing through `tx`
 *   (that client), COMMIT, or ROLLBACK when it throws. A process runs its transactions one at a
 *   time (an in-process lock, as on SQLite: the loops were written for that), while other
 *   processes' transactions run beside them, isolated by PostgreSQL (READ COMMITTED; the queue's
 *   claims use `FOR UPDATE SKIP LOCKED`).
 * - Each open registers its owner id in `processes` and beats every few seconds, so that a
 *   process can tell which claims belong to the living (`aliveOwners`).
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { errorMessage, SakerError } from "@saker/sdk";
import { AsyncMutex } from "../asyncMutex.ts";
import type { Backend } from "../backend.ts";
import type { Notifier } from "../notifier.ts";
import { PostgresExecutions } from "./executionRepository.ts";
import { migrate } from "./migrations.ts";
import { channelOf, PostgresNotifier } from "./postgresNotifier.ts";
import { PostgresQueue } from "./postgresQueue.ts";
import { postgresReadModel } from "./postgresReadModel.ts";
import type { ReadModel } from "../readModel.ts";
import { PostgresFlows, PostgresKv, PostgresLogs, PostgresMetrics, PostgresTriggers } from "./repositories.ts";
import { SCHEMA_NAME, type Atomic, type Queryable } from "./sql.ts";
import { WriteBuffer } from "./writeBatch.ts";

export interface PostgresBackendOptions {
  /** `postgres://user:password@host:port/database` */
  url: string;
  /** The schema holding Saker's tables (created when missing); default `public`. */
  schema?: string;
  /** Connections of the pool (default 10). */
  poolSize?: number;
  /** The owner id of this open's queue claims (a new random one by default). */
  owner?: string;
  /** How often this process beats in `processes` (ms, default 5000). */
  heartbeatMs?: number;
  onListenerError?: (topic: string, error: unknown) => void;
  /** Told about a failure of the listening connection or of a heartbeat (both retried). */
  onConnectionError?: (error: unknown) => void;
}

/** The repositories over one `Queryable`: the pool's, or a transaction's client. */
abstract class PostgresView implements Backend {
  readonly queue: PostgresQueue;
  readonly executions: PostgresExecutions;
  readonly flows: PostgresFlows;
  readonly logs: PostgresLogs;
  readonly kv: PostgresKv;
  readonly triggers: PostgresTriggers;
  readonly metrics: PostgresMetrics;
  readonly reads: ReadModel;

  constructor(
    db: Queryable,
    atomic: Atomic,
    readonly owner: string,
    readonly notifier: Notifier,
    writeListeners: Set<(id: string) => void>,
  ) {
    this.queue = new PostgresQueue(db);
    this.executions = new PostgresExecutions(db, atomic, writeListeners);
    this.flows = new PostgresFlows(db);
    this.logs = new PostgresLogs(db);
    this.kv = new PostgresKv(db);
    this.triggers = new PostgresTriggers(db, atomic);
    this.metrics = new PostgresMetrics(db);
    this.reads = postgresReadModel(db, this.executions);
  }

  abstract transaction<T>(fn: (tx: Backend) => Promise<T>): Promise<T>;
  abstract close(): Promise<void>;
}

/**
 * The backend inside a transaction: its client; a nested transaction is this one. BEGIN is sent
 * with the first query, and batchable writes wait in a `WriteBuffer` until the next query or the
 * commit: a transaction of writes only is one statement (no BEGIN, no COMMIT), a group commit's
 * writes one round trip before its COMMIT.
 */
class PostgresTransaction extends PostgresView {
  open = true;
  private begun = false;
  /** The first failure of a batch sent ahead of a query: the transaction's error from then on. */
  private failure: unknown;
  private readonly buffer: WriteBuffer;
  private readonly run: (text: string, values?: unknown[]) => Promise<pg.QueryResult>;

  constructor(client: pg.PoolClient, owner: string, notifier: Notifier, writeListeners: Set<(id: string) => void>) {
    const buffer = new WriteBuffer();
    // one statement at a time on the client (concurrent calls of `fn` queue here, not in pg)
    let previous: Promise<unknown> = Promise.resolve();
    const run = (text: string, values?: unknown[]): Promise<pg.QueryResult> => {
      const result = previous.then(() => {
        if (this.failure !== undefined) throw this.failure;
        return client.query(text, values);
      });
      previous = result.catch(() => undefined);
      return result;
    };
    const sendBatch = (): void => {
      const batch = buffer.take();
      if (batch) run(batch.text, batch.values).catch((error: unknown) => (this.failure ??= error));
    };
    const db: Queryable = {
      query: (text, values) => {
        if (!this.open) return Promise.reject(new Error("a transaction's backend was used after its end"));
        if (!this.begun) {
          this.begun = true;
          void run("BEGIN").catch((error: unknown) => (this.failure ??= error));
        }
        sendBatch();
        return run(text, values) as never;
      },
      defer: (writes, keys) => {
        if (!this.open) return Promise.reject(new Error("a transaction's backend was used after its end"));
        if (buffer.conflicts(keys)) {
          if (!this.begun) {
            this.begun = true;
            void run("BEGIN").catch((error: unknown) => (this.failure ??= error));
          }
          sendBatch();
        }
        buffer.add(writes, keys);
        return Promise.resolve();
      },
    };
    super(db, (fn) => fn(db), owner, notifier, writeListeners);
    this.buffer = buffer;
    this.run = run;
  }

  transaction<T>(fn: (tx: Backend) => Promise<T>): Promise<T> {
    return fn(this);
  }

  close(): Promise<void> {
    return Promise.reject(new Error("close() inside a transaction"));
  }

  /** Sends what is held back and commits; a transaction of batched writes only is their one statement. */
  async commit(): Promise<void> {
    const batch = this.buffer.take();
    if (!this.begun) {
      if (batch) await this.run(batch.text, batch.values);
      return;
    }
    if (batch) void this.run(batch.text, batch.values).catch((error: unknown) => (this.failure ??= error));
    await this.run("COMMIT");
  }

  /** Drops what is held back and rolls back what was sent. */
  async rollback(): Promise<void> {
    this.buffer.take();
    if (!this.begun) return;
    this.failure = undefined;
    await this.run("ROLLBACK");
  }
}

/** Runs `fn` in a transaction on a client of the pool. */
async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: unknown;
  try {
    await client.query("BEGIN");
    try {
      const result = await fn(client);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch((rollbackError: unknown) => (broken = rollbackError));
      throw error;
    }
  } finally {
    // a client whose rollback failed (connection lost) is not given back to the pool
    client.release(broken instanceof Error ? broken : undefined);
  }
}

/** The connection settings of a URL, with the schema as `search_path`. */
export function connectionConfig(url: string, schema: string): pg.ClientConfig {
  return { connectionString: url, options: `-c search_path=${schema}` };
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(an invalid URL)";
  }
}

export class PostgresBackend extends PostgresView {
  private readonly mutex = new AsyncMutex();
  private readonly heartbeat: NodeJS.Timeout;
  private closed = false;

  private constructor(
    readonly pool: pg.Pool,
    readonly schema: string,
    owner: string,
    override readonly notifier: PostgresNotifier,
    private readonly writeListeners: Set<(id: string) => void>,
    heartbeatMs: number,
    onConnectionError: (error: unknown) => void,
  ) {
    super(pool, (fn) => inTransaction(pool, fn), owner, notifier, writeListeners);
    this.heartbeat = setInterval(() => {
      pool
        .query("UPDATE processes SET heartbeat_at = $1 WHERE owner = $2", [Date.now(), owner])
        .catch(onConnectionError);
    }, heartbeatMs);
    this.heartbeat.unref();
  }

  /** Connects, migrates the schema (under an advisory lock), starts listening and registers this process. */
  static async open(options: PostgresBackendOptions): Promise<PostgresBackend> {
    const schema = options.schema ?? "public";
    if (!SCHEMA_NAME.test(schema))
      throw new SakerError("CONFIG_INVALID", `database.schema '${schema}' is not a plain SQL identifier`);
    const connection = connectionConfig(options.url, schema);
    const pool = new pg.Pool({ ...connection, max: options.poolSize ?? 10 });
    const onConnectionError = options.onConnectionError ?? (() => undefined);
    // an idle client that loses its connection is dropped by the pool; without a listener it would crash the process
    pool.on("error", onConnectionError);
    let notifier: PostgresNotifier | undefined;
    try {
      const client = await pool.connect().catch((error: unknown) => {
        throw new SakerError(
          "ENGINE_UNAVAILABLE",
          `Unable to connect to the PostgreSQL database at ${redactUrl(options.url)}: ${errorMessage(error)}`,
        );
      });
      try {
        await migrate(client, schema);
      } finally {
        client.release();
      }
      notifier = new PostgresNotifier({
        connection,
        pool,
        channel: channelOf(schema),
        ...(options.onListenerError ? { onListenerError: options.onListenerError } : {}),
        onConnectionError,
      });
      await notifier.start();
      const owner = options.owner ?? randomBytes(9).toString("base64url");
      const now = Date.now();
      // the rows of processes long gone (killed without a close) are of no use to anyone
      await pool.query("DELETE FROM processes WHERE heartbeat_at < $1", [now - 24 * 3600_000]);
      await pool.query(
        "INSERT INTO processes (owner, started_at, heartbeat_at) VALUES ($1, $2, $2) ON CONFLICT (owner) DO UPDATE SET heartbeat_at = $2",
        [owner, now],
      );
      return new PostgresBackend(
        pool,
        schema,
        owner,
        notifier,
        new Set(),
        options.heartbeatMs ?? 5000,
        onConnectionError,
      );
    } catch (error) {
      await notifier?.close();
      await pool.end().catch(() => undefined);
      throw error;
    }
  }

  async transaction<T>(fn: (tx: Backend) => Promise<T>): Promise<T> {
    await this.mutex.acquire();
    try {
      const client = await this.pool.connect();
      const tx = new PostgresTransaction(client, this.owner, this.notifier, this.writeListeners);
      let broken: unknown;
      try {
        let result: T;
        try {
          result = await fn(tx);
        } finally {
          tx.open = false;
        }
        await tx.commit();
        return result;
      } catch (error) {
        await tx.rollback().catch((rollbackError: unknown) => (broken = rollbackError));
        throw error;
      } finally {
        // a client whose rollback failed (connection lost) is not given back to the pool
        client.release(broken instanceof Error ? broken : undefined);
      }
    } finally {
      this.mutex.release();
    }
  }

  /**
   * The owners of the processes that beat within `maxAgeMs` (three heartbeats by default): their
   * claims are theirs; the others' can be reaped (`queue.reapExpired({ aliveOwners })`).
   */
  async aliveOwners(maxAgeMs = 15_000): Promise<string[]> {
    const { rows } = await this.pool.query<{ owner: string }>("SELECT owner FROM processes WHERE heartbeat_at > $1", [
      Date.now() - maxAgeMs,
    ]);
    return rows.map((r) => r.owner);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    // a transaction still open (a loop stopping) ends first
    await this.mutex.exclusive(async () => {
      await this.notifier.close();
      await this.pool.query("DELETE FROM processes WHERE owner = $1", [this.owner]).catch(() => undefined);
      await this.pool.end();
    });
  }
}
