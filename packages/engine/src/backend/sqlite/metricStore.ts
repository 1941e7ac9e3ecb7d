import type { Metric } from "@saker/sdk";
import type { WorkerJob } from "../../executor/types.ts";
import { statement, type SqliteDatabase } from "./database.ts";
import { bucketSize, bucketSql } from "../timeBuckets.ts";
import {
  aggregatesOf,
  METRIC_SORT_COLUMNS,
  toEntry,
  type MetricAggregateQuery,
  type MetricAggregates,
  type MetricEntry,
  type MetricPageQuery,
} from "../metrics.ts";
import type { StoredMetric } from "../records.ts";
import { toMetric, type MetricRow } from "../rowMapping.ts";

export class MetricStore {
  constructor(private readonly db: SqliteDatabase) {}

  append(job: WorkerJob, metrics: readonly Metric[]): void {
    const stmt = statement(
      this.db,
      "INSERT INTO metrics (tenant_id, namespace, flow_id, execution_id, task_id, task_run_id, name, type, value, tags, timestamp) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    );
    const now = new Date().toISOString();
    for (const m of metrics) {
      stmt.run(
        job.flow.tenantId ?? "main",
        job.flow.namespace,
        job.flow.id,
        job.executionId,
        job.task.id,
        job.taskRunId,
        m.name,
        m.type,
        m.value,
        m.tags ? JSON.stringify(m.tags) : null,
        now,
      );
    }
  }

  byExecution(executionId: string): StoredMetric[] {
    const rows = statement(this.db, "SELECT * FROM metrics WHERE execution_id = ? ORDER BY seq").all(
      executionId,
    ) as MetricRow[];
    return rows.map(toMetric);
  }

  /** Deletes an execution's metrics; returns how many went. */
  deleteByExecution(executionId: string): number {
    return statement(this.db, "DELETE FROM metrics WHERE execution_id = ?").run(executionId).changes;
  }

  /** A page of an execution's metrics (of one task or task run when given), in written order unless sorted. */
  page(query: MetricPageQuery): { results: MetricEntry[]; total: number } {
    const where = ["tenant_id = ?", "execution_id = ?"];
    const params: unknown[] = [query.tenantId, query.executionId];
    if (query.taskId !== undefined) {
      where.push("task_id = ?");
      params.push(query.taskId);
    } else if (query.taskRunId !== undefined) {
      where.push("task_run_id = ?");
      params.push(query.taskRunId);
    }
    const clause = where.join(" AND ");
    const { n } = this.db.prepare(`SELECT COUNT(*) AS n FROM metrics WHERE ${clause}`).get(...params) as { n: number };
    const order = [
      ...query.sort.map((s) => `${METRIC_SORT_COLUMNS[s.column]} ${s.descending ? "DESC" : "ASC"}`),
      "seq",
    ].join(", ");
    const rows = this.db
      .prepare(`SELECT * FROM metrics WHERE ${clause} ORDER BY ${order} LIMIT ? OFFSET ?`)
      .all(...params, query.size, (query.page - 1) * query.size) as MetricRow[];
    return { results: rows.map(toEntry), total: n };
  }

  /** The distinct metric names of a flow (of one of its tasks when given), sorted. */
  names(tenantId: string, namespace: string, flowId: string, taskId?: string): string[] {
    const byTask = taskId === undefined ? "" : " AND task_id = ?";
    const rows = this.db
      .prepare(
        `SELECT DISTINCT name FROM metrics WHERE tenant_id = ? AND namespace = ? AND flow_id = ?${byTask} ORDER BY name`,
      )
      .all(tenantId, namespace, flowId, ...(taskId === undefined ? [] : [taskId])) as { name: string }[];
    return rows.map((r) => r.name);
  }

  /** The ids of the tasks of a flow that wrote metrics (deleted or renamed tasks included), sorted. */
  tasks(tenantId: string, namespace: string, flowId: string): string[] {
    const rows = statement(
      this.db,
      "SELECT DISTINCT task_id FROM metrics WHERE tenant_id = ? AND namespace = ? AND flow_id = ? AND task_id IS NOT NULL ORDER BY task_id",
    ).all(tenantId, namespace, flowId) as { task_id: string }[];
    return rows.map((r) => r.task_id);
  }

  /** One metric of a flow (or of one task) aggregated per time bucket of the period. */
  aggregate(query: MetricAggregateQuery): MetricAggregates {
    const startMs = Date.parse(query.startDate);
    const endMs = Date.parse(query.endDate);
    const size = bucketSize(startMs, endMs);
    const bucket = bucketSql("timestamp", size);
    const byTask = query.taskId === undefined ? "" : " AND task_id = ?";
    const rows = this.db
      .prepare(
        `SELECT ${bucket} AS bucket, ${query.aggregation.toUpperCase()}(value) AS value FROM metrics
         WHERE tenant_id = ? AND namespace = ? AND flow_id = ? AND name = ?${byTask} AND timestamp >= ? AND timestamp <= ?
         GROUP BY ${bucket}`,
      )
      .all(
        query.tenantId,
        query.namespace,
        query.flowId,
        query.name,
        ...(query.taskId === undefined ? [] : [query.taskId]),
        query.startDate,
        query.endDate,
      ) as { bucket: string; value: number }[];
    return aggregatesOf(rows, query, size);
  }
}
