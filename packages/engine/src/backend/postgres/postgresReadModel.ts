/**
 * The API's reads on PostgreSQL (`readModel.ts`): searches compiled by `sqlite/searchSql.ts` in
 * PostgreSQL's dialect (`searchDialect.ts`), with the SQLite stores' answers — the same order
 * (text by bytes, NULLs first when ascending), the same totals, the same documents.
 */
import type { LogLevel } from "@saker/sdk";
import type { Execution } from "../../model/execution.ts";
import type { ExecutionReads, LogReads, MetricReads, ReadModel } from "../readModel.ts";
import type { LogPurgeQuery, LogQuery, LogTuple, StoredLog } from "../records.ts";
import { toLog, type LogRow, type MetricRow } from "../rowMapping.ts";
import { LOG_COLUMNS } from "../searchColumns.ts";
import {
  aggregatesOf,
  METRIC_SORT_COLUMNS,
  toEntry,
  type MetricAggregateQuery,
  type MetricPageQuery,
} from "../metrics.ts";
import { bucketSize, bucketSql } from "../timeBuckets.ts";
import { compileSearch, type Page, type SearchQuery } from "../search.ts";
import type { PostgresExecutions } from "./executionRepository.ts";
import { withRuns } from "../executionTexts.ts";
import { logWhere } from "./repositories.ts";
import { PG_EXECUTION_COLUMNS, POSTGRES_DIALECT, searchError } from "./searchDialect.ts";
import { postgresStats } from "./postgresStats.ts";
import { withinNamespace, withinNamespaceParams, type Queryable } from "./sql.ts";

export interface DocumentRow {
  id: string;
  doc: string;
  runs: string[] | null;
}

/** The documents (or summaries) of the executions `$1` lists, runs put back. */
export function documentsSql(summary: boolean): string {
  const column = summary ? "summary" : "json";
  return `SELECT e.id, e.${column} AS doc,
    ARRAY(SELECT r.${column} FROM task_runs r WHERE r.execution_id = e.id ORDER BY r.position) AS runs
  FROM executions e WHERE e.id = ANY($1::text[])`;
}

export function documentsInOrder(ids: readonly string[], rows: readonly DocumentRow[]): Execution[] {
  const byId = new Map(rows.map((r) => [r.id, JSON.parse(withRuns(r.doc, r.runs ?? [])) as Execution]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** A query whose PostgreSQL error a bad search value caused becomes `SEARCH_INVALID`. */
async function searching<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw searchError(error);
  }
}

const count = (rows: readonly { n: string | number }[]) => Number(rows[0]?.n ?? 0);

/** The columns of a `LogTuple`, the head as the same JSON array SQLite's `json_array` gives. */
const TUPLE_COLUMNS = `seq, json_build_array(tenant_id, namespace, flow_id, execution_id, task_id, task_run_id, attempt_number, trigger_id, level)::text AS head, message, timestamp, thread`;

export function postgresReadModel(db: Queryable, stored: PostgresExecutions): ReadModel {
  async function documents(ids: readonly string[], summary: boolean): Promise<Execution[]> {
    if (ids.length === 0) return [];
    const { rows } = await db.query<DocumentRow>(documentsSql(summary), [[...ids]]);
    return documentsInOrder(ids, rows);
  }

  async function runsOf(id: string, column: "json" | "summary"): Promise<string[]> {
    const { rows } = await db.query<{ text: string }>(
      `SELECT ${column} AS text FROM task_runs WHERE execution_id = $1 ORDER BY position`,
      [id],
    );
    return rows.map((r) => r.text);
  }

  const executions: ExecutionReads = {
    searchSummaries: (tenantId: string, query: SearchQuery) =>
      searching(async () => {
        const search = compileSearch(PG_EXECUTION_COLUMNS, query, { dialect: POSTGRES_DIALECT, paramsBefore: 1 });
        const where = `tenant_id = $1 AND NOT deleted AND ${search.where}`;
        const params = [tenantId, ...search.params];
        const { rows: counted } = await db.query<{ n: string }>(
          `SELECT COUNT(*) AS n FROM executions WHERE ${where}`,
          params,
        );
        const total = count(counted);
        if (search.offset >= total) return { results: [], total };
        const n = params.length;
        const { rows } = await db.query<{ id: string }>(
          `SELECT id FROM executions WHERE ${where} ORDER BY ${search.orderBy} LIMIT $${n + 1} OFFSET $${n + 2}`,
          [...params, search.limit, search.offset],
        );
        return {
          results: await documents(
            rows.map((r) => r.id),
            true,
          ),
          total,
        };
      }),
    searchIds: (tenantId: string, query: Omit<SearchQuery, "page" | "size">) =>
      searching(async () => {
        const search = compileSearch(
          PG_EXECUTION_COLUMNS,
          { ...query, page: 1, size: 1 },
          { dialect: POSTGRES_DIALECT, paramsBefore: 1 },
        );
        const { rows } = await db.query<{ id: string }>(
          `SELECT id FROM executions WHERE tenant_id = $1 AND NOT deleted AND ${search.where} ORDER BY ${search.orderBy}`,
          [tenantId, ...search.params],
        );
        return rows.map((r) => r.id);
      }),
    async text(id: string) {
      const { rows } = await db.query<{ json: string; summary: string }>(
        "SELECT json, summary FROM executions WHERE id = $1",
        [id],
      );
      const row = rows[0];
      if (!row) return undefined;
      const [runs, summaries] = [await runsOf(id, "json"), await runsOf(id, "summary")];
      return { json: withRuns(row.json, runs), summary: JSON.parse(withRuns(row.summary, summaries)) as Execution };
    },
    async jsonText(id: string) {
      const { rows } = await db.query<{ json: string; deleted: boolean }>(
        `SELECT json, COALESCE((summary::json) ->> 'deleted' = 'true', FALSE) AS deleted FROM executions WHERE id = $1`,
        [id],
      );
      const row = rows[0];
      if (!row) return undefined;
      return { json: withRuns(row.json, await runsOf(id, "json")), deleted: row.deleted };
    },
    async executedFlows(tenantId: string) {
      const { rows } = await db.query<{ namespace: string; flowId: string }>(
        `SELECT DISTINCT namespace COLLATE "C" AS namespace, flow_id COLLATE "C" AS "flowId" FROM executions
         WHERE tenant_id = $1 AND NOT deleted ORDER BY 1, 2`,
        [tenantId],
      );
      return rows;
    },
    delete: (id: string) => stored.delete(id),
  };

  const logs: LogReads = {
    search: (base: LogQuery, query: SearchQuery) =>
      searching(async (): Promise<Page<StoredLog>> => {
        const { clause, params: baseParams } = logWhere(base);
        const search = compileSearch(
          LOG_COLUMNS,
          { ...query, sort: query.sort?.length ? query.sort : [{ field: "timestamp", desc: true }] },
          { dialect: POSTGRES_DIALECT, paramsBefore: baseParams.length },
        );
        const where = `${clause ? `${clause} AND` : "WHERE"} ${search.where}`;
        const params = [...baseParams, ...search.params];
        const { rows: counted } = await db.query<{ n: string }>(`SELECT COUNT(*) AS n FROM logs ${where}`, params);
        const total = count(counted);
        if (search.offset >= total) return { results: [], total };
        const n = params.length;
        const { rows } = await db.query<LogRow>(
          `SELECT * FROM logs ${where} ORDER BY ${search.orderBy} LIMIT $${n + 1} OFFSET $${n + 2}`,
          [...params, search.limit, search.offset],
        );
        return { results: rows.map(toLog), total };
      }),
    async *pages(query: LogQuery, size = 2000): AsyncGenerator<LogTuple[]> {
      const { clause, params } = logWhere({ ...query, afterSeq: undefined });
      const n = params.length;
      const sql = `SELECT ${TUPLE_COLUMNS} FROM logs ${clause ? `${clause} AND` : "WHERE"} seq > $${n + 1} ORDER BY seq LIMIT $${n + 2}`;
      let last = query.afterSeq ?? 0;
      for (;;) {
        const { rows } = await db.query<{
          seq: string;
          head: string;
          message: string;
          timestamp: string;
          thread: string | null;
        }>(sql, [...params, last, size]);
        if (rows.length === 0) return;
        const page = rows.map((r): LogTuple => [Number(r.seq), r.head, r.message, r.timestamp, r.thread]);
        last = page[page.length - 1]![0];
        yield page;
        if (rows.length < size) return;
      }
    },
    async deleteByExecution(executionId: string, levels?: readonly LogLevel[]): Promise<number> {
      const result = levels?.length
        ? await db.query("DELETE FROM logs WHERE execution_id = $1 AND level = ANY($2::text[])", [
            executionId,
            [...levels],
          ])
        : await db.query("DELETE FROM logs WHERE execution_id = $1", [executionId]);
      return result.rowCount ?? 0;
    },
    async deleteByFlow(tenantId: string, namespace: string, flowId: string, triggerId?: string): Promise<number> {
      const byTrigger = triggerId === undefined ? "" : " AND trigger_id = $4";
      const result = await db.query(
        `DELETE FROM logs WHERE tenant_id = $1 AND namespace = $2 AND flow_id = $3${byTrigger}`,
        [tenantId, namespace, flowId, ...(triggerId === undefined ? [] : [triggerId])],
      );
      return result.rowCount ?? 0;
    },
    async purge(query: LogPurgeQuery): Promise<number> {
      const where = ["tenant_id = $1", "timestamp <= $2"];
      const params: unknown[] = [query.tenantId, query.endDate];
      const add = (sql: (n: number) => string, ...values: unknown[]) => {
        where.push(sql(params.length + 1));
        params.push(...values);
      };
      if (query.startDate) add((n) => `timestamp >= $${n}`, query.startDate);
      if (query.namespace !== undefined && query.flowId !== undefined)
        add((n) => `namespace = $${n} AND flow_id = $${n + 1}`, query.namespace, query.flowId);
      else if (query.namespace !== undefined) add(withinNamespace, ...withinNamespaceParams(query.namespace));
      else if (query.flowId !== undefined) add((n) => `flow_id = $${n}`, query.flowId);
      if (query.levels?.length) add((n) => `level = ANY($${n}::text[])`, [...query.levels]);
      return (await db.query(`DELETE FROM logs WHERE ${where.join(" AND ")}`, params)).rowCount ?? 0;
    },
  };

  const metrics: MetricReads = {
    async page(query: MetricPageQuery) {
      const where = ["tenant_id = $1", "execution_id = $2"];
      const params: unknown[] = [query.tenantId, query.executionId];
      if (query.taskId !== undefined) {
        params.push(query.taskId);
        where.push(`task_id = $${params.length}`);
      } else if (query.taskRunId !== undefined) {
        params.push(query.taskRunId);
        where.push(`task_run_id = $${params.length}`);
      }
      const clause = where.join(" AND ");
      const { rows: counted } = await db.query<{ n: string }>(
        `SELECT COUNT(*) AS n FROM metrics WHERE ${clause}`,
        params,
      );
      const order = [
        ...query.sort.map((s) => {
          const column = METRIC_SORT_COLUMNS[s.column];
          const sql = column === "value" ? column : `${column} COLLATE "C"`;
          return `${sql} ${s.descending ? "DESC NULLS LAST" : "ASC NULLS FIRST"}`;
        }),
        "seq",
      ].join(", ");
      const n = params.length;
      const { rows } = await db.query<MetricRow>(
        `SELECT * FROM metrics WHERE ${clause} ORDER BY ${order} LIMIT $${n + 1} OFFSET $${n + 2}`,
        [...params, query.size, (query.page - 1) * query.size],
      );
      return { results: rows.map(toEntry), total: count(counted) };
    },
    async names(tenantId: string, namespace: string, flowId: string, taskId?: string) {
      const byTask = taskId === undefined ? "" : " AND task_id = $4";
      const { rows } = await db.query<{ name: string }>(
        `SELECT DISTINCT name COLLATE "C" AS name FROM metrics WHERE tenant_id = $1 AND namespace = $2 AND flow_id = $3${byTask} ORDER BY 1`,
        [tenantId, namespace, flowId, ...(taskId === undefined ? [] : [taskId])],
      );
      return rows.map((r) => r.name);
    },
    async tasks(tenantId: string, namespace: string, flowId: string) {
      const { rows } = await db.query<{ task_id: string }>(
        `SELECT DISTINCT task_id COLLATE "C" AS task_id FROM metrics
         WHERE tenant_id = $1 AND namespace = $2 AND flow_id = $3 AND task_id IS NOT NULL ORDER BY 1`,
        [tenantId, namespace, flowId],
      );
      return rows.map((r) => r.task_id);
    },
    async aggregate(query: MetricAggregateQuery) {
      const size = bucketSize(Date.parse(query.startDate), Date.parse(query.endDate));
      const bucket = bucketSql("timestamp", size, "postgres");
      const byTask = query.taskId === undefined ? "" : " AND task_id = $7";
      const { rows } = await db.query<{ bucket: string; value: number }>(
        `SELECT ${bucket} AS bucket, ${query.aggregation.toUpperCase()}(value) AS value FROM metrics
         WHERE tenant_id = $1 AND namespace = $2 AND flow_id = $3 AND name = $4 AND timestamp >= $5 AND timestamp <= $6${byTask}
         GROUP BY 1`,
        [
          query.tenantId,
          query.namespace,
          query.flowId,
          query.name,
          query.startDate,
          query.endDate,
          ...(query.taskId === undefined ? [] : [query.taskId]),
        ],
      );
      return aggregatesOf(
        rows.map((r) => ({ bucket: r.bucket, value: Number(r.value) })),
        query,
        size,
      );
    },
    async deleteByExecution(executionId: string): Promise<number> {
      return (await db.query("DELETE FROM metrics WHERE execution_id = $1", [executionId])).rowCount ?? 0;
    },
  };

  return { executions, logs, metrics, stats: postgresStats(db) };
}
