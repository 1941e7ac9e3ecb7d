import type { StateType } from "@saker/sdk";
import type { Execution } from "../../model/execution.ts";
import type { ExecutorState } from "../../executor/types.ts";
import { runTexts } from "../../model/taskRunIndex.ts";
import { headTexts, runSummary, withRuns } from "../executionTexts.ts";
import { statement, type SqliteDatabase } from "./database.ts";
import type { Page, SearchQuery } from "../search.ts";
import { executionColumns } from "../searchColumns.ts";
import { compileSqliteSearch } from "./searchSql.ts";
import { withinNamespace } from "./namespaceFilter.ts";
import type {
  StoredExecution,
  LoadedExecution,
  ExecutionQuery,
  ExecutionCountQuery,
  FlowExecutionCount,
} from "../records.ts";

/** Execution fields for filters and sorting, the summary read with `json_extract`. */
export const EXECUTION_COLUMNS = executionColumns({
  summaryPath: (...path) => `json_extract(summary, '$.${path.join(".")}')`,
  labels: "json_extract(summary, '$.labels')",
  naturalOrder: "start_date DESC, rowid DESC",
});

interface Row {
  json: string;
  executor_state: string;
  finished: number;
  parent_execution_id: string | null;
  parent_task_run_id: string | null;
}

/**
 * What lists show of an execution: everything but the outputs (of the task runs and of the
 * execution), which can weigh megabytes; `GET /executions/{id}` has them.
 */
export function executionSummary(x: Execution): Execution {
  const { outputs: _outputs, ...rest } = x;
  return {
    ...rest,
    taskRunList: x.taskRunList.map(({ outputs: _runOutputs, ...run }) => run as Execution["taskRunList"][number]),
  };
}

/** How many unfinished executions' column hints `ExecutionStore` keeps (then starts over). */
const MAX_COLUMN_HINTS = 4096;

/** The indexed columns an update may keep (see `updateBodyStmt`), as one string. */
function columnsKey(state: string, startDate: string, endDate: string | null, finished: number): string {
  return `${state}\u0000${startDate}\u0000${endDate ?? ""}\u0000${finished}`;
}

/**
 * Executions: one row each for everything but the task runs (`json`, and `summary` without the
 * outputs), and one row per task run in `task_runs`, so that a step writes the runs it changed
 * and not the whole document.
 */
export class ExecutionStore {
  private readonly getStmt;
  private readonly runsStmt;
  private readonly statusStmt;
  private readonly runSummariesStmt;
  private readonly updateStmt;
  private readonly updateBodyStmt;
  private readonly upsertRunStmt;
  private readonly trimRunsStmt;
  private readonly writeListeners = new Set<(id: string) => void>();
  /**
   * The indexed columns (state, dates, finished) as this connection last wrote or read them, by
   * unfinished execution: an update that changes them goes straight to the full statement
   * instead of first trying the one that keeps them (which would change no row). A hint only:
   * wrong (another writer, a rolled-back write), the update is just as correct.
   */
  private readonly columns = new Map<string, string>();

  constructor(private readonly db: SqliteDatabase) {
    this.getStmt = statement(
      db,
      "SELECT json, executor_state, finished, parent_execution_id, parent_task_run_id FROM executions WHERE id = ?",
    );
    this.statusStmt = statement(db, "SELECT state, finished FROM executions WHERE id = ?");
    this.runsStmt = db.prepare("SELECT json FROM task_runs WHERE execution_id = ? ORDER BY position").pluck();
    this.runSummariesStmt = statement(
      db,
      "SELECT summary FROM task_runs WHERE execution_id = ? ORDER BY position",
    ).pluck();
    this.updateStmt = statement(
      db,
      "UPDATE executions SET state = ?, start_date = ?, end_date = ?, finished = ?, json = ?, summary = ?, executor_state = ?, flow_revision = ? WHERE id = ?",
    );
    // A step that keeps the state, dates and `finished` (most do) leaves the indexed columns out,
    // so that SQLite does not rewrite the entries of the indexes over them.
    this.updateBodyStmt = statement(
      db,
      "UPDATE executions SET json = ?, summary = ?, executor_state = ?, flow_revision = ? WHERE id = ? AND state = ? AND start_date = ? AND end_date IS ? AND finished = ?",
    );
    this.upsertRunStmt = statement(
      db,
      "INSERT INTO task_runs (execution_id, position, json, summary) VALUES (?, ?, ?, ?) ON CONFLICT (execution_id, position) DO UPDATE SET json = excluded.json, summary = excluded.summary",
    );
    this.trimRunsStmt = statement(db, "DELETE FROM task_runs WHERE execution_id = ? AND position >= ?");
  }

  /** Called with the id of every execution written (inserted, updated, deleted), inside the write. */
  onWrite(listener: (id: string) => void): () => void {
    this.writeListeners.add(listener);
    return () => this.writeListeners.delete(listener);
  }

  private wrote(id: string): void {
    for (const listener of this.writeListeners) listener(id);
  }

  insert(stored: StoredExecution): void {
    const x = stored.execution;
    this.wrote(x.id);
    const { text, summary } = headTexts(x);
    statement(
      this.db,
      `INSERT INTO executions (id, tenant_id, namespace, flow_id, flow_revision, state, start_date, end_date, parent_execution_id, parent_task_run_id, finished, json, summary, executor_state)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
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
      stored.finished ? 1 : 0,
      text,
      summary,
      JSON.stringify(stored.executorState),
    );
    this.remember(
      x.id,
      columnsKey(x.state.current, x.state.startDate, x.state.endDate ?? null, stored.finished ? 1 : 0),
    );
    // a new id has no task runs stored (an execution's go with it when it is deleted): nothing to trim
    this.writeRuns(x, []);
  }

  get(id: string): StoredExecution | undefined {
    return this.load(id)?.stored;
  }

  /** An execution with the stored text of each of its task runs. */
  load(id: string): LoadedExecution | undefined {
    const row = this.getStmt.get(id) as Row | undefined;
    if (!row) return undefined;
    const runs = this.runsStmt.all(id) as string[];
    const stored: StoredExecution = {
      execution: JSON.parse(withRuns(row.json, runs)) as Execution,
      executorState: JSON.parse(row.executor_state) as ExecutorState,
      finished: row.finished === 1,
    };
    if (row.parent_execution_id) stored.parentExecutionId = row.parent_execution_id;
    if (row.parent_task_run_id) stored.parentTaskRunId = row.parent_task_run_id;
    return { stored, runs };
  }

  /**
   * An execution's JSON text as stored, to send it as it is (a large one is neither parsed nor
   * serialised again), with its summary to check it.
   */
  text(id: string): { json: string; summary: Execution } | undefined {
    const row = statement(this.db, "SELECT json, summary FROM executions WHERE id = ?").get(id) as
      { json: string; summary: string } | undefined;
    if (!row) return undefined;
    return {
      json: withRuns(row.json, this.runsStmt.all(id) as string[]),
      summary: JSON.parse(withRuns(row.summary, this.runSummariesStmt.all(id) as string[])) as Execution,
    };
  }

  /**
   * An execution's JSON text as stored, to send it as it is, and whether it is deleted: {@link text}
   * without reading and parsing its summary.
   */
  jsonText(id: string): { json: string; deleted: boolean } | undefined {
    const row = statement(
      this.db,
      "SELECT json, json_extract(summary, '$.deleted') AS deleted FROM executions WHERE id = ?",
    ).get(id) as { json: string; deleted: number | null } | undefined;
    if (!row) return undefined;
    return { json: withRuns(row.json, this.runsStmt.all(id) as string[]), deleted: !!row.deleted };
  }

  /** An execution's state and whether it is finished, without reading its document. */
  status(id: string): { state: StateType; finished: boolean } | undefined {
    const row = this.statusStmt.get(id) as { state: StateType; finished: number } | undefined;
    return row ? { state: row.state, finished: row.finished === 1 } : undefined;
  }

  /** Whether an execution (deleted or not) has this id, without reading its document. */
  has(id: string): boolean {
    return statement(this.db, "SELECT 1 FROM executions WHERE id = ?").get(id) !== undefined;
  }

  /**
   * Writes an execution. `previous`: the stored text of its task runs (from `load` or the last
   * `update`), when known: only the runs that differ are written. Returns the texts now stored.
   */
  update(
    execution: Execution,
    executorState: ExecutorState,
    finished: boolean,
    previous?: readonly string[],
  ): string[] {
    this.wrote(execution.id);
    const { text, summary } = headTexts(execution);
    const state = execution.state.current;
    const startDate = execution.state.startDate;
    const endDate = execution.state.endDate ?? null;
    const done = finished ? 1 : 0;
    const executor = JSON.stringify(executorState);
    const key = columnsKey(state, startDate, endDate, done);
    const known = this.columns.get(execution.id);
    this.remember(execution.id, key);
    const { changes } =
      known !== undefined && known !== key
        ? { changes: 0 }
        : this.updateBodyStmt.run(
            text,
            summary,
            executor,
            execution.flowRevision,
            execution.id,
            state,
            startDate,
            endDate,
            done,
          );
    if (changes === 0) {
      this.updateStmt.run(
        state,
        startDate,
        endDate,
        done,
        text,
        summary,
        executor,
        execution.flowRevision,
        execution.id,
      );
    }
    return this.writeRuns(execution, previous);
  }

  private remember(id: string, key: string | undefined): void {
    if (key === undefined || key.endsWith("\u00001")) {
      this.columns.delete(id);
      return;
    }
    if (this.columns.size >= MAX_COLUMN_HINTS && !this.columns.has(id)) this.columns.clear();
    this.columns.set(id, key);
  }

  private writeRuns(execution: Execution, previous: readonly string[] | undefined): string[] {
    const list = execution.taskRunList;
    const { texts: runs, changed } = runTexts(list, previous);
    for (const i of changed) this.upsertRunStmt.run(execution.id, i, runs[i], runSummary(list[i]!, runs[i]!));
    if (!previous || previous.length > runs.length) this.trimRunsStmt.run(execution.id, runs.length);
    return runs;
  }

  /** RUNNING and PAUSED executions of a flow, `except` excluded (for concurrency limits). */
  countRunning(tenantId: string, namespace: string, flowId: string, except: string): number {
    const row = statement(
      this.db,
      "SELECT COUNT(*) AS n FROM executions WHERE tenant_id = ? AND namespace = ? AND flow_id = ? AND state IN ('RUNNING', 'PAUSED') AND id <> ?",
    ).get(tenantId, namespace, flowId, except) as { n: number };
    return row.n;
  }

  oldestQueued(tenantId: string, namespace: string, flowId: string): string | undefined {
    const row = statement(
      this.db,
      "SELECT id FROM executions WHERE tenant_id = ? AND namespace = ? AND flow_id = ? AND state = 'QUEUED' ORDER BY start_date, rowid LIMIT 1",
    ).get(tenantId, namespace, flowId) as { id: string } | undefined;
    return row?.id;
  }

  unfinishedIds(): string[] {
    return (statement(this.db, "SELECT id FROM executions WHERE finished = 0").all() as { id: string }[]).map(
      (r) => r.id,
    );
  }

  childIds(parentExecutionId: string): string[] {
    return (
      statement(this.db, "SELECT id FROM executions WHERE parent_execution_id = ?").all(parentExecutionId) as {
        id: string;
      }[]
    ).map((r) => r.id);
  }

  search(query: ExecutionQuery): Page<Execution> {
    const where: string[] = ["tenant_id = ?", "deleted = 0"];
    const params: unknown[] = [query.tenantId];
    if (query.namespace && query.exactNamespace) {
      where.push("namespace = ?");
      params.push(query.namespace);
    } else if (query.namespace) {
      const within = withinNamespace(query.namespace);
      where.push(within.sql);
      params.push(...within.params);
    }
    if (query.finished !== undefined) {
      where.push("finished = ?");
      params.push(query.finished ? 1 : 0);
    }
    if (query.flowId) {
      where.push("flow_id = ?");
      params.push(query.flowId);
    }
    if (query.states?.length) {
      where.push(`state IN (${query.states.map(() => "?").join(", ")})`);
      params.push(...query.states);
    }
    if (query.startDate) {
      where.push("start_date >= ?");
      params.push(query.startDate);
    }
    if (query.endDate) {
      where.push("start_date <= ?");
      params.push(query.endDate);
    }
    if (query.parentExecutionId) {
      where.push("parent_execution_id = ?");
      params.push(query.parentExecutionId);
    }
    const clause = where.join(" AND ");
    const column = query.summary ? "summary" : "json";
    const order = `ORDER BY start_date ${query.sort === "asc" ? "ASC" : "DESC"}, rowid ${query.sort === "asc" ? "ASC" : "DESC"}`;
    const size = query.size ?? 25;
    const page = Math.max(1, query.page ?? 1);
    const runsOf = query.summary ? this.runSummariesStmt : this.runsStmt;
    const document = (id: string, doc: string) => JSON.parse(withRuns(doc, runsOf.all(id) as string[])) as Execution;
    const parse = (rows: unknown[]) => (rows as { id: string; doc: string }[]).map((r) => document(r.id, r.doc));
    const wanted = Object.entries(query.labels ?? {});
    if (wanted.length === 0) {
      // Paged in SQL: only the page's documents are read.
      const { n } = this.db.prepare(`SELECT COUNT(*) AS n FROM executions WHERE ${clause}`).get(...params) as {
        n: number;
      };
      const offset = (page - 1) * size;
      const rows =
        offset >= n
          ? []
          : this.db
              .prepare(`SELECT id, ${column} AS doc FROM executions WHERE ${clause} ${order} LIMIT ? OFFSET ?`)
              .all(...params, Math.min(size, n), offset);
      return { results: parse(rows), total: n };
    }
    // Labels live in the documents: filter on the summaries, then read the page.
    const ids = (
      this.db.prepare(`SELECT id, summary AS doc FROM executions WHERE ${clause} ${order}`).all(...params) as {
        id: string;
        doc: string;
      }[]
    )
      .filter((r) => {
        const labels = (JSON.parse(r.doc) as Execution).labels;
        return wanted.every(([k, v]) => labels.some((l) => l.key === k && (v === undefined || l.value === v)));
      })
      .map((r) => r.id);
    const pageIds = ids.slice((page - 1) * size, page * size);
    const byId = this.db.prepare(`SELECT ${column} AS doc FROM executions WHERE id = ?`);
    return {
      results: pageIds.map((id) => document(id, (byId.get(id) as { doc: string }).doc)),
      total: ids.length,
    };
  }

  /**
   * Summaries (see `executionSummary`) of the executions a search matches, newest first unless
   * sorted otherwise: filtered, sorted and paged by SQL, only the page's documents read.
   */
  searchSummaries(tenantId: string, query: SearchQuery): Page<Execution> {
    const search = compileSqliteSearch(this.db, EXECUTION_COLUMNS, query);
    const where = `tenant_id = ? AND deleted = 0 AND ${search.where}`;
    const params = [tenantId, ...search.params];
    const { n } = this.db.prepare(`SELECT COUNT(*) AS n FROM executions WHERE ${where}`).get(...params) as {
      n: number;
    };
    if (search.offset >= n) return { results: [], total: n };
    const rows = this.db
      .prepare(`SELECT id, summary FROM executions WHERE ${where} ORDER BY ${search.orderBy} LIMIT ? OFFSET ?`)
      .all(...params, search.limit, search.offset) as { id: string; summary: string }[];
    return {
      results: rows.map(
        (r) => JSON.parse(withRuns(r.summary, this.runSummariesStmt.all(r.id) as string[])) as Execution,
      ),
      total: n,
    };
  }

  /** The ids of the executions a search matches (every page), in the search's order. */
  searchIds(tenantId: string, query: Omit<SearchQuery, "page" | "size">): string[] {
    const search = compileSqliteSearch(this.db, EXECUTION_COLUMNS, { ...query, page: 1, size: 1 });
    return this.db
      .prepare(
        `SELECT id FROM executions WHERE tenant_id = ? AND deleted = 0 AND ${search.where} ORDER BY ${search.orderBy}`,
      )
      .pluck()
      .all(tenantId, ...search.params) as string[];
  }

  /** The namespace and flow id of every flow that has executions, sorted. */
  executedFlows(tenantId: string): { namespace: string; flowId: string }[] {
    return statement(
      this.db,
      "SELECT DISTINCT namespace, flow_id AS flowId FROM executions WHERE tenant_id = ? AND deleted = 0 ORDER BY namespace, flow_id",
    ).all(tenantId) as { namespace: string; flowId: string }[];
  }

  /**
   * Executions started between two dates, counted per flow, for the listed flows (exact) and
   * namespaces (exact), as Kestra's `executionCounts`.
   */
  countByFlow(query: ExecutionCountQuery): FlowExecutionCount[] {
    const where: string[] = ["tenant_id = ?", "deleted = 0", "start_date >= ?", "start_date <= ?"];
    const params: unknown[] = [query.tenantId, query.startDate, query.endDate];
    if (query.states?.length) {
      where.push(`state IN (${query.states.map(() => "?").join(", ")})`);
      params.push(...query.states);
    }
    const or: string[] = [];
    for (const flow of query.flows ?? []) {
      or.push("(namespace = ? AND flow_id = ?)");
      params.push(flow.namespace, flow.flowId);
    }
    for (const namespace of query.namespaces ?? []) {
      or.push("namespace = ?");
      params.push(namespace);
    }
    if (or.length === 0) return [];
    where.push(`(${or.join(" OR ")})`);
    const sql = `SELECT namespace, flow_id AS flowId, COUNT(*) AS count FROM executions WHERE ${where.join(" AND ")} GROUP BY namespace, flow_id ORDER BY namespace, flow_id`;
    return this.db.prepare(sql).all(...params) as FlowExecutionCount[];
  }

  delete(id: string): boolean {
    this.wrote(id);
    statement(this.db, "DELETE FROM task_runs WHERE execution_id = ?").run(id);
    return statement(this.db, "DELETE FROM executions WHERE id = ?").run(id).changes > 0;
  }
}
