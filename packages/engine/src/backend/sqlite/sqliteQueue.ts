import { statement, type SqliteDatabase } from "./database.ts";
import type { NewMessage, QueueMessage, ReapOptions, Topic } from "../queue.ts";

interface Row {
  seq: number;
  topic: Topic;
  key: string | null;
  payload: string;
  available_at: number;
}

function toMessage<T>(r: Row): QueueMessage<T> {
  return { seq: r.seq, topic: r.topic, key: r.key, payload: JSON.parse(r.payload) as T, availableAt: r.available_at };
}

/**
 * The queue table. Synchronous: the SQLite backend (`backend/sqlite`) puts it behind the async
 * `Queue`; a claim records its owner and lease (`claimed_by`, `lease_until`).
 */
export class SqliteQueue {
  private readonly insert;
  private readonly insertClaimed;
  private readonly extendStmt;
  private readonly reapStmt;
  private readonly claimStmt;
  private readonly deleteStmt;
  private readonly nextStmt;

  constructor(private readonly db: SqliteDatabase) {
    this.insert = statement(db, "INSERT INTO queue (topic, key, payload, available_at) VALUES (?, ?, ?, ?)");
    this.insertClaimed = statement(
      db,
      "INSERT INTO queue (topic, key, payload, available_at, claimed_at, claimed_by, lease_until) VALUES (?, ?, ?, ?, ?, ?, ?)",
    );
    this.claimStmt = db.prepare(
      `UPDATE queue SET claimed_at = ?, claimed_by = ?, lease_until = ? WHERE seq IN (
         SELECT seq FROM queue WHERE topic = ? AND claimed_at IS NULL AND available_at <= ? ORDER BY seq LIMIT ?
       ) RETURNING seq, topic, key, payload, available_at`,
    );
    this.deleteStmt = statement(db, "DELETE FROM queue WHERE seq = ?");
    this.nextStmt = statement(db, "SELECT MIN(available_at) AS next FROM queue WHERE topic = ? AND claimed_at IS NULL");
    this.extendStmt = statement(db, "UPDATE queue SET lease_until = ? WHERE seq = ? AND claimed_by = ?");
    // expired, or (when a list of live owners is given) held by an owner not in it
    this.reapStmt = db.prepare(
      `UPDATE queue SET claimed_at = NULL, claimed_by = NULL, lease_until = NULL
       WHERE claimed_at IS NOT NULL AND (lease_until IS NULL OR lease_until <= ?
         OR (? IS NOT NULL AND (claimed_by IS NULL OR claimed_by NOT IN (SELECT value FROM json_each(?)))))`,
    );
  }

  /** Adds messages; call inside the caller's transaction to make them atomic with its writes. */
  send(messages: readonly NewMessage[]): void {
    const now = Date.now();
    for (const m of messages) this.insert.run(m.topic, m.key ?? null, JSON.stringify(m.payload), m.availableAt ?? now);
  }

  /** Adds messages claimed by `owner` until now + `leaseMs`; call inside the caller's transaction. */
  sendClaimed<T>(
    messages: readonly NewMessage<T>[],
    owner: string,
    leaseMs: number,
    now = Date.now(),
  ): QueueMessage<T>[] {
    return messages.map((m) => {
      const availableAt = m.availableAt ?? now;
      const key = m.key ?? null;
      const text = JSON.stringify(m.payload);
      const { lastInsertRowid } = this.insertClaimed.run(m.topic, key, text, availableAt, now, owner, now + leaseMs);
      // read back as a claim would (dates become strings…): the receiver sees what a restart would
      return { seq: Number(lastInsertRowid), topic: m.topic, key, payload: JSON.parse(text) as T, availableAt };
    });
  }

  /** Claims up to `limit` ready messages of a topic, oldest first, for `owner` until now + `leaseMs`. */
  claim<T>(topic: Topic, limit: number, owner: string, leaseMs: number, now = Date.now()): QueueMessage<T>[] {
    const rows = this.claimStmt.all(now, owner, now + leaseMs, topic, now, limit) as Row[];
    rows.sort((a, b) => a.seq - b.seq);
    return rows.map((r) => toMessage<T>(r));
  }

  ack(seqs: readonly number[]): void {
    for (const seq of seqs) this.deleteStmt.run(seq);
  }

  /** When the next not-yet-ready message of a topic becomes ready (epoch ms), if any. */
  nextAvailable(topic: Topic): number | undefined {
    const row = this.nextStmt.get(topic) as { next: number | null };
    return row.next ?? undefined;
  }

  /** Drops unclaimed messages of a topic for a key (e.g. the queued jobs of a killed execution). */
  dropPending(topic: Topic, key: string): number {
    return statement(this.db, "DELETE FROM queue WHERE topic = ? AND key = ? AND claimed_at IS NULL").run(topic, key)
      .changes;
  }

  /** Drops every message of a topic for a key, claimed or not (an execution failed from outside). */
  dropAll(topic: Topic, key: string): number {
    return statement(this.db, "DELETE FROM queue WHERE topic = ? AND key = ?").run(topic, key).changes;
  }

  /** The claimed messages of a topic, oldest first: at open, what the previous process was handling. */
  claimed<T>(topic: Topic): QueueMessage<T>[] {
    const rows = statement(
      this.db,
      "SELECT seq, topic, key, payload, available_at FROM queue WHERE topic = ? AND claimed_at IS NOT NULL ORDER BY seq",
    ).all(topic) as Row[];
    return rows.map((r) => toMessage<T>(r));
  }

  /** Gives a claimed message back, to be claimed again from `availableAt`. */
  release(seq: number, availableAt = Date.now()): void {
    statement(
      this.db,
      "UPDATE queue SET claimed_at = NULL, claimed_by = NULL, lease_until = NULL, available_at = ? WHERE seq = ?",
    ).run(availableAt, seq);
  }

  /** Renews the leases `owner` holds on these messages; returns how many it still held. */
  extend(seqs: readonly number[], owner: string, leaseMs: number, now = Date.now()): number {
    let held = 0;
    for (const seq of seqs) held += this.extendStmt.run(now + leaseMs, seq, owner).changes;
    return held;
  }

  /** Frees expired leases, and those of owners not in `aliveOwners` when given. */
  reapExpired(options: ReapOptions = {}): number {
    const alive = options.aliveOwners ? JSON.stringify(options.aliveOwners) : null;
    return this.reapStmt.run(options.now ?? Date.now(), alive, alive).changes;
  }

  /** Whether any message (any topic, claimed or not) is keyed by `key`. */
  hasKey(key: string): boolean {
    return statement(this.db, "SELECT 1 FROM queue WHERE key = ? LIMIT 1").get(key) !== undefined;
  }

  size(topic: Topic): number {
    return (statement(this.db, "SELECT COUNT(*) AS n FROM queue WHERE topic = ?").get(topic) as { n: number }).n;
  }
}
