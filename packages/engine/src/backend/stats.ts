/**
 * Statistics over executions and logs as both backends give them: the queries, the answers, and
 * the filling of the grouped rows their SQL returns into Kestra's shapes (every state and bucket
 * listed, durations as ISO-8601).
 */
import { formatDuration, LOG_LEVELS, type LogLevel } from "@saker/sdk";
import type { Execution } from "../model/execution.ts";
import { bucketKeys, bucketSize, bucketStart, type BucketSize } from "./timeBuckets.ts";

/** The states Kestra always lists in its counts, at 0 when none. */
export const COUNTED_STATES = [
  "CREATED",
  "RUNNING",
  "RESTARTED",
  "KILLING",
  "SUCCESS",
  "WARNING",
  "FAILED",
  "KILLED",
  "PAUSED",
  "QUEUED",
  "CANCELLED",
] as const;

export interface StatsPeriod {
  tenantId: string;
  /** ISO instants, inclusive. */
  startDate: string;
  endDate: string;
}

export interface ExecutionStatsQuery extends StatsPeriod {
  /** With `flowId`: this namespace exactly; alone: this namespace and those below it. */
  namespace?: string;
  flowId?: string;
  /** Text found in the id, the namespace or the flow id. */
  q?: string;
  states?: readonly string[];
  /** Only in this namespace (`SYSTEM`), or only outside it (`USER`). */
  scope?: { systemNamespace: string; only: "USER" | "SYSTEM" };
  /** Only these flows. */
  flows?: readonly { namespace: string; id: string }[];
}

/** ISO-8601 durations, as Kestra's API writes a `java.time.Duration` (`PT1.5S`); absent for an empty bucket. */
export interface DurationStats {
  min?: string;
  avg?: string;
  max?: string;
  sum?: string;
  count: number;
}

export interface DailyExecutionStats {
  startDate: string;
  duration: DurationStats;
  executionCounts: Record<string, number>;
  groupBy: BucketSize;
}

export interface ExecutionCounts {
  counts: Record<string, number>;
  total: number;
}

export interface LogStatsQuery extends StatsPeriod {
  namespace?: string;
  flowId?: string;
  q?: string;
  minLevel?: LogLevel;
}

export interface DailyLogStats {
  timestamp: string;
  counts: Record<LogLevel, number>;
  groupBy: BucketSize;
}

/** A group of executions as the SQL of both backends returns it (numbers as numbers). */
export interface ExecutionRow {
  bucket: string;
  state: string;
  count: number;
  duration_min: number | null;
  duration_max: number | null;
  duration_sum: number | null;
  namespace?: string;
  flow_id?: string;
}

function groupByBucket<T extends { bucket: string }>(rows: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const row of rows) out.set(row.bucket, [...(out.get(row.bucket) ?? []), row]);
  return out;
}

export const zeroStates = (): Record<string, number> => Object.fromEntries(COUNTED_STATES.map((s) => [s, 0]));
/** Whole milliseconds, as Kestra keeps them. */
const iso = (ms: number) => formatDuration(Math.round(ms));

export function periodBucketSize(period: StatsPeriod): BucketSize {
  return bucketSize(Date.parse(period.startDate), Date.parse(period.endDate));
}

/** Rows grouped by namespace and flow (`*` when by namespace only), each filled over the period. */
export function executionsByFlow(
  rows: readonly ExecutionRow[],
  period: StatsPeriod,
  size: BucketSize,
  byNamespaceOnly: boolean,
): Record<string, Record<string, DailyExecutionStats[]>> {
  const groups = new Map<string, Map<string, ExecutionRow[]>>();
  for (const row of rows) {
    const flows = groups.get(row.namespace!) ?? new Map<string, ExecutionRow[]>();
    groups.set(row.namespace!, flows);
    const key = byNamespaceOnly ? "*" : row.flow_id!;
    flows.set(key, [...(flows.get(key) ?? []), row]);
  }
  const out: Record<string, Record<string, DailyExecutionStats[]>> = {};
  for (const [namespace, flows] of groups) {
    out[namespace] = {};
    for (const [flowId, flowRows] of flows) out[namespace][flowId] = fillExecutions(flowRows, period, size);
  }
  return out;
}

/** Counts per namespace and state (rows sorted by namespace), every counted state present. */
export function countsOf(
  rows: readonly { namespace: string; state: string; count: number }[],
): Record<string, ExecutionCounts> {
  const out: Record<string, ExecutionCounts> = {};
  for (const row of rows) {
    const entry = (out[row.namespace] ??= { counts: zeroStates(), total: 0 });
    entry.counts[row.state] = row.count;
    entry.total += row.count;
  }
  return out;
}

/** The summaries of the latest executions, in the order of `flows` (those without one left out). */
export function latestInOrder(
  flows: readonly { namespace: string; id: string }[],
  rows: readonly { namespace: string; flow_id: string; summary: string }[],
): Execution[] {
  const byFlow = new Map(rows.map((r) => [`${r.namespace}\u0000${r.flow_id}`, r.summary]));
  return flows.flatMap((f) => {
    const summary = byFlow.get(`${f.namespace}\u0000${f.id}`);
    return summary === undefined ? [] : [JSON.parse(summary) as Execution];
  });
}

/** Log counts per level, one entry per bucket of the period. */
export function fillLogs(
  rows: readonly { bucket: string; level: LogLevel; count: number }[],
  period: StatsPeriod,
  size: BucketSize,
): DailyLogStats[] {
  const byBucket = groupByBucket(rows);
  return bucketKeys(Date.parse(period.startDate), Date.parse(period.endDate), size).map((key) => {
    const counts = Object.fromEntries(LOG_LEVELS.map((l) => [l, 0])) as Record<LogLevel, number>;
    for (const row of byBucket.get(key) ?? []) counts[row.level] = row.count;
    return { timestamp: bucketStart(key, size), counts, groupBy: size };
  });
}

/** One entry per bucket of the period, empty buckets included (Kestra's `fillDate`). */
export function fillExecutions(
  rows: readonly ExecutionRow[],
  period: StatsPeriod,
  size: BucketSize,
): DailyExecutionStats[] {
  const byBucket = groupByBucket(rows);
  return bucketKeys(Date.parse(period.startDate), Date.parse(period.endDate), size).map((key) => {
    const bucketRows = byBucket.get(key) ?? [];
    const executionCounts = zeroStates();
    for (const row of bucketRows) executionCounts[row.state] = row.count;
    return { startDate: bucketStart(key, size), duration: durations(bucketRows), executionCounts, groupBy: size };
  });
}

function durations(rows: readonly ExecutionRow[]): DurationStats {
  const count = rows.reduce((n, r) => n + r.count, 0);
  if (count === 0) return { count: 0 };
  const sum = rows.reduce((n, r) => n + (r.duration_sum ?? 0), 0);
  return {
    min: iso(Math.min(...rows.map((r) => r.duration_min ?? 0))),
    avg: iso(sum / count),
    max: iso(Math.max(...rows.map((r) => r.duration_max ?? 0))),
    sum: iso(sum),
    count,
  };
}
