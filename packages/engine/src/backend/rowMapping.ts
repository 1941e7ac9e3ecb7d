/**
 * Rows of the tables both backends share (same columns on SQLite and PostgreSQL) and the records
 * they map to. PostgreSQL returns BIGSERIAL as a string, SQLite a number: `seq` takes either.
 */
import { LOG_LEVELS, type KvEntry, type KvType, type LogLevel, type Metric } from "@saker/sdk";
import type { StoredLog, StoredMetric, TriggerState } from "./records.ts";

/** The stored rank of a level (`level_rank`), for `minLevel` filters. */
export const levelRank = (level: LogLevel): number => LOG_LEVELS.indexOf(level);

export interface LogRow {
  seq: number | string;
  tenant_id: string;
  namespace: string;
  flow_id: string;
  execution_id: string | null;
  task_id: string | null;
  task_run_id: string | null;
  attempt_number: number | null;
  trigger_id: string | null;
  level: LogLevel;
  message: string;
  timestamp: string;
  thread: string | null;
}

export function toLog(r: LogRow): StoredLog {
  return {
    seq: Number(r.seq),
    ...(r.tenant_id !== "main" ? { tenantId: r.tenant_id } : {}),
    namespace: r.namespace,
    flowId: r.flow_id,
    ...(r.execution_id ? { executionId: r.execution_id } : {}),
    ...(r.task_id ? { taskId: r.task_id } : {}),
    ...(r.task_run_id ? { taskRunId: r.task_run_id } : {}),
    ...(r.attempt_number !== null ? { attemptNumber: r.attempt_number } : {}),
    ...(r.trigger_id ? { triggerId: r.trigger_id } : {}),
    level: r.level,
    message: r.message,
    timestamp: r.timestamp,
    ...(r.thread ? { thread: r.thread } : {}),
  };
}

export interface KvRow {
  key: string;
  value: string;
  type: KvType;
  expiration_date: string | null;
  update_date: string;
  creation_date: string;
}

export function toKvEntry(r: KvRow): KvEntry {
  return {
    key: r.key,
    value: JSON.parse(r.value),
    type: r.type,
    ...(r.expiration_date ? { expirationDate: r.expiration_date } : {}),
    updateDate: r.update_date,
    creationDate: r.creation_date,
  };
}

/** The values of a `kv` row, in the columns' order (tenant_id, namespace, key, value, type, expiration_date, update_date, creation_date). */
export function kvValues(tenantId: string, namespace: string, entry: KvEntry): (string | null)[] {
  return [
    tenantId,
    namespace,
    entry.key,
    JSON.stringify(entry.value ?? null),
    entry.type,
    entry.expirationDate ?? null,
    entry.updateDate,
    entry.creationDate ?? entry.updateDate,
  ];
}

export type MetricRow = Record<string, string | number | null>;

export function toMetric(r: MetricRow): StoredMetric {
  return {
    executionId: String(r.execution_id),
    ...(r.task_id ? { taskId: String(r.task_id) } : {}),
    ...(r.task_run_id ? { taskRunId: String(r.task_run_id) } : {}),
    name: String(r.name),
    type: r.type as Metric["type"],
    value: Number(r.value),
    ...(r.tags ? { tags: JSON.parse(String(r.tags)) as Record<string, string> } : {}),
    timestamp: String(r.timestamp),
  };
}

export interface TriggerRow {
  namespace: string;
  flow_id: string;
  trigger_id: string;
  json: string;
}

export function toTriggerState(row: TriggerRow): TriggerState {
  return {
    ...(JSON.parse(row.json) as Record<string, unknown>),
    namespace: row.namespace,
    flowId: row.flow_id,
    triggerId: row.trigger_id,
  };
}
