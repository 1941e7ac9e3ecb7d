/**
 * The queue table on PostgreSQL, shared by every process. A claim takes the oldest ready rows
 * with `FOR UPDATE SKIP LOCKED`: two processes claiming at once get different messages, and a
 * row another transaction is changing (acknowledging, releasing) is skipped rather than waited
 * for. A claim records its owner and lease; the reaper frees lapsed leases and those of owners
 * that stopped beating (see `PostgresBackend.aliveOwners`).
 */
import type { ClaimOptions, NewMessage, Queue, QueueMessage, ReapOptions, Topic } from "../queue.ts";
import { ackHeldWrite, claimExclusive, workerGroupClause } from "./clusterClaims.ts";
import { toQueueMessage, type QueueRow } from "./queueRow.ts";
import { int, type Atomic, type Queryable } from "./sql.ts";
import { batchWrite } from "./writeBatch.ts";

const COLUMNS = "seq, topic, key, payload, available_at";

export class PostgresQueue implements Queue {
  constructor(
    private readonly db: Queryable,
    private readonly atomic: Atomic,
  ) {}

  async send(messages: readonly NewMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const now = Date.now();
    // one statement (atomic outside a transaction too), or in the transaction's batch; in the
    // messages' order, as their sequence numbers follow it
    await batchWrite(this.db, [
      {
        text: `INSERT INTO queue (topic, key, payload, available_at)
          SELECT t, k, p, a FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) WITH ORDINALITY AS m(t, k, p, a, n)
          ORDER BY n`,
        values: [
          messages.map((m) => m.topic),
          messages.map((m) => m.key ?? null),
          messages.map((m) => JSON.stringify(m.payload)),
          messages.map((m) => m.availableAt ?? now),
        ],
      },
    ]);
  }

  async sendClaimed<T>(messages: readonly NewMessage<T>[], owner: string, leaseMs: number): Promise<QueueMessage<T>[]> {
    if (messages.length === 0) return [];
    const now = Date.now();
    const texts = messages.map((m) => JSON.stringify(m.payload));
    const { rows } = await this.db.query<{ seq: string }>(
      `INSERT INTO queue (topic, key, payload, available_at, claimed_at, claimed_by, lease_until)
       SELECT m.topic, m.key, m.payload, m.available_at, $5, $6, $7
       FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) WITH ORDINALITY AS m(topic, key, payload, available_at, n)
       ORDER BY m.n RETURNING seq`,
      [
        messages.map((m) => m.topic),
        messages.map((m) => m.key ?? null),
        texts,
        messages.map((m) => m.availableAt ?? now),
        now,
        owner,
        now + leaseMs,
      ],
    );
    // the sequence is drawn in insertion order: the i-th smallest seq is the i-th message
    const seqs = rows.map((r) => int(r.seq)).sort((a, b) => a - b);
    return messages.map((m, i) => ({
      seq: seqs[i]!,
      topic: m.topic,
      key: m.key ?? null,
      // read back as a claim would (dates become strings…): the receiver sees what a restart would
      payload: JSON.parse(texts[i]!) as T,
      availableAt: m.availableAt ?? now,
    }));
  }

  async claim<T>(
    topic: Topic,
    limit: number,
    owner: string,
    leaseMs: number,
    options: ClaimOptions = {},
  ): Promise<QueueMessage<T>[]> {
    // executor messages: never those of an execution another process is stepping (clusterClaims.ts)
    if (topic === "executor") return claimExclusive<T>(this.atomic, limit, owner, leaseMs);
    const now = Date.now();
    const group = topic === "worker" ? workerGroupClause(options.workerGroup, 6) : { sql: "", values: [] };
    const { rows } = await this.db.query<QueueRow>(
      `UPDATE queue AS q SET claimed_at = $1, claimed_by = $2, lease_until = $3
       FROM (
         SELECT seq FROM queue WHERE topic = $4 AND claimed_at IS NULL AND available_at <= $1${group.sql}
         ORDER BY seq LIMIT $5 FOR UPDATE SKIP LOCKED
       ) AS ready
       WHERE q.seq = ready.seq
       RETURNING q.seq, q.topic, q.key, q.payload, q.available_at`,
      [now, owner, now + leaseMs, topic, limit, ...group.values],
    );
    return rows.map((r) => toQueueMessage<T>(r)).sort((a, b) => a.seq - b.seq);
  }

  async ack(seqs: readonly number[]): Promise<void> {
    if (seqs.length === 0) return;
    await batchWrite(this.db, [{ text: "DELETE FROM queue WHERE seq = ANY($1::bigint[])", values: [[...seqs]] }]);
  }

  async ackHeld(seqs: readonly number[], owner: string): Promise<void> {
    const distinct = [...new Set(seqs)];
    if (distinct.length === 0) return;
    await batchWrite(this.db, [ackHeldWrite(distinct, owner)]);
  }

  async release(seq: number, availableAt = Date.now()): Promise<void> {
    await this.db.query(
      "UPDATE queue SET claimed_at = NULL, claimed_by = NULL, lease_until = NULL, available_at = $1 WHERE seq = $2",
      [availableAt, seq],
    );
  }

  async extend(seqs: readonly number[], owner: string, leaseMs: number): Promise<number> {
    if (seqs.length === 0) return 0;
    const { rowCount } = await this.db.query(
      "UPDATE queue SET lease_until = $1 WHERE seq = ANY($2::bigint[]) AND claimed_by = $3",
      [Date.now() + leaseMs, seqs, owner],
    );
    return rowCount ?? 0;
  }

  async nextAvailable(topic: Topic): Promise<number | undefined> {
    const { rows } = await this.db.query<{ next: string | null }>(
      "SELECT MIN(available_at) AS next FROM queue WHERE topic = $1 AND claimed_at IS NULL",
      [topic],
    );
    const next = rows[0]?.next;
    return next === null || next === undefined ? undefined : int(next);
  }

  async dropPending(topic: Topic, key: string): Promise<number> {
    const { rowCount } = await this.db.query("DELETE FROM queue WHERE topic = $1 AND key = $2 AND claimed_at IS NULL", [
      topic,
      key,
    ]);
    return rowCount ?? 0;
  }

  async dropAll(topic: Topic, key: string): Promise<number> {
    const { rowCount } = await this.db.query("DELETE FROM queue WHERE topic = $1 AND key = $2", [topic, key]);
    return rowCount ?? 0;
  }

  async claimed<T>(topic: Topic): Promise<QueueMessage<T>[]> {
    const { rows } = await this.db.query<QueueRow>(
      `SELECT ${COLUMNS} FROM queue WHERE topic = $1 AND claimed_at IS NOT NULL ORDER BY seq`,
      [topic],
    );
    return rows.map((r) => toQueueMessage<T>(r));
  }

  async hasKey(key: string): Promise<boolean> {
    const { rows } = await this.db.query("SELECT 1 FROM queue WHERE key = $1 LIMIT 1", [key]);
    return rows.length > 0;
  }

  async reapExpired(options: ReapOptions = {}): Promise<number> {
    const { rowCount } = await this.db.query(
      `UPDATE queue SET claimed_at = NULL, claimed_by = NULL, lease_until = NULL
       WHERE claimed_at IS NOT NULL AND (lease_until IS NULL OR lease_until <= $1
         OR ($2::text[] IS NOT NULL AND (claimed_by IS NULL OR NOT (claimed_by = ANY($2::text[])))))`,
      [options.now ?? Date.now(), options.aliveOwners ? [...options.aliveOwners] : null],
    );
    return rowCount ?? 0;
  }

  /** Messages of a topic, claimed or not (tests, diagnostics). */
  async size(topic: Topic): Promise<number> {
    const { rows } = await this.db.query<{ n: string }>("SELECT COUNT(*) AS n FROM queue WHERE topic = $1", [topic]);
    return int(rows[0]!.n);
  }
}
