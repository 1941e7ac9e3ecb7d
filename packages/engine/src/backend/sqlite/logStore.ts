import type { LogLevel } from "@saker/sdk";
import type { LogEntry } from "../../executor/types.ts";
import { statement, type SqliteDatabase } from "./database.ts";
import { withinNamespace } from "./namespaceFilter.ts";
import {
  compileSearch,
  registerSearchFunctions,
  type Page,
  type SearchColumns,
  type SearchQuery,
} from "./searchSql.ts";
import type { StoredLog, LogQuery, LogTuple } from "../records.ts";
import { levelRank, toLog, type LogRow } from "../rowMapping.ts";
export type { StoredLog, LogQuery, LogTuple } from "../records.ts";

/** Log fields for filters and sorting. */
export const LOG_COLUMNS: SearchColumns = {
  fields: {
    namespace: { sql: "namespace", kind: "text" },
    flowId: { sql: "flow_id", kind: "text" },
    executionId: { sql: "execution_id", kind: "text" },
    taskId: { sql: "task_id", kind: "text" },
    taskRunId: { sql: "task_run_id", kind: "text" },
    triggerId: { sql: "trigger_id", kind: "text" },
    level: { sql: "level", kind: "text" },
    timestamp: { sql: "timestamp", kind: "date" },
    startDate: { sql: "timestamp", kind: "date" },
    endDate: { sql: "timestamp", kind: "date" },
  },
  text: ["message", "coalesce(task_id, '')", "coalesce(execution_id, '')"],
  naturalOrder: "seq",
};

export interface LogPurgeQuery {
  tenantId: string;
  namespace?: string;
  flowId?: string;
  levels?: readonly LogLevel[];
  /** ISO instants, inclusive. */
  startDate?: string;
  endDate: string;
}

export class LogStore {
  private readonly insertStmt;

  constructor(private readonly db: SqliteDatabase) {
    this.insertStmt = db.prepare(
      `INSERT INTO logs (tenant_id, namespace, flow_id, execution_id, task_id, task_run_id, attempt_number, trigger_id, level, level_rank, message, timestamp, thread)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  /** Appends entries; call inside a transaction to batch them. */
  append(entries: readonly LogEntry[]): void {
    for (const e of entries) {
      this.insertStmt.run(
        e.tenantId ?? "main",
        e.namespace,
        e.flowId,
        e.executionId ?? null,
        e.taskId ?? null,
        e.taskRunId ?? null,
        e.attemptNumber ?? null,
        e.triggerId ?? null,
        e.level,
        levelRank(e.level),
        e.message,
        e.timestamp,
        e.thread ?? null,
      );
    }
  }

  find(query: LogQuery): StoredLog[] {
    const { clause, params } = whereOf(query);
    const order = query.newestFirst ? "timestamp DESC, seq ASC" : "seq";
    const limit =
      query.limit !== undefined || query.offset
        ? ` LIMIT ${Math.floor(query.limit ?? -1)} OFFSET ${Math.floor(query.offset ?? 0)}`
        : "";
    return (this.db.prepare(`SELECT * FROM logs ${clause} ORDER BY ${order}${limit}`).all(...params) as LogRow[]).map(
      toLog,
    );
  }

  /**
   * The entries `query` selects in written order, a page of at most `size` rows at a time, each
   * row a {@link LogTuple}. Each page is read whole before it is given (keyset paging on `seq`): no
   * statement stays open between pages, so the caller may wait (for a slow client) between them,
   * and an answer of 100,000 lines never becomes one array. `limit`, `offset` and `newestFirst`
   * do not apply.
   */
  *pages(query: LogQuery, size = 2000): Generator<LogTuple[]> {
    const { clause, params } = whereOf({ ...query, afterSeq: undefined });
    const stmt = this.db
      .prepare(`SELECT ${TUPLE_COLUMNS} FROM logs ${clause ? `${clause} AND` : "WHERE"} seq > ? ORDER BY seq LIMIT ?`)
      .raw();
    let last = query.afterSeq ?? 0;
    for (;;) {
      const rows = stmt.all(...params, last, size) as LogTuple[];
      if (rows.length === 0) return;
      last = rows[rows.length - 1]![0];
      yield rows;
      if (rows.length < size) return;
    }
  }

  /**
   * The logs `base` selects that a search matches: filtered, sorted (newest first unless told
   * otherwise) and paged by SQL.
   */
  search(base: LogQuery, query: SearchQuery): Page<StoredLog> {
    registerSearchFunctions(this.db);
    const search = compileSearch(LOG_COLUMNS, {
      ...query,
      sort: query.sort?.length ? query.sort : [{ field: "timestamp", desc: true }],
    });
    const { clause, params: baseParams } = whereOf(base);
    const where = `${clause ? `${clause} AND` : "WHERE"} ${search.where}`;
    const params = [...baseParams, ...search.params];
    const { n } = this.db.prepare(`SELECT COUNT(*) AS n FROM logs ${where}`).get(...params) as { n: number };
    if (search.offset >= n) return { results: [], total: n };
    const rows = this.db
      .prepare(`SELECT * FROM logs ${where} ORDER BY ${search.orderBy} LIMIT ? OFFSET ?`)
      .all(...params, search.limit, search.offset) as LogRow[];
    return { results: rows.map(toLog), total: n };
  }

  count(query: LogQuery): number {
    const { clause, params } = whereOf(query);
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM logs ${clause}`).get(...params) as { n: number }).n;
  }

  deleteByExecution(executionId: string, levels?: readonly LogLevel[]): number {
    if (levels?.length) {
      return this.db
        .prepare(`DELETE FROM logs WHERE execution_id = ? AND level IN (${levels.map(() => "?").join(", ")})`)
        .run(executionId, ...levels).changes;
    }
    return statement(this.db, "DELETE FROM logs WHERE execution_id = ?").run(executionId).changes;
  }

  /**
   * Deletes logs up to `endDate` (and from `startDate`): of a flow, or of a namespace and the
   * namespaces below it when no flow is given, optionally only some levels. Returns how many went.
   */
  purge(query: LogPurgeQuery): number {
    const where: string[] = ["tenant_id = ?", "timestamp <= ?"];
    const params: unknown[] = [query.tenantId, query.endDate];
    if (query.startDate) {
      where.push("timestamp >= ?");
      params.push(query.startDate);
    }
    if (query.namespace !== undefined && query.flowId !== undefined) {
      where.push("namespace = ? AND flow_id = ?");
      params.push(query.namespace, query.flowId);
    } else if (query.namespace !== undefined) {
      where.push("(namespace = ? OR namespace LIKE ?)");
      params.push(query.namespace, `${query.namespace}.%`);
    } else if (query.flowId !== undefined) {
      where.push("flow_id = ?");
      params.push(query.flowId);
    }
    if (query.levels?.length) {
      where.push(`level IN (${query.levels.map(() => "?").join(", ")})`);
      params.push(...query.levels);
    }
    return this.db.prepare(`DELETE FROM logs WHERE ${where.join(" AND ")}`).run(...params).changes;
  }

  /** Deletes a flow's logs (its executions' and its triggers'), or only one trigger's. */
  deleteByFlow(tenantId: string, namespace: string, flowId: string, triggerId?: string): number {
    const byTrigger = triggerId === undefined ? "" : " AND trigger_id = ?";
    return this.db
      .prepare(`DELETE FROM logs WHERE tenant_id = ? AND namespace = ? AND flow_id = ?${byTrigger}`)
      .run(tenantId, namespace, flowId, ...(triggerId === undefined ? [] : [triggerId])).changes;
  }
}

function whereOf(query: LogQuery): { clause: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const eq = (column: string, value: unknown) => {
    if (value === undefined) return;
    where.push(`${column} = ?`);
    params.push(value);
  };
  eq("tenant_id", query.tenantId);
  eq("execution_id", query.executionId);
  eq("namespace", query.namespace);
  if (query.namespacePrefix !== undefined) {
    const within = withinNamespace(query.namespacePrefix);
    where.push(within.sql);
    params.push(...within.params);
  }
  eq("flow_id", query.flowId);
  eq("task_id", query.taskId);
  if (query.taskIds) {
    where.push(`task_id IN (${query.taskIds.map(() => "?").join(", ") || "NULL"})`);
    params.push(...query.taskIds);
  }
  eq("task_run_id", query.taskRunId);
  eq("attempt_number", query.attemptNumber);
  if (query.minLevel) {
    where.push("level_rank >= ?");
    params.push(levelRank(query.minLevel));
  }
  if (query.afterSeq !== undefined) {
    where.push("seq > ?");
    params.push(query.afterSeq);
  }
  if (query.startDate) {
    where.push("timestamp >= ?");
    params.push(query.startDate);
  }
  if (query.endDate) {
    where.push("timestamp <= ?");
    params.push(query.endDate);
  }
  return { clause: where.length ? `WHERE ${where.join(" AND ")}` : "", params };
}

/**
 * The columns of a {@link LogTuple}, in its order: the fields before the message as one JSON array
 * built by SQLite (they repeat from row to row: one string read instead of nine, and its JSON
 * text is worked out once per distinct value, see {@link LogTupleReader}).
 */
const TUPLE_COLUMNS =
  "seq, json_array(tenant_id, namespace, flow_id, execution_id, task_id, task_run_id, attempt_number, trigger_id, level) AS head, message, timestamp, thread";

/** The fields of a {@link LogTuple}'s head, in its order. */
type LogHead = [
  tenantId: string,
  namespace: string,
  flowId: string,
  executionId: string | null,
  taskId: string | null,
  taskRunId: string | null,
  attemptNumber: number | null,
  triggerId: string | null,
  level: LogLevel,
];

const q = JSON.stringify;

/**
 * Reads {@link LogTuple}s: each head is parsed, and its JSON text built, once per distinct value
 * (a bounded memory: it is emptied when it grows large).
 */
export class LogTupleReader {
  private readonly heads = new Map<string, { fields: LogHead; prefix: string }>();

  private head(text: string): { fields: LogHead; prefix: string } {
    let head = this.heads.get(text);
    if (head) return head;
    const f = JSON.parse(text) as LogHead;
    // the fields before the message in the order `toLog` gives them, up to `"message":`
    let s = f[0] !== "main" ? `{"tenantId":${q(f[0])},"namespace":` : `{"namespace":`;
    s += `${q(f[1])},"flowId":${q(f[2])}`;
    if (f[3]) s += `,"executionId":${q(f[3])}`;
    if (f[4]) s += `,"taskId":${q(f[4])}`;
    if (f[5]) s += `,"taskRunId":${q(f[5])}`;
    if (f[6] !== null) s += `,"attemptNumber":${q(f[6])}`;
    if (f[7]) s += `,"triggerId":${q(f[7])}`;
    s += `,"level":${q(f[8])},"message":`;
    if (this.heads.size >= 10_000) this.heads.clear();
    this.heads.set(text, (head = { fields: f, prefix: s }));
    return head;
  }

  level(t: LogTuple): LogLevel {
    return this.head(t[1]).fields[8];
  }

  /** The entry as a {@link StoredLog}. */
  log(t: LogTuple): StoredLog {
    const f = this.head(t[1]).fields;
    return toLog({
      seq: t[0],
      tenant_id: f[0],
      namespace: f[1],
      flow_id: f[2],
      execution_id: f[3],
      task_id: f[4],
      task_run_id: f[5],
      attempt_number: f[6],
      trigger_id: f[7],
      level: f[8],
      message: t[2],
      timestamp: t[3],
      thread: t[4],
    });
  }

  /**
   * `JSON.stringify` of the entry without its `seq` and with `message` in its place: the same
   * text, fields in the same order as `toLog` gives them, built without an object per row.
   */
  json(t: LogTuple, message: string): string {
    const tail = t[4] ? `,"timestamp":${q(t[3])},"thread":${q(t[4])}}` : `,"timestamp":${q(t[3])}}`;
    return this.head(t[1]).prefix + q(message) + tail;
  }
}
