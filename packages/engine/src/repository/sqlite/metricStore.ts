import type { Metric } from "@saker/sdk";
import type { WorkerJob } from "../../executor/types.ts";
import type { SqliteDatabase } from "./database.ts";

export interface StoredMetric extends Metric {
  executionId: string;
  taskId?: string;
  taskRunId?: string;
  timestamp: string;
}

export class MetricStore {
  constructor(private readonly db: SqliteDatabase) {}

  append(job: WorkerJob, metrics: readonly Metric[]): void {
    const stmt = this.db.prepare(
      "INSERT INTO metrics (namespace, flow_id, execution_id, task_id, task_run_id, name, type, value, tags, timestamp) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    );
    const now = new Date().toISOString();
    for (const m of metrics) {
      stmt.run(job.flow.namespace, job.flow.id, job.executionId, job.task.id, job.taskRunId, m.name, m.type, m.value, m.tags ? JSON.stringify(m.tags) : null, now);
    }
  }

  byExecution(executionId: string): StoredMetric[] {
    const rows = this.db.prepare("SELECT * FROM metrics WHERE execution_id = ? ORDER BY seq").all(executionId) as Record<string, string | number | null>[];
    return rows.map((r) => ({
      executionId: String(r.execution_id),
      ...(r.task_id ? { taskId: String(r.task_id) } : {}),
      ...(r.task_run_id ? { taskRunId: String(r.task_run_id) } : {}),
      name: String(r.name),
      type: r.type as Metric["type"],
      value: Number(r.value),
      ...(r.tags ? { tags: JSON.parse(String(r.tags)) as Record<string, string> } : {}),
      timestamp: String(r.timestamp),
    }));
  }

  /** Deletes an execution's metrics; returns how many went. */
  deleteByExecution(executionId: string): number {
    return this.db.prepare("DELETE FROM metrics WHERE execution_id = ?").run(executionId).changes;
  }
}
