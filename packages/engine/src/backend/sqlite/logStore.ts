import type { LogLevel } from "@saker/sdk";
import type { LogEntry } from "../../executor/types.ts";
import { statement, type SqliteDatabase } from "./database.ts";
import { withinNamespace } from "./namespaceFilter.ts";
import type { Page, SearchQuery } from "../search.ts";
import { LOG_COLUMNS } from "../searchColumns.ts";
import { compileSqliteSearch } from "./searchSql.ts";
import type { StoredLog, LogQuery, LogTuple, LogPurgeQuery } from "../records.ts";
import { levelRank, toLog, type LogRow } from "../rowMapping.ts";

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
    const search = compileSqliteSearch(this.db, LOG_COLUMNS, {
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
      const within = withinNamespace(query.namespace);
      where.push(within.sql);
      params.push(...within.params);
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
 * text is worked out once per distinct value: `backend/logTupleReader.ts`).
 */
const TUPLE_COLUMNS =
  "seq, json_array(tenant_id, namespace, flow_id, execution_id, task_id, task_run_id, attempt_number, trigger_id, level) AS head, message, timestamp, thread";
