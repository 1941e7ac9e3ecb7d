/** Metrics as the engine API reads them: a page of an execution's metrics, and aggregates per time bucket. */
import { bucketKeys, bucketStart, type BucketSize } from "./timeBuckets.ts";
import type { MetricRow } from "./rowMapping.ts";

/** Kestra's `MetricEntry` as its API shows it. */
export interface MetricEntry {
  namespace: string;
  flowId: string;
  taskId?: string;
  executionId: string;
  taskRunId?: string;
  type: string;
  name: string;
  value: number;
  timestamp: string;
  tags?: Record<string, string>;
  deleted: false;
}

export interface MetricPageQuery {
  tenantId: string;
  executionId: string;
  taskId?: string;
  taskRunId?: string;
  page: number;
  size: number;
  sort: readonly { column: MetricSortColumn; descending: boolean }[];
}

export const METRIC_SORT_COLUMNS = {
  namespace: "namespace",
  flowId: "flow_id",
  taskId: "task_id",
  executionId: "execution_id",
  taskRunId: "task_run_id",
  name: "name",
  timestamp: "timestamp",
  value: "value",
} as const;
export type MetricSortColumn = keyof typeof METRIC_SORT_COLUMNS;

export const METRIC_AGGREGATIONS = ["avg", "sum", "min", "max"] as const;
export type MetricAggregation = (typeof METRIC_AGGREGATIONS)[number];

export interface MetricAggregateQuery {
  tenantId: string;
  namespace: string;
  flowId: string;
  taskId?: string;
  name: string;
  /** ISO instants, inclusive. */
  startDate: string;
  endDate: string;
  aggregation: MetricAggregation;
}

/** Kestra's `MetricAggregations`: one value per time bucket, 0 (and no name) for an empty one. */
export interface MetricAggregates {
  groupBy: BucketSize;
  aggregations: { name?: string; value: number; date: string }[];
}

export function toEntry(r: MetricRow): MetricEntry {
  return {
    namespace: String(r.namespace),
    flowId: String(r.flow_id),
    ...(r.task_id ? { taskId: String(r.task_id) } : {}),
    executionId: String(r.execution_id),
    ...(r.task_run_id ? { taskRunId: String(r.task_run_id) } : {}),
    type: String(r.type),
    name: String(r.name),
    value: Number(r.value),
    timestamp: String(r.timestamp),
    ...(r.tags ? { tags: JSON.parse(String(r.tags)) as Record<string, string> } : {}),
    deleted: false,
  };
}

/** One value per bucket of the period (0, without a name, for an empty one). */
export function aggregatesOf(
  rows: readonly { bucket: string; value: number }[],
  query: MetricAggregateQuery,
  size: BucketSize,
): MetricAggregates {
  const byBucket = new Map(rows.map((r) => [r.bucket, r.value]));
  return {
    groupBy: size,
    aggregations: bucketKeys(Date.parse(query.startDate), Date.parse(query.endDate), size).map((key) => {
      const value = byBucket.get(key);
      return value === undefined
        ? { value: 0, date: bucketStart(key, size) }
        : { name: query.name, value, date: bucketStart(key, size) };
    }),
  };
}
