/**
 * The claims that make several processes share the queue safely.
 *
 * Executor messages: a claim takes only the messages of executions of which no other process
 * holds a claimed executor message; claims are made one process at a time (a transaction-scoped
 * advisory lock), so that two executors never both see an execution as free and both take a
 * message of it. That keeps the messages of an execution with one executor at a time, in order.
 * It is not what keeps an execution's state right: an executor also steps executions from the
 * results its own worker hands it in memory (no queue row, so no claim), and another executor may
 * meanwhile take a message of the same execution. Each commit is fenced instead (backend/fence.ts):
 * it writes the execution only at the revision its step started from, and acknowledges only
 * messages still claimed by it (`ackHeldWrite`).
 *
 * Worker jobs: a worker of a group takes only that group's jobs (the generated `worker_group`
 * column, out of the job's `task.workerGroup.key`); one without a group only ungrouped jobs.
 */
import type { QueueMessage } from "../queue.ts";
import { toQueueMessage, type QueueRow } from "./queueRow.ts";
import { CLAIMS_LOST } from "../fence.ts";
import type { ArrayWrite, Atomic } from "./sql.ts";

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
 * The fence of an executor's commit: it acknowledges its messages only while they are still
 * claimed by it, in the commit's batch (`saker_fence`): the delete locks the rows it removes, and
 * the liveness check frees a dead owner's claims under the same row locks, so it waits or was first
 * (then a row is not deleted, and the commit fails with `CLAIMS_LOST`).
 */
export function ackHeldWrite(seqs: readonly number[], owner: string): ArrayWrite {
  return {
    text: `DELETE FROM queue AS q USING unnest($1::bigint[], $2::text[]) AS h(seq, owner)
      WHERE q.seq = h.seq AND q.claimed_by = h.owner
      RETURNING 1`,
    values: [[...seqs], seqs.map(() => owner)],
    expect: { rows: seqs.length, code: CLAIMS_LOST },
  };
}
