/**
 * The claims that make several processes share the queue safely.
 *
 * Executor messages: an execution is stepped by one executor at a time. A claim takes only the
 * messages of executions of which no other process holds a claimed executor message; claims are
 * made one process at a time (a transaction-scoped advisory lock), so that two executors never
 * both see an execution as free and both take a message of it. While an executor holds a claim
 * of an execution (until its step commits and acknowledges it), the execution is its own.
 *
 * Worker jobs: a worker of a group takes only that group's jobs (the generated `worker_group`
 * column, out of the job's `task.workerGroup.key`); one without a group only ungrouped jobs.
 */
import type { QueueMessage } from "../queue.ts";
import { toQueueMessage, type QueueRow } from "./queueRow.ts";
import { int, type Atomic, type Queryable } from "./sql.ts";

/** The lock serializing executor claims across processes (per database). */
const EXECUTOR_CLAIM_LOCK = "saker_executor_claims";

export function workerGroupClause(
  workerGroup: string | undefined,
  parameter: number,
): { sql: string; values: unknown[] } {
  return workerGroup === undefined
    ? { sql: " AND worker_group IS NULL", values: [] }
    : { sql: ` AND worker_group = $${parameter}`, values: [workerGroup] };
}

export async function claimExclusive<T>(
  atomic: Atomic,
  limit: number,
  owner: string,
  leaseMs: number,
): Promise<QueueMessage<T>[]> {
  return atomic(async (db) => {
    await db.query("SELECT pg_advisory_xact_lock(hashtext($1))", [EXECUTOR_CLAIM_LOCK]);
    // a statement after the lock: it sees every claim committed before (READ COMMITTED)
    const now = Date.now();
    const { rows } = await db.query<QueueRow>(
      `UPDATE queue AS q SET claimed_at = $1, claimed_by = $2, lease_until = $3
       FROM (
         SELECT r.seq FROM queue r
         WHERE r.topic = 'executor' AND r.claimed_at IS NULL AND r.available_at <= $1
           AND (r.key IS NULL OR NOT EXISTS (
             SELECT 1 FROM queue c
             WHERE c.key = r.key AND c.topic = 'executor' AND c.claimed_at IS NOT NULL AND c.claimed_by <> $2
           ))
         ORDER BY r.seq LIMIT $4 FOR UPDATE SKIP LOCKED
       ) AS ready
       WHERE q.seq = ready.seq
       RETURNING q.seq, q.topic, q.key, q.payload, q.available_at`,
      [now, owner, now + leaseMs, limit],
    );
    return rows.map((r) => toQueueMessage<T>(r)).sort((a, b) => a.seq - b.seq);
  });
}

/**
 * The fence of an executor's commit: its claims are still its own, locked until the commit (the
 * liveness check frees a dead owner's claims under the same row locks, so it waits or was first).
 */
export async function holdsClaims(db: Queryable, seqs: readonly number[], owner: string): Promise<boolean> {
  if (seqs.length === 0) return true;
  const { rows } = await db.query<{ n: string }>(
    `SELECT COUNT(*) AS n FROM (
       SELECT seq FROM queue WHERE seq = ANY($1::bigint[]) AND claimed_by = $2 FOR UPDATE
     ) AS mine`,
    [[...seqs], owner],
  );
  return int(rows[0]!.n) === new Set(seqs).size;
}
