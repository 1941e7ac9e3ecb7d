import { describe, expect, it } from "vitest";
import { openDatabase } from "../repository/sqlite/database.ts";
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
    const first = queue.claim<{ n: number }>("worker", 10);
    expect(first.map((m) => m.payload.n)).toEqual([1, 2]);
    expect(queue.claim("worker", 10)).toEqual([]);
    queue.ack([first[0]!.seq]);
    expect(queue.releaseAll()).toBe(1);
    expect(queue.claim<{ n: number }>("worker", 10).map((m) => m.payload.n)).toEqual([2]);
    expect(queue.nextAvailable("worker")).toBeGreaterThan(Date.now());
    expect(queue.dropPending("worker", "c")).toBe(1);
    expect(queue.size("worker")).toBe(1);
  });

  it("wakes listeners of the written topics", () => {
    const queue = new SqliteQueue(openDatabase(":memory:"));
    const woken: string[] = [];
    queue.onMessage("executor", () => woken.push("executor"));
    queue.onMessage("worker", () => woken.push("worker"));
    queue.notify(["executor", "executor"]);
    expect(woken).toEqual(["executor"]);
  });
});
