/**
 * Synchronous reads of a PostgreSQL database, for tests only: a worker thread runs the query on
 * its own connection while the calling thread waits (`Atomics.wait`). It lets the engine's tests
 * that read the SQLite stores synchronously (`instance.executions.get(id)`, `errorMessages`…) run
 * unchanged on PostgreSQL. Never for production: the wait blocks the event loop for a round
 * trip. Mostly reads (a read never waits for a lock under MVCC); the few writes tests make
 * (KV entries, trigger states) give up after 2 s waiting for a lock (`lock_timeout`), since the
 * lock may be held by a transaction of the very thread that waits: a test that writes while the
 * engine runs (disables a trigger whose listener is emitting) uses the async API instead.
 */
import { createRequire } from "node:module";
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from "node:worker_threads";
import type { Execution } from "../../model/execution.ts";
import type { ExecutorState } from "../../executor/types.ts";
import type { QueueMessage, Topic } from "../queue.ts";
import type {
  ExecutionQuery,
  LogQuery,
  StoredExecution,
  StoredLog,
  StoredMetric,
  TriggerKey,
  TriggerState,
} from "../records.ts";
import type { Page } from "../search.ts";
import type { KvEntry, StateType } from "@saker/sdk";
import { executionSearch } from "./engineStores.ts";
import { documentsInOrder, documentsSql } from "./postgresReadModel.ts";
import { withRuns } from "../executionTexts.ts";
import { connectionConfig } from "./postgresBackend.ts";
import { toQueueMessage } from "./queueRow.ts";
import { KV_UPSERT, logWhere } from "./repositories.ts";
import { kvValues, toKvEntry, toLog, toMetric, toTriggerState } from "../rowMapping.ts";

/** The thread's program: plain CommonJS, so that it runs from sources and from dist alike. */
const THREAD_SOURCE = `
const { workerData } = require("node:worker_threads");
const pg = require(workerData.driver);
const flag = new Int32Array(workerData.flag);
const port = workerData.port;
const connection = workerData.connection;
const pool = new pg.Pool({ ...connection, options: (connection.options || "") + " -c lock_timeout=2s", max: 1 });
pool.on("error", () => undefined);
port.on("message", async ({ sql, params }) => {
  let answer;
  try {
    const result = await pool.query(sql, params);
    answer = { rows: result.rows };
  } catch (error) {
    answer = { error: String(error && error.message) };
  }
  port.postMessage(answer);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});
port.on("close", () => pool.end());
`;

export class SyncPostgres {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));

  constructor(url: string, schema = "public") {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(THREAD_SOURCE, {
      eval: true,
      workerData: {
        driver: createRequire(import.meta.url).resolve("pg"),
        connection: connectionConfig(url, schema),
        flag: this.flag.buffer,
        port: port2,
      },
      transferList: [port2],
    });
    this.worker.unref();
  }

  /** Runs a query and waits for its rows (30 s at most). */
  query<R>(sql: string, params: unknown[] = []): R[] {
    Atomics.store(this.flag, 0, 0);
    this.port.postMessage({ sql, params });
    if (Atomics.wait(this.flag, 0, 0, 30_000) === "timed-out") throw new Error(`no answer within 30 s to: ${sql}`);
    const answer = receiveMessageOnPort(this.port)?.message as { rows?: R[]; error?: string } | undefined;
    if (!answer) throw new Error(`no answer to: ${sql}`);
    if (answer.error !== undefined) throw new Error(answer.error);
    return answer.rows!;
  }

  async close(): Promise<void> {
    this.port.close();
    await this.worker.terminate();
  }
}

/**
 * The synchronous store calls the engine's tests make, over {@link SyncPostgres}: the same answers
 * as the SQLite stores'. Only reads.
 */
export function syncTestStores(sync: SyncPostgres) {
  const executions = {
    get(id: string): StoredExecution | undefined {
      const row = sync.query<{
        json: string;
        executor_state: string;
        finished: boolean;
        parent_execution_id: string | null;
        parent_task_run_id: string | null;
        runs: string[] | null;
      }>(
        `SELECT e.json, e.executor_state, e.finished, e.parent_execution_id, e.parent_task_run_id,
           ARRAY(SELECT r.json FROM task_runs r WHERE r.execution_id = e.id ORDER BY r.position) AS runs
         FROM executions e WHERE e.id = $1`,
        [id],
      )[0];
      if (!row) return undefined;
      return {
        execution: JSON.parse(withRuns(row.json, row.runs ?? [])) as Execution,
        executorState: JSON.parse(row.executor_state) as ExecutorState,
        finished: row.finished,
        ...(row.parent_execution_id ? { parentExecutionId: row.parent_execution_id } : {}),
        ...(row.parent_task_run_id ? { parentTaskRunId: row.parent_task_run_id } : {}),
      };
    },
    status(id: string): { state: StateType; finished: boolean } | undefined {
      return sync.query<{ state: StateType; finished: boolean }>(
        "SELECT state, finished FROM executions WHERE id = $1",
        [id],
      )[0];
    },
    childIds(parentExecutionId: string): string[] {
      return sync
        .query<{ id: string }>("SELECT id FROM executions WHERE parent_execution_id = $1", [parentExecutionId])
        .map((r) => r.id);
    },
    search(query: ExecutionQuery): Page<Execution> {
      const search = executionSearch(query);
      const ids = search.page(sync.query(search.sql, search.params));
      const rows = ids.page.length
        ? sync.query<Parameters<typeof documentsInOrder>[1][number]>(documentsSql(query.summary === true), [ids.page])
        : [];
      return { results: documentsInOrder(ids.page, rows), total: ids.total };
    },
    unfinishedIds(): string[] {
      return sync.query<{ id: string }>("SELECT id FROM executions WHERE NOT finished").map((r) => r.id);
    },
  };
  const logs = {
    find(query: LogQuery): StoredLog[] {
      const { clause, params } = logWhere(query);
      const order = query.newestFirst ? "timestamp DESC, seq ASC" : "seq";
      let limit = "";
      if (query.limit !== undefined) limit += ` LIMIT ${Math.max(0, Math.floor(query.limit))}`;
      if (query.offset) limit += ` OFFSET ${Math.max(0, Math.floor(query.offset))}`;
      return sync
        .query<Parameters<typeof toLog>[0]>(`SELECT * FROM logs ${clause} ORDER BY ${order}${limit}`, params)
        .map(toLog);
    },
    count(query: LogQuery): number {
      const { clause, params } = logWhere(query);
      return Number(sync.query<{ n: string }>(`SELECT COUNT(*) AS n FROM logs ${clause}`, params)[0]!.n);
    },
  };
  const metrics = {
    byExecution(executionId: string): StoredMetric[] {
      return sync
        .query<Record<string, string | number | null>>("SELECT * FROM metrics WHERE execution_id = $1 ORDER BY seq", [
          executionId,
        ])
        .map(toMetric);
    },
  };
  const triggers = {
    put(tenantId: string, state: TriggerState): TriggerState {
      const { namespace, flowId, triggerId, ...rest } = state;
      const stored = { ...rest, updatedDate: new Date().toISOString() };
      sync.query(
        `INSERT INTO triggers (tenant_id, namespace, flow_id, trigger_id, json) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (tenant_id, namespace, flow_id, trigger_id) DO UPDATE SET json = excluded.json`,
        [tenantId, namespace, flowId, triggerId, JSON.stringify(stored)],
      );
      return { ...stored, namespace, flowId, triggerId };
    },
    update(tenantId: string, key: TriggerKey, change: (current: TriggerState) => TriggerState): TriggerState {
      const current = triggers.get(tenantId, key) ?? { ...key };
      return triggers.put(tenantId, { ...change(current), ...key });
    },
    setDisabled(tenantId: string, key: TriggerKey, disabled: boolean): TriggerState {
      return triggers.update(tenantId, key, (current) => ({ ...current, disabled }));
    },
    get(tenantId: string, key: TriggerKey): TriggerState | undefined {
      const row = sync.query<Parameters<typeof toTriggerState>[0]>(
        "SELECT namespace, flow_id, trigger_id, json FROM triggers WHERE tenant_id = $1 AND namespace = $2 AND flow_id = $3 AND trigger_id = $4",
        [tenantId, key.namespace, key.flowId, key.triggerId],
      )[0];
      return row ? toTriggerState(row) : undefined;
    },
  };
  const kv = {
    set(tenantId: string, namespace: string, entry: KvEntry): void {
      sync.query(KV_UPSERT, kvValues(tenantId, namespace, entry));
    },
    delete(tenantId: string, namespace: string, key: string): boolean {
      return (
        sync.query<{ key: string }>(
          "DELETE FROM kv WHERE tenant_id = $1 AND namespace = $2 AND key = $3 RETURNING key",
          [tenantId, namespace, key],
        ).length > 0
      );
    },
    namespaces(tenantId: string): string[] {
      return sync
        .query<{ namespace: string }>(
          `SELECT namespace FROM kv WHERE tenant_id = $1 GROUP BY namespace ORDER BY namespace COLLATE "C"`,
          [tenantId],
        )
        .map((r) => r.namespace);
    },
    listAll(tenantId: string, namespace: string): KvEntry[] {
      return sync
        .query<Parameters<typeof toKvEntry>[0]>(
          `SELECT * FROM kv WHERE tenant_id = $1 AND namespace = $2 ORDER BY key COLLATE "C"`,
          [tenantId, namespace],
        )
        .map(toKvEntry);
    },
    get(tenantId: string, namespace: string, key: string): KvEntry | undefined {
      const row = sync.query<Parameters<typeof toKvEntry>[0]>(
        "SELECT * FROM kv WHERE tenant_id = $1 AND namespace = $2 AND key = $3",
        [tenantId, namespace, key],
      )[0];
      if (!row || (row.expiration_date && row.expiration_date <= new Date().toISOString())) return undefined;
      return toKvEntry(row);
    },
  };
  const queue = {
    claimed<T>(topic: Topic): QueueMessage<T>[] {
      return sync
        .query<Parameters<typeof toQueueMessage>[0]>(
          "SELECT seq, topic, key, payload, available_at FROM queue WHERE topic = $1 AND claimed_at IS NOT NULL ORDER BY seq",
          [topic],
        )
        .map((r) => toQueueMessage<T>(r));
    },
    hasKey(key: string): boolean {
      return sync.query("SELECT 1 FROM queue WHERE key = $1 LIMIT 1", [key]).length > 0;
    },
    size(topic: Topic): number {
      return Number(sync.query<{ n: string }>("SELECT COUNT(*) AS n FROM queue WHERE topic = $1", [topic])[0]!.n);
    },
  };
  return { executions, logs, metrics, triggers, kv, queue };
}
