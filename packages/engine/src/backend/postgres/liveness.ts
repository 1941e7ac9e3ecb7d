/**
 * Liveness of the processes sharing a PostgreSQL database, after Kestra's: each process beats in
 * `processes` (PostgresBackend); every few seconds each process also looks for the processes that
 * stopped beating and declares them dead, one checker at a time (an advisory lock), in one
 * transaction with the freeing of their claims:
 *
 * - RUNNING or TERMINATING, silent longer than the timeout → DISCONNECTED. Their executor and
 *   scheduler messages are freed at once (another executor continues their executions). Their
 *   worker jobs follow `workerTaskRestartStrategy`: IMMEDIATELY freed for another worker; NEVER
 *   failed (the task run gets a FAILED result); AFTER_TERMINATION_GRACE_PERIOD (the default)
 *   freed once the grace period has passed since. A process without a worker goes on to
 *   NOT_RUNNING at once, as does a worker once its jobs are freed or failed.
 * - A process that beats while declared dead learns it from its heartbeat (no row updated) and
 *   stops taking work (`onDeclaredDead` of PostgresBackend).
 */
import type pg from "pg";
import type { ExecutorEvent, WorkerJob } from "../../executor/types.ts";
import { int } from "./sql.ts";

export type WorkerTaskRestartStrategy = "AFTER_TERMINATION_GRACE_PERIOD" | "IMMEDIATELY" | "NEVER";

/** Kestra's service states, as listed by `GET /api/v1/cluster`. */
export type ProcessState = "RUNNING" | "DISCONNECTED" | "TERMINATING" | "TERMINATED" | "NOT_RUNNING";

export interface LivenessSettings {
  /** How often this process looks for dead ones (ms). */
  intervalMs: number;
  /** A process silent this long is dead (ms). */
  timeoutMs: number;
  /** The first look comes this long after the start (ms). */
  initialDelayMs: number;
  restartStrategy: WorkerTaskRestartStrategy;
  /** AFTER_TERMINATION_GRACE_PERIOD: how long a dead worker's jobs wait (ms). */
  terminationGracePeriodMs: number;
}

/** What one check changed. */
export interface LivenessReport {
  disconnected: string[];
  notRunning: string[];
  /** Claims freed, by topic. */
  freed: { executor: number; worker: number; scheduler: number };
  /** Worker jobs failed (strategy NEVER). */
  failed: number;
}

const CHECK_LOCK = "saker_liveness";

const FREE = "claimed_at = NULL, claimed_by = NULL, lease_until = NULL";

function hasWorker(roles: string): boolean {
  return roles.split(",").includes("worker");
}

/** One look for dead processes (every process may run it; they take turns). */
export async function checkLiveness(
  pool: pg.Pool,
  settings: LivenessSettings,
  now = Date.now(),
): Promise<LivenessReport> {
  const report: LivenessReport = {
    disconnected: [],
    notRunning: [],
    freed: { executor: 0, worker: 0, scheduler: 0 },
    failed: 0,
  };
  const client = await pool.connect();
  let broken: unknown;
  try {
    await client.query("BEGIN");
    try {
      await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [CHECK_LOCK]);
      const { rows: silent } = await client.query<{ owner: string; roles: string }>(
        `UPDATE processes SET state = 'DISCONNECTED', state_at = $1
         WHERE state IN ('RUNNING', 'TERMINATING') AND heartbeat_at < $2 RETURNING owner, roles`,
        [now, now - settings.timeoutMs],
      );
      report.disconnected = silent.map((r) => r.owner);
      if (silent.length) {
        const owners = silent.map((r) => r.owner);
        const { rows: freed } = await client.query<{ topic: "executor" | "scheduler" }>(
          `UPDATE queue SET ${FREE} WHERE claimed_by = ANY($1::text[]) AND topic <> 'worker' RETURNING topic`,
          [owners],
        );
        for (const r of freed) report.freed[r.topic]++;
        const workers = silent.filter((r) => hasWorker(r.roles)).map((r) => r.owner);
        if (settings.restartStrategy === "IMMEDIATELY")
          report.freed.worker +=
            (
              await client.query(`UPDATE queue SET ${FREE} WHERE claimed_by = ANY($1::text[]) AND topic = 'worker'`, [
                workers,
              ])
            ).rowCount ?? 0;
        else if (settings.restartStrategy === "NEVER") report.failed = await failJobs(client, workers, now);
        const done =
          settings.restartStrategy === "AFTER_TERMINATION_GRACE_PERIOD"
            ? silent.filter((r) => !hasWorker(r.roles)).map((r) => r.owner)
            : owners;
        if (done.length) {
          await client.query(
            "UPDATE processes SET state = 'NOT_RUNNING', state_at = $1 WHERE owner = ANY($2::text[])",
            [now, done],
          );
          report.notRunning.push(...done);
        }
      }
      // dead workers past the grace period: their jobs go to another worker
      const { rows: graceOver } = await client.query<{ owner: string }>(
        `UPDATE processes SET state = 'NOT_RUNNING', state_at = $1
         WHERE state = 'DISCONNECTED' AND state_at <= $2 RETURNING owner`,
        [now, now - settings.terminationGracePeriodMs],
      );
      report.notRunning.push(...graceOver.map((r) => r.owner));
      // whatever the dead and the stopped still hold (a claim made as they were declared dead)
      const { rows: rest } = await client.query<{ topic: "executor" | "worker" | "scheduler" }>(
        `UPDATE queue SET ${FREE} WHERE claimed_by IN (
           SELECT owner FROM processes WHERE state IN ('NOT_RUNNING', 'TERMINATED')
         ) RETURNING topic`,
      );
      for (const r of rest) report.freed[r.topic]++;
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK").catch((rollbackError: unknown) => (broken = rollbackError));
      throw error;
    }
  } finally {
    client.release(broken instanceof Error ? broken : undefined);
  }
  return report;
}

/** Strategy NEVER: the jobs of dead workers are removed and their task runs get a FAILED result. */
async function failJobs(client: pg.PoolClient, workers: readonly string[], now: number): Promise<number> {
  if (workers.length === 0) return 0;
  const { rows } = await client.query<{ payload: string }>(
    "DELETE FROM queue WHERE claimed_by = ANY($1::text[]) AND topic = 'worker' RETURNING payload",
    [workers],
  );
  if (rows.length === 0) return 0;
  const date = new Date(now).toISOString();
  const events = rows.map((r) => {
    const job = JSON.parse(r.payload) as WorkerJob;
    const event: ExecutorEvent = {
      type: "worker-result",
      taskRunId: job.taskRunId,
      attempt: job.attempt,
      attemptState: "FAILED",
      state: "FAILED",
      outputs: null,
      date,
    };
    return { key: job.executionId, payload: JSON.stringify(event) };
  });
  await client.query(
    `INSERT INTO queue (topic, key, payload, available_at)
     SELECT 'executor', k, p, $3 FROM unnest($1::text[], $2::text[]) AS m(k, p)`,
    [events.map((e) => e.key), events.map((e) => e.payload), now],
  );
  const logs = rows.map((r) => JSON.parse(r.payload) as WorkerJob);
  await client.query(
    `INSERT INTO logs (tenant_id, namespace, flow_id, execution_id, task_id, task_run_id, attempt_number, level, level_rank, message, timestamp)
     SELECT t, n, f, e, k, r, a, 'ERROR', 40, $8, $9 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[]) AS l(t, n, f, e, k, r, a)`,
    [
      logs.map((j) => j.flow.tenantId ?? "main"),
      logs.map((j) => j.flow.namespace),
      logs.map((j) => j.flow.id),
      logs.map((j) => j.executionId),
      logs.map((j) => j.task.id),
      logs.map((j) => j.taskRunId),
      logs.map((j) => j.attempt),
      "The worker running this task stopped (workerTaskRestartStrategy NEVER): the task run fails",
      date,
    ],
  );
  return rows.length;
}

export interface ProcessRow {
  owner: string;
  roles: string[];
  hostname: string | null;
  pid: number | null;
  workerGroup: string | null;
  concurrency: number | null;
  state: ProcessState;
  startedAt: string;
  heartbeatAt: string;
  stateAt: string | null;
}

/** The processes of the cluster, the live ones first, then the most recently started. */
export async function listProcesses(db: Pick<pg.Pool, "query">): Promise<ProcessRow[]> {
  const { rows } = await db.query<{
    owner: string;
    roles: string;
    hostname: string | null;
    pid: number | null;
    worker_group: string | null;
    concurrency: number | null;
    state: ProcessState;
    started_at: string;
    heartbeat_at: string;
    state_at: string | null;
  }>(
    `SELECT owner, roles, hostname, pid, worker_group, concurrency, state, started_at, heartbeat_at, state_at
     FROM processes ORDER BY (state = 'RUNNING') DESC, started_at DESC, owner`,
  );
  return rows.map((r) => ({
    owner: r.owner,
    roles: r.roles ? r.roles.split(",") : [],
    hostname: r.hostname,
    pid: r.pid,
    workerGroup: r.worker_group,
    concurrency: r.concurrency,
    state: r.state,
    startedAt: new Date(int(r.started_at)).toISOString(),
    heartbeatAt: new Date(int(r.heartbeat_at)).toISOString(),
    stateAt: r.state_at === null ? null : new Date(int(r.state_at)).toISOString(),
  }));
}
