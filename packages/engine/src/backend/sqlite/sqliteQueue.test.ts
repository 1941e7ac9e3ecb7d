import { describe, expect, it } from "vitest";
import { openDatabase } from "./database.ts";
import { SqliteQueue } from "./sqliteQueue.ts";

describe("SqliteQueue", () => {
  it("delivers ready messages once, in order, and again after a restart when not acknowledged", () => {
    const db = openDatabase(":memory:");
    const queue = new SqliteQueue(db);
    queue.send([
      { topic: "worker", key: "a", payload: { n: 1 } },
      { topic: "worker", key: "b", payload: { n: 2 } },
      { topic: "executor", key: "a", payload: { n: 3 } },
      { topic: "worker", key: "c", payload: { n: 4 }, availableAt: Date.now() + 60_000 },
    ]);
    const first = queue.claim<{ n: number }>("worker", 10, "p1", 60_000);
    expect(first.map((m) => m.payload.n)).toEqual([1, 2]);
    expect(queue.claim("worker", 10, "p1", 60_000)).toEqual([]);
    queue.ack([first[0]!.seq]);
    // a new process (owner p2) frees what p1 held
    expect(queue.reapExpired({ aliveOwners: ["p2"] })).toBe(1);
    expect(queue.claim<{ n: number }>("worker", 10, "p2", 60_000).map((m) => m.payload.n)).toEqual([2]);
    expect(queue.nextAvailable("worker")).toBeGreaterThan(Date.now());
    expect(queue.dropPending("worker", "c")).toBe(1);
    expect(queue.size("worker")).toBe(1);
  });

  it("leases claims: extended by their owner only, freed by the reaper once expired", () => {
    const db = openDatabase(":memory:");
    const queue = new SqliteQueue(db);
    queue.send([
      { topic: "worker", key: "a", payload: 1 },
      { topic: "worker", key: "b", payload: 2 },
    ]);
    const now = Date.now();
    const [a, b] = queue.claim("worker", 10, "w1", 1_000, now);
    expect(queue.extend([a!.seq], "w2", 10_000, now)).toBe(0);
    expect(queue.extend([a!.seq], "w1", 10_000, now)).toBe(1);
    // at now + 5 s, b's lease (1 s) lapsed, a's (extended to 10 s) holds
    expect(queue.reapExpired({ now: now + 5_000 })).toBe(1);
    expect(queue.claim("worker", 10, "w2", 1_000, now + 5_000).map((m) => m.seq)).toEqual([b!.seq]);
    // the live-owner list frees the claims of an owner no longer in it, lease or not
    expect(queue.reapExpired({ now, aliveOwners: ["w2"] })).toBe(1);
    expect(queue.claimed("worker").map((m) => m.seq)).toEqual([b!.seq]);
    // a released message has no owner left: the old owner cannot extend it
    queue.release(b!.seq);
    expect(queue.extend([b!.seq], "w2", 1_000)).toBe(0);
  });

  it("frees at the next reap a message claimed before claims had leases", () => {
    const db = openDatabase(":memory:");
    const queue = new SqliteQueue(db);
    queue.send([{ topic: "executor", key: "x", payload: 1 }]);
    db.prepare("UPDATE queue SET claimed_at = ?").run(Date.now());
    expect(queue.claim("executor", 10, "p", 1_000)).toEqual([]);
    expect(queue.reapExpired()).toBe(1);
    expect(queue.claim("executor", 10, "p", 1_000)).toHaveLength(1);
  });
});
