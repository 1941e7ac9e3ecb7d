/**
 * Writes that a transaction holds back and sends together: a step's execution row, task runs,
 * queue rows, acknowledgements and log lines cost one round trip for the whole group commit
 * instead of one each.
 *
 * A batchable write is a statement whose parameters are all arrays (rows of an `unnest`), whose
 * result nobody reads. Two writes of the same text merge by concatenating their arrays (in call
 * order: sequences follow it); writes of different texts become the parts of one statement
 * (`WITH w0 AS (…), w1 AS (…) SELECT 1`), which run on one snapshot without seeing each other's
 * rows. That is safe for what is batched (distinct tables, or distinct rows of one table) as long
 * as no row is written twice in a batch: a write names the rows it may touch twice (`keys`, an
 * execution id) and a pending key sends the batch first. Any other query sends the batch before
 * it, so reads see the writes and order is kept.
 *
 * A fenced write (`ArrayWrite.expect`: the executor's commit, see backend/fence.ts) returns a row
 * per row it touched; the statement's final SELECT counts them and fails the whole statement (so
 * the transaction) through `saker_fence` when they are not the expected number: a commit checks
 * its claims and its executions' revisions without a round trip of its own.
 */
import type { ArrayWrite, Queryable } from "./sql.ts";

/**
 * One statement doing `writes` (each a data-modifying WITH part, its parameters renumbered). The
 * fenced ones (`expect`) are counted by its final SELECT, which fails the statement through
 * `saker_fence` when one returned other than the rows it expected.
 */
export function combined(writes: readonly ArrayWrite[]): { text: string; values: string[] } {
  const fenced = writes.some((w) => w.expect);
  if (writes.length === 1 && !fenced) return { text: writes[0]!.text, values: writes[0]!.values.map(arrayLiteral) };
  const parts: string[] = [];
  const checks: string[] = [];
  const values: string[] = [];
  for (const [i, write] of writes.entries()) {
    const offset = values.length;
    parts.push(`w${i} AS (${write.text.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`)})`);
    for (const array of write.values) values.push(arrayLiteral(array));
    // the count and the code are the engine's own (a number, a constant), never user text
    if (write.expect)
      checks.push(`saker_fence((SELECT count(*) FROM w${i}), ${write.expect.rows}, '${write.expect.code}')`);
  }
  return { text: `WITH ${parts.join(", ")} SELECT ${checks.length ? checks.join(", ") : "1"}`, values };
}

/** A character JSON escapes otherwise than an array literal does (a control character, a surrogate). */
const NOT_AS_JSON = /[\u0000-\u001f\ud800-\udfff]/;

/**
 * An array's PostgreSQL literal (`{"a","b\\"c",NULL,3}`). node-postgres builds the same with two
 * regular expressions per element, which for the long JSON texts of a group commit cost more than
 * the rest of the write; `JSON.stringify` escapes a string as an array literal does (`\"`, `\\`)
 * when it holds no control character nor surrogate.
 */
export function arrayLiteral(values: readonly unknown[]): string {
  let out = "{";
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ",";
    const v = values[i];
    if (v === null || v === undefined) out += "NULL";
    else if (typeof v === "number") out += String(v);
    else if (typeof v === "boolean") out += v ? "t" : "f";
    else {
      const text = String(v);
      out += NOT_AS_JSON.test(text) ? `"${text.replace(/[\\"]/g, "\\$&")}"` : JSON.stringify(text);
    }
  }
  return out + "}";
}

/** The writes held back by a transaction, merged by text. */
export class WriteBuffer {
  private writes = new Map<string, unknown[][]>();
  private expects = new Map<string, { rows: number; code: string }>();
  private keys = new Set<string>();

  /** Whether adding writes for `keys` needs the batch sent first (one of them is pending). */
  conflicts(keys: readonly string[]): boolean {
    return keys.some((k) => this.keys.has(k));
  }

  add(writes: readonly ArrayWrite[], keys: readonly string[]): void {
    for (const { text, values, expect } of writes) {
      if (expect) {
        const sum = this.expects.get(text);
        this.expects.set(text, { rows: (sum?.rows ?? 0) + expect.rows, code: expect.code });
      }
      const pending = this.writes.get(text);
      if (!pending)
        this.writes.set(
          text,
          values.map((v) => v.slice()),
        );
      else for (let i = 0; i < values.length; i++) for (const v of values[i]!) pending[i]!.push(v);
    }
    for (const k of keys) this.keys.add(k);
  }

  get empty(): boolean {
    return this.writes.size === 0;
  }

  /** The pending writes as one statement, and an empty buffer; undefined when there are none. */
  take(): { text: string; values: string[] } | undefined {
    if (this.writes.size === 0) return undefined;
    const writes = [...this.writes].map(([text, values]) => {
      const expect = this.expects.get(text);
      return expect ? { text, values, expect } : { text, values };
    });
    this.writes = new Map();
    this.expects = new Map();
    this.keys = new Set();
    return combined(writes);
  }
}

/**
 * Does `writes`: held back in a transaction's batch (resolved at once; a failure fails the
 * transaction), else at once as one statement (atomic on its own).
 */
export function batchWrite(db: Queryable, writes: readonly ArrayWrite[], keys: readonly string[] = []): Promise<void> {
  if (writes.length === 0) return Promise.resolve();
  if (db.defer) return db.defer(writes, keys);
  const { text, values } = combined(writes);
  return db.query(text, values).then(() => undefined);
}
