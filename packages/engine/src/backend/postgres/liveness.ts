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
 * - A waiting job of a worker group that no live worker serves follows its task's
 *   `workerGroup.fallback`: FAIL or CANCEL end its task run, WAIT (the default) leaves it queued.
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
  /** Worker jobs ended by their `workerGroup.fallback` (FAIL or CANCEL, no live worker of their group). */
  fellBack: number;
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
    fellBack: 0,
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
      report.fellBack = await applyWorkerGroupFallbacks(client, now);
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
  const jobs = rows.map((r) => JSON.parse(r.payload) as WorkerJob);
  await endJobs(client, jobs, "FAILED", () => NEVER_MESSAGE, now);
  return jobs.length;
}

const NEVER_MESSAGE = "The worker running this task stopped (workerTaskRestartStrategy NEVER): the task run fails";

/**
 * Kestra's `workerGroup.fallback`, for the jobs waiting for a worker group that no live worker
 * serves (no RUNNING process with a worker of that group): FAIL ends the task run FAILED, CANCEL
 * ends it CANCELLED, each with a log line saying why; WAIT (the default) leaves the job for a
 * worker of the group to come. A job already claimed is its worker's (or the restart strategy's).
 */
async function applyWorkerGroupFallbacks(client: pg.PoolClient, now: number): Promise<number> {
  const { rows } = await client.query<{ payload: string }>(
    `DELETE FROM queue q
     WHERE q.topic = 'worker' AND q.claimed_by IS NULL AND q.worker_group IS NOT NULL
       AND (q.payload::jsonb -> 'task' -> 'workerGroup' ->> 'fallback') IN ('FAIL', 'CANCEL')
       AND NOT EXISTS (
         SELECT 1 FROM processes p
         WHERE p.state = 'RUNNING' AND p.worker_group = q.worker_group AND 'worker' = ANY(string_to_array(p.roles, ','))
       )
     RETURNING payload`,
  );
  const jobs = rows.map((r) => JSON.parse(r.payload) as WorkerJob);
  const message = (job: WorkerJob) =>
    `No worker of worker group '${groupOf(job)}' is alive (workerGroup.fallback ${fallbackOf(job)}): the task run ${fallbackOf(job) === "FAIL" ? "fails" : "is cancelled"}`;
  const failing = jobs.filter((j) => fallbackOf(j) === "FAIL");
  const cancelled = jobs.filter((j) => fallbackOf(j) === "CANCEL");
  await endJobs(client, failing, "FAILED", message, now);
  await endJobs(client, cancelled, "CANCELLED", message, now);
  return jobs.length;
}

type JobWorkerGroup = { key?: string; fallback?: string } | undefined;
const groupOf = (job: WorkerJob) => (job.task.workerGroup as JobWorkerGroup)?.key;
const fallbackOf = (job: WorkerJob) => (job.task.workerGroup as JobWorkerGroup)?.fallback;

/**
 * Ends task runs whose jobs were taken out of the queue without running: a worker result of
 * `state` for the executor, and an ERROR log line per task run saying why.
 */
async function endJobs(
  client: pg.PoolClient,
  jobs: readonly WorkerJob[],
  state: "FAILED" | "CANCELLED",
  message: (job: WorkerJob) => string,
  now: number,
): Promise<void> {
  if (jobs.length === 0) return;
  const date = new Date(now).toISOString();
  const events = jobs.map((job) => {
    const event: ExecutorEvent = {
      type: "worker-result",
      taskRunId: job.taskRunId,
      attempt: job.attempt,
      attemptState: state,
      state,
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
  await client.query(
    `INSERT INTO logs (tenant_id, namespace, flow_id, execution_id, task_id, task_run_id, attempt_number, level, level_rank, message, timestamp)
     SELECT t, n, f, e, k, r, a, 'ERROR', 40, m, $9 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::text[]) AS l(t, n, f, e, k, r, a, m)`,
    [
      jobs.map((j) => j.flow.tenantId ?? "main"),
      jobs.map((j) => j.flow.namespace),
      jobs.map((j) => j.flow.id),
      jobs.map((j) => j.executionId),
      jobs.map((j) => j.task.id),
      jobs.map((j) => j.taskRunId),
      jobs.map((j) => j.attempt),
      jobs.map(message),
      date,
    ],
  );
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
