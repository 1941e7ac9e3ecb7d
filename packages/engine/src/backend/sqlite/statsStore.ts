/**
 * Statistics over executions and logs, aggregated in SQLite's SQL (counts per state or level and
 * time bucket, durations; `../stats.ts` fills the rows into the answers): what Kestra's
 * dashboards read (its `dailyStatistics`, `dailyGroupByFlowStatistics`,
 * `executionCountsGroupedByNamespace`, `lastExecutions` and the log `statistics`). Only the
 * grouped rows leave the database, never the documents.
 */
import type { LogLevel } from "@saker/sdk";
import type { Execution } from "../../model/execution.ts";
import type { SqliteDatabase } from "./database.ts";
import { levelRank } from "../rowMapping.ts";
import { withinNamespace } from "./namespaceFilter.ts";
import { likeContains } from "../like.ts";
import { bucketSql, type BucketSize } from "../timeBuckets.ts";
import {
  countsOf,
  executionsByFlow,
  fillExecutions,
  fillLogs,
  latestInOrder,
  periodBucketSize,
  type DailyExecutionStats,
  type DailyLogStats,
  type ExecutionCounts,
  type ExecutionRow,
  type ExecutionStatsQuery,
  type LogStatsQuery,
  type StatsPeriod,
} from "../stats.ts";

/** Milliseconds from the start to the end of an execution (to `now` while it runs). */
const DURATION_MS = "(julianday(COALESCE(end_date, ?)) - julianday(start_date)) * 86400000.0";

export class StatsStore {
  constructor(private readonly db: SqliteDatabase) {}

  /** Executions started in the period, per time bucket: counts per state and durations. */
  dailyExecutions(query: ExecutionStatsQuery): DailyExecutionStats[] {
    const size = this.size(query);
    return fillExecutions(this.executionRows(query, size, []), query, size);
  }

  /**
   * `dailyExecutions` per namespace and flow (`byNamespaceOnly`: per namespace, under the flow key
   * `*`), for the namespaces and flows that have executions in the period.
   */
  dailyExecutionsByFlow(
    query: ExecutionStatsQuery,
    byNamespaceOnly: boolean,
  ): Record<string, Record<string, DailyExecutionStats[]>> {
    const size = this.size(query);
    const rows = this.executionRows(query, size, byNamespaceOnly ? ["namespace"] : ["namespace", "flow_id"]);
    return executionsByFlow(rows, query, size, byNamespaceOnly);
  }

  /** Executions started in the period, counted per namespace (exact `namespace` when given) and state. */
  countsByNamespace(query: StatsPeriod & { namespace?: string }): Record<string, ExecutionCounts> {
    const where = ["tenant_id = ?", "deleted = 0", "start_date >= ?", "start_date <= ?"];
    const params: unknown[] = [query.tenantId, query.startDate, query.endDate];
    if (query.namespace !== undefined) {
      where.push("namespace = ?");
      params.push(query.namespace);
    }
    const rows = this.db
      .prepare(
        `SELECT namespace, state, COUNT(*) AS count FROM executions WHERE ${where.join(" AND ")} GROUP BY namespace, state ORDER BY namespace`,
      )
      .all(...params) as { namespace: string; state: string; count: number }[];
    return countsOf(rows);
  }

  /** The execution of each flow that ended last (summaries: without outputs), in the order of `flows`. */
  latestByFlow(tenantId: string, flows: readonly { namespace: string; id: string }[]): Execution[] {
    if (flows.length === 0) return [];
    const or = flows.map(() => "(namespace = ? AND flow_id = ?)").join(" OR ");
    const rows = this.db
      .prepare(
        `SELECT namespace, flow_id, summary FROM (
           SELECT namespace, flow_id, summary, ROW_NUMBER() OVER (PARTITION BY namespace, flow_id ORDER BY end_date DESC, rowid DESC) AS n
           FROM executions WHERE tenant_id = ? AND deleted = 0 AND end_date IS NOT NULL AND (${or})
         ) WHERE n = 1`,
      )
      .all(tenantId, ...flows.flatMap((f) => [f.namespace, f.id])) as {
      namespace: string;
      flow_id: string;
      summary: string;
    }[];
    return latestInOrder(flows, rows);
  }

  /** Log lines written in the period, per time bucket and level. */
  dailyLogs(query: LogStatsQuery): DailyLogStats[] {
    const size = this.size(query);
    const where = ["tenant_id = ?", "timestamp >= ?", "timestamp <= ?"];
    const params: unknown[] = [query.tenantId, query.startDate, query.endDate];
    this.flowFilter(where, params, query.namespace, query.flowId);
    if (query.minLevel) {
      where.push("level_rank >= ?");
      params.push(levelRank(query.minLevel));
    }
    if (query.q) {
      where.push("message LIKE ? ESCAPE '\\'");
      params.push(likeContains(query.q));
    }
    const bucket = bucketSql("timestamp", size);
    const rows = this.db
      .prepare(
        `SELECT ${bucket} AS bucket, level, COUNT(*) AS count FROM logs WHERE ${where.join(" AND ")} GROUP BY ${bucket}, level`,
      )
      .all(...params) as { bucket: string; level: LogLevel; count: number }[];
    return fillLogs(rows, query, size);
  }

  private size(period: StatsPeriod): BucketSize {
    return periodBucketSize(period);
  }

  private flowFilter(
    where: string[],
    params: unknown[],
    namespace: string | undefined,
    flowId: string | undefined,
  ): void {
    if (namespace !== undefined && flowId !== undefined) {
      where.push("namespace = ?");
      params.push(namespace);
    } else if (namespace !== undefined) {
      const within = withinNamespace(namespace);
      where.push(within.sql);
      params.push(...within.params);
    }
    if (flowId !== undefined) {
      where.push("flow_id = ?");
      params.push(flowId);
    }
  }

  private executionRows(
    query: ExecutionStatsQuery,
    size: BucketSize,
    groups: ("namespace" | "flow_id")[],
  ): ExecutionRow[] {
    const where = ["tenant_id = ?", "deleted = 0", "start_date >= ?", "start_date <= ?"];
    const params: unknown[] = [
      new Date().toISOString(),
      new Date().toISOString(),
      new Date().toISOString(),
      query.tenantId,
      query.startDate,
      query.endDate,
    ];
    this.flowFilter(where, params, query.namespace, query.flowId);
    if (query.q) {
      where.push("(id LIKE ? ESCAPE '\\' OR namespace LIKE ? ESCAPE '\\' OR flow_id LIKE ? ESCAPE '\\')");
      params.push(likeContains(query.q), likeContains(query.q), likeContains(query.q));
    }
    if (query.states?.length) {
      where.push(`state IN (${query.states.map(() => "?").join(", ")})`);
      params.push(...query.states);
    }
    if (query.scope) {
      where.push(query.scope.only === "SYSTEM" ? "namespace = ?" : "namespace <> ?");
      params.push(query.scope.systemNamespace);
    }
    if (query.flows) {
      if (query.flows.length === 0) return [];
      where.push(`(${query.flows.map(() => "(namespace = ? AND flow_id = ?)").join(" OR ")})`);
      params.push(...query.flows.flatMap((f) => [f.namespace, f.id]));
    }
    const bucket = bucketSql("start_date", size);
    const groupBy = [bucket, "state", ...groups].join(", ");
    const sql = `SELECT ${bucket} AS bucket, state, ${groups.map((g) => `${g}, `).join("")}COUNT(*) AS count,
        MIN(${DURATION_MS}) AS duration_min, MAX(${DURATION_MS}) AS duration_max, SUM(${DURATION_MS}) AS duration_sum
      FROM executions WHERE ${where.join(" AND ")} GROUP BY ${groupBy}`;
    return this.db.prepare(sql).all(...params) as ExecutionRow[];
  }
}
