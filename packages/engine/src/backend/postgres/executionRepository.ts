/**
 * Executions on PostgreSQL, stored as on SQLite: one row for everything but the task runs
 * (`json`, and `summary` without the outputs), one row per task run in `task_runs`, so that a
 * step writes only the runs it changed (`update` with the `previous` texts `load` returned).
 */
import type { StateType } from "@saker/sdk";
import type { ExecutorState } from "../../executor/types.ts";
import type { Execution } from "../../model/execution.ts";
import { runTexts } from "../../model/taskRunIndex.ts";
import { headTexts, runSummary, withRuns } from "../executionTexts.ts";
import type { ExecutionRepository } from "../backend.ts";
import type { LoadedExecution, StoredExecution } from "../records.ts";
import { WRITTEN_MEANWHILE } from "../fence.ts";
import { int, type ArrayWrite, type Atomic, type Queryable } from "./sql.ts";
import { batchWrite } from "./writeBatch.ts";

interface Row {
  revision: string;
  json: string;
  executor_state: string;
  finished: boolean;
  parent_execution_id: string | null;
  parent_task_run_id: string | null;
}

export class PostgresExecutions implements ExecutionRepository {
  constructor(
    private readonly db: Queryable,
    private readonly atomic: Atomic,
    private readonly writeListeners: Set<(id: string) => void>,
  ) {}

  onWrite(listener: (id: string) => void): () => void {
    this.writeListeners.add(listener);
    return () => this.writeListeners.delete(listener);
  }

  private wrote(id: string): void {
    for (const listener of this.writeListeners) listener(id);
  }

  insert(stored: StoredExecution): Promise<void> {
    const x = stored.execution;
    this.wrote(x.id);
    const { text, summary } = headTexts(x);
    const row = [
      x.id,
      x.tenantId ?? "main",
      x.namespace,
      x.flowId,
      x.flowRevision,
      x.state.current,
      x.state.startDate,
      x.state.endDate ?? null,
      stored.parentExecutionId ?? null,
      stored.parentTaskRunId ?? null,
      stored.finished,
      text,
      summary,
      JSON.stringify(stored.executorState),
    ];
    // the row and its runs in one statement (or in the transaction's batch)
    return batchWrite(
      this.db,
      [{ text: INSERT_EXECUTIONS, values: row.map((v) => [v]) }, ...runWrites(x.id, runWrite(x, undefined))],
      [x.id],
    );
  }

  async get(id: string): Promise<StoredExecution | undefined> {
    return (await this.load(id))?.stored;
  }

  async load(id: string, options: { lock?: boolean } = {}): Promise<LoadedExecution | undefined> {
    // one statement: the row and its runs from the same snapshot (a locked row read as committed
    // once its lock is granted: READ COMMITTED reads a row FOR UPDATE again after waiting)
    const { rows } = await this.db.query<Row & { runs: string[] | null }>(
      `SELECT e.revision, e.json, e.executor_state, e.finished, e.parent_execution_id, e.parent_task_run_id,
         ARRAY(SELECT r.json FROM task_runs r WHERE r.execution_id = e.id ORDER BY r.position) AS runs
       FROM executions e WHERE e.id = $1${options.lock ? " FOR UPDATE OF e" : ""}`,
      [id],
    );
    const row = rows[0];
    if (!row) return undefined;
    const runs = row.runs ?? [];
    return {
      stored: {
        execution: JSON.parse(withRuns(row.json, runs)) as Execution,
        executorState: JSON.parse(row.executor_state) as ExecutorState,
        finished: row.finished,
        ...(row.parent_execution_id ? { parentExecutionId: row.parent_execution_id } : {}),
        ...(row.parent_task_run_id ? { parentTaskRunId: row.parent_task_run_id } : {}),
      },
      runs,
      revision: int(row.revision),
    };
  }

  async status(id: string): Promise<{ state: StateType; finished: boolean } | undefined> {
    const { rows } = await this.db.query<{ state: StateType; finished: boolean }>(
      "SELECT state, finished FROM executions WHERE id = $1",
      [id],
    );
    const row = rows[0];
    return row ? { state: row.state, finished: row.finished } : undefined;
  }

  update(
    execution: Execution,
    executorState: ExecutorState,
    finished: boolean,
    previous?: readonly string[],
    revision?: number,
  ): Promise<string[]> {
    this.wrote(execution.id);
    const { text, summary } = headTexts(execution);
    const runs = runWrite(execution, previous);
    // the columns as of the call, as on SQLite (the caller may change the execution meanwhile)
    const params = [
      execution.state.current,
      execution.state.startDate,
      execution.state.endDate ?? null,
      finished,
      text,
      summary,
      JSON.stringify(executorState),
      execution.flowRevision,
      execution.id,
    ];
    // at a revision: written only if the row is still at it, else the transaction fails (fence.ts)
    const row: ArrayWrite =
      revision === undefined
        ? { text: UPDATE_EXECUTIONS, values: params.map((v) => [v]) }
        : {
            text: UPDATE_EXECUTIONS_AT,
            values: [...params, revision].map((v) => [v]),
            expect: { rows: 1, code: WRITTEN_MEANWHILE },
          };
    // the row and its runs in one statement (or in the transaction's batch); the texts are known now
    return batchWrite(this.db, [row, ...runWrites(execution.id, runs)], [execution.id]).then(() => runs.runs);
  }

  /**
   * In a transaction: fails it (`WRITTEN_MEANWHILE`) unless the execution is at `revision`, and
   * keeps it there until the commit (row lock). For a step that acknowledges messages without
   * writing the execution.
   */
  fence(id: string, revision: number): Promise<void> {
    return batchWrite(
      this.db,
      [{ text: FENCE_EXECUTIONS, values: [[id], [revision]], expect: { rows: 1, code: WRITTEN_MEANWHILE } }],
      [id],
    );
  }

  async admit(tenantId: string, namespace: string, flowId: string, limit: number, id: string): Promise<void> {
    // the flow's lock first: the count then sees every admission committed before it
    await this.db.query("SELECT pg_advisory_xact_lock(hashtext($1))", [
      `saker_concurrency ${JSON.stringify([tenantId, namespace, flowId])}`,
    ]);
    const running = await this.countRunning(tenantId, namespace, flowId, id);
    if (running >= limit)
      throw Object.assign(
        new Error(`${namespace}.${flowId}: ${running} running already, the concurrency limit is ${limit}`),
        { code: WRITTEN_MEANWHILE },
      );
  }

  async countRunning(tenantId: string, namespace: string, flowId: string, except: string): Promise<number> {
    const { rows } = await this.db.query<{ n: string }>(
      "SELECT COUNT(*) AS n FROM executions WHERE tenant_id = $1 AND namespace = $2 AND flow_id = $3 AND state IN ('RUNNING', 'PAUSED') AND id <> $4",
      [tenantId, namespace, flowId, except],
    );
    return Number(rows[0]!.n);
  }

  async oldestQueued(tenantId: string, namespace: string, flowId: string): Promise<string | undefined> {
    const { rows } = await this.db.query<{ id: string }>(
      "SELECT id FROM executions WHERE tenant_id = $1 AND namespace = $2 AND flow_id = $3 AND state = 'QUEUED' ORDER BY start_date, row_seq LIMIT 1",
      [tenantId, namespace, flowId],
    );
    return rows[0]?.id;
  }

  async childIds(parentExecutionId: string): Promise<string[]> {
    const { rows } = await this.db.query<{ id: string }>("SELECT id FROM executions WHERE parent_execution_id = $1", [
      parentExecutionId,
    ]);
    return rows.map((r) => r.id);
  }

  /** Deletes an execution and its task runs (purges); false when there was none. */
  delete(id: string): Promise<boolean> {
    this.wrote(id);
    return this.atomic(async (db) => {
      await db.query("DELETE FROM task_runs WHERE execution_id = $1", [id]);
      const { rowCount } = await db.query("DELETE FROM executions WHERE id = $1", [id]);
      return (rowCount ?? 0) > 0;
    });
  }
}

/** The task run texts of a write, worked out when the call is made (the list may change while it waits). */
interface RunWrite {
  runs: string[];
  changed: number[];
  summaries: string[];
  trim: boolean;
}

function runWrite(execution: Execution, previous: readonly string[] | undefined): RunWrite {
  const list = execution.taskRunList;
  const { texts: runs, changed } = runTexts(list, previous);
  return {
    runs,
    changed,
    summaries: changed.map((i) => runSummary(list[i]!, runs[i]!)),
    trim: !previous || previous.length > runs.length,
  };
}

/** The statements writing the task runs that differ from the previous texts and trimming the ones past the list. */
function runWrites(id: string, write: RunWrite): ArrayWrite[] {
  const { runs, changed } = write;
  const writes: ArrayWrite[] = [];
  if (changed.length > 0)
    writes.push({
      text: UPSERT_RUNS,
      values: [changed.map(() => id), changed, changed.map((i) => runs[i]!), write.summaries],
    });
  if (write.trim) writes.push({ text: TRIM_RUNS, values: [[id], [runs.length]] });
  return writes;
}

// Batchable statements (every parameter an array, see writeBatch.ts).
const INSERT_EXECUTIONS = `INSERT INTO executions (id, tenant_id, namespace, flow_id, flow_revision, state, start_date, end_date, parent_execution_id, parent_task_run_id, finished, json, summary, executor_state)
  SELECT i, t, ns, f, fr, st, sd, ed, pe, pt, fin, j, s, es
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::boolean[], $12::text[], $13::text[], $14::text[])
    WITH ORDINALITY AS x(i, t, ns, f, fr, st, sd, ed, pe, pt, fin, j, s, es, n)
  ORDER BY n`;
const UPDATE_EXECUTIONS = `UPDATE executions AS e SET state = u.st, start_date = u.sd, end_date = u.ed, finished = u.fin, json = u.j, summary = u.s, executor_state = u.es, flow_revision = u.fr, revision = e.revision + 1
  FROM unnest($1::text[], $2::text[], $3::text[], $4::boolean[], $5::text[], $6::text[], $7::text[], $8::int[], $9::text[]) AS u(st, sd, ed, fin, j, s, es, fr, i)
  WHERE e.id = u.i`;
/** The same at a revision (fenced: one row per execution written, see `update`). */
const UPDATE_EXECUTIONS_AT = `UPDATE executions AS e SET state = u.st, start_date = u.sd, end_date = u.ed, finished = u.fin, json = u.j, summary = u.s, executor_state = u.es, flow_revision = u.fr, revision = e.revision + 1
  FROM unnest($1::text[], $2::text[], $3::text[], $4::boolean[], $5::text[], $6::text[], $7::text[], $8::int[], $9::text[], $10::bigint[]) AS u(st, sd, ed, fin, j, s, es, fr, i, r)
  WHERE e.id = u.i AND e.revision = u.r
  RETURNING 1`;
const FENCE_EXECUTIONS = `SELECT 1 FROM executions AS e, unnest($1::text[], $2::bigint[]) AS u(i, r)
  WHERE e.id = u.i AND e.revision = u.r
  FOR UPDATE OF e`;
const UPSERT_RUNS = `INSERT INTO task_runs (execution_id, position, json, summary)
  SELECT i, p, j, s FROM unnest($1::text[], $2::int[], $3::text[], $4::text[]) AS r(i, p, j, s)
  ON CONFLICT (execution_id, position) DO UPDATE SET json = excluded.json, summary = excluded.summary`;
const TRIM_RUNS = `DELETE FROM task_runs AS r USING unnest($1::text[], $2::int[]) AS u(i, n)
  WHERE r.execution_id = u.i AND r.position >= u.n`;
