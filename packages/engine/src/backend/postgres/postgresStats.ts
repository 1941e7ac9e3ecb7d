/**
 * The statistics of `sqlite/statsStore.ts` on PostgreSQL: the same groups in PostgreSQL's SQL
 * (buckets of the ISO text columns, durations from the instants), shaped by the same functions.
 */
import type { LogLevel } from "@saker/sdk";
import type { StatsReads } from "../readModel.ts";
import { levelRank } from "../rowMapping.ts";
import {
  countsOf,
  executionsByFlow,
  fillExecutions,
  fillLogs,
  latestInOrder,
  periodBucketSize,
  type ExecutionRow,
  type ExecutionStatsQuery,
  type LogStatsQuery,
  type StatsPeriod,
} from "../stats.ts";
import { bucketSql, type BucketSize } from "../timeBuckets.ts";
import { withinNamespace, withinNamespaceParams, type Queryable } from "./sql.ts";
import { likeContains } from "../like.ts";

/** Collects SQL conditions with their numbered parameters. */
class Conditions {
  readonly sql: string[] = [];
  constructor(readonly params: unknown[]) {}
  add(sql: (n: number) => string, ...values: unknown[]): void {
    this.sql.push(sql(this.params.length + 1));
    this.params.push(...values);
  }
  flow(namespace: string | undefined, flowId: string | undefined): void {
    if (namespace !== undefined && flowId !== undefined) this.add((n) => `namespace = $${n}`, namespace);
    else if (namespace !== undefined) this.add(withinNamespace, ...withinNamespaceParams(namespace));
    if (flowId !== undefined) this.add((n) => `flow_id = $${n}`, flowId);
  }
}

/** Milliseconds from the start to the end of an execution (to `$1`, now, while it runs). */
const DURATION_MS =
  "(EXTRACT(EPOCH FROM (COALESCE(end_date, $1)::timestamptz - start_date::timestamptz)) * 1000)::double precision";

const num = (value: unknown) => (value === null || value === undefined ? null : Number(value));

export function postgresStats(db: Queryable): StatsReads {
  async function executionRows(
    query: ExecutionStatsQuery,
    size: BucketSize,
    groups: ("namespace" | "flow_id")[],
  ): Promise<ExecutionRow[]> {
    const where = new Conditions([new Date().toISOString()]);
    where.add(
      (n) => `tenant_id = $${n} AND NOT deleted AND start_date >= $${n + 1} AND start_date <= $${n + 2}`,
      query.tenantId,
      query.startDate,
      query.endDate,
    );
    where.flow(query.namespace, query.flowId);
    if (query.q) {
      const like = likeContains(query.q);
      where.add((n) => `(id ILIKE $${n} OR namespace ILIKE $${n} OR flow_id ILIKE $${n})`, like);
    }
    if (query.states?.length) where.add((n) => `state = ANY($${n}::text[])`, [...query.states]);
    if (query.scope)
      where.add(
        (n) => (query.scope!.only === "SYSTEM" ? `namespace = $${n}` : `namespace <> $${n}`),
        query.scope.systemNamespace,
      );
    if (query.flows) {
      if (query.flows.length === 0) return [];
      const or = query.flows.map((f) => {
        where.params.push(f.namespace, f.id);
        return `(namespace = $${where.params.length - 1} AND flow_id = $${where.params.length})`;
      });
      where.sql.push(`(${or.join(" OR ")})`);
    }
    const bucket = bucketSql("start_date", size, "postgres");
    const grouped = groups.map((g) => `, ${g}`).join("");
    const { rows } = await db.query<Record<string, unknown>>(
      `SELECT ${bucket} AS bucket, state${grouped}, COUNT(*) AS count,
         MIN(${DURATION_MS}) AS duration_min, MAX(${DURATION_MS}) AS duration_max, SUM(${DURATION_MS}) AS duration_sum
       FROM executions WHERE ${where.sql.join(" AND ")} GROUP BY ${bucket}, state${grouped}`,
      where.params,
    );
    return rows.map((r) => ({
      bucket: String(r.bucket),
      state: String(r.state),
      count: Number(r.count),
      duration_min: num(r.duration_min),
      duration_max: num(r.duration_max),
      duration_sum: num(r.duration_sum),
      ...(r.namespace !== undefined ? { namespace: String(r.namespace) } : {}),
      ...(r.flow_id !== undefined ? { flow_id: String(r.flow_id) } : {}),
    }));
  }

  return {
    async dailyExecutions(query: ExecutionStatsQuery) {
      const size = periodBucketSize(query);
      return fillExecutions(await executionRows(query, size, []), query, size);
    },
    async dailyExecutionsByFlow(query: ExecutionStatsQuery, byNamespaceOnly: boolean) {
      const size = periodBucketSize(query);
      const rows = await executionRows(query, size, byNamespaceOnly ? ["namespace"] : ["namespace", "flow_id"]);
      return executionsByFlow(rows, query, size, byNamespaceOnly);
    },
    async countsByNamespace(query: StatsPeriod & { namespace?: string }) {
      const where = new Conditions([]);
      where.add(
        (n) => `tenant_id = $${n} AND NOT deleted AND start_date >= $${n + 1} AND start_date <= $${n + 2}`,
        query.tenantId,
        query.startDate,
        query.endDate,
      );
      if (query.namespace !== undefined) where.add((n) => `namespace = $${n}`, query.namespace);
      const { rows } = await db.query<{ namespace: string; state: string; count: string }>(
        `SELECT namespace, state, COUNT(*) AS count FROM executions WHERE ${where.sql.join(" AND ")}
         GROUP BY namespace, state ORDER BY namespace COLLATE "C"`,
        where.params,
      );
      return countsOf(rows.map((r) => ({ ...r, count: Number(r.count) })));
    },
    async latestByFlow(tenantId: string, flows: readonly { namespace: string; id: string }[]) {
      if (flows.length === 0) return [];
      const { rows } = await db.query<{ namespace: string; flow_id: string; summary: string }>(
        `SELECT namespace, flow_id, summary FROM (
           SELECT namespace, flow_id, summary,
             ROW_NUMBER() OVER (PARTITION BY namespace, flow_id ORDER BY end_date COLLATE "C" DESC, row_seq DESC) AS n
           FROM executions e
           WHERE tenant_id = $1 AND NOT deleted AND end_date IS NOT NULL
             AND (namespace, flow_id) IN (SELECT * FROM unnest($2::text[], $3::text[]))
         ) latest WHERE n = 1`,
        [tenantId, flows.map((f) => f.namespace), flows.map((f) => f.id)],
      );
      return latestInOrder(flows, rows);
    },
    async dailyLogs(query: LogStatsQuery) {
      const size = periodBucketSize(query);
      const where = new Conditions([]);
      where.add(
        (n) => `tenant_id = $${n} AND timestamp >= $${n + 1} AND timestamp <= $${n + 2}`,
        query.tenantId,
        query.startDate,
        query.endDate,
      );
      where.flow(query.namespace, query.flowId);
      if (query.minLevel) where.add((n) => `level_rank >= $${n}`, levelRank(query.minLevel));
      if (query.q) where.add((n) => `message ILIKE $${n}`, likeContains(query.q));
      const bucket = bucketSql("timestamp", size, "postgres");
      const { rows } = await db.query<{ bucket: string; level: LogLevel; count: string }>(
        `SELECT ${bucket} AS bucket, level, COUNT(*) AS count FROM logs WHERE ${where.sql.join(" AND ")} GROUP BY ${bucket}, level`,
        where.params,
      );
      return fillLogs(
        rows.map((r) => ({ ...r, count: Number(r.count) })),
        query,
        size,
      );
    },
  };
}
