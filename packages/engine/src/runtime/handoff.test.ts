/**
 * The hand-over between roles of one process, on a real database: a message handed over in
 * memory is in the queue, claimed under a lease, until its receiver acknowledges it, and a process
 * that dies in between leaves it to be claimed and handled again.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "../backend/sqlite/database.ts";
import { SqliteBackend, sqliteStores } from "../backend/sqlite/sqliteBackend.ts";
import type { QueueMessage } from "../backend/queue.ts";
import { eventually, openTestInstance, type TestInstance, testBackend } from "../testing/testInstance.ts";
import { LocalHandoff } from "./handoff.ts";

/** For the tests that look at SQLite itself (its statements, a trigger refusing writes, a synchronous store write). */
const itSql = testBackend() === "postgres" ? it.skip : it;

let test: TestInstance | undefined;
const homes: string[] = [];
afterEach(async () => {
  await test?.close();
  test = undefined;
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});

function tempFile(): string {
  const home = mkdtempSync(join(tmpdir(), "saker-handoff-"));
  homes.push(home);
  return join(home, "saker.db");
}

describe("LocalHandoff", () => {
  it("grants no more than the receiver's room, and nothing once it is gone", () => {
    const handoff = new LocalHandoff();
    expect(handoff.reserve("worker", 3).granted).toBe(0);
    const taken: QueueMessage[] = [];
    const unregister = handoff.register("worker", { room: () => 2, take: (m) => taken.push(...m) });
    const first = handoff.reserve("worker", 3);
    expect(first.granted).toBe(2);
    expect(handoff.reserve("worker", 1).granted).toBe(0); // the room is reserved until delivered
    first.cancel();
    expect(handoff.reserved("worker")).toBe(0);
    const second = handoff.reserve("worker", 1);
    unregister();
    const message = { seq: 1, topic: "worker" as const, key: null, payload: 1, availableAt: 0 };
    expect(second.deliver([message])).toBe(false);
    expect(taken).toEqual([]);
  });

  it("hands over a message committed claimed; after a crash before its acknowledgement it is claimed again", async () => {
    const file = tempFile();
    const first = new SqliteBackend(sqliteStores(openDatabase(file)), { owner: "first" });
    const handoff = new LocalHandoff();
    const taken: QueueMessage[] = [];
    handoff.register("worker", { room: () => 1, take: (m) => taken.push(...m) });
    const reservation = handoff.reserve("worker", 1);
    const sent = await first.transaction((tx) =>
      tx.queue.sendClaimed([{ topic: "worker", key: "x", payload: { at: new Date(0) } }], first.owner, 60_000),
    );
    expect(reservation.deliver(sent)).toBe(true);
    // what the receiver holds is what a claim would read back
    expect(taken.map((m) => m.payload)).toEqual([{ at: "1970-01-01T00:00:00.000Z" }]);
    const row = first.db.prepare("SELECT claimed_by, lease_until FROM queue WHERE seq = ?").get(sent[0]!.seq) as {
      claimed_by: string;
      lease_until: number;
    };
    expect(row.claimed_by).toBe("first");
    expect(row.lease_until).toBeGreaterThan(Date.now());
    expect(await first.queue.claim("worker", 10, "someone-else", 60_000)).toEqual([]);

    // the process dies before acknowledging: the next open frees the claims of every other owner
    const second = new SqliteBackend(sqliteStores(openDatabase(file)), { owner: "second" });
    try {
      expect(await second.queue.reapExpired({ aliveOwners: ["second"] })).toBe(1);
      const again = await second.queue.claim("worker", 10, "second", 60_000);
      expect(again.map((m) => [m.seq, m.payload])).toEqual([[sent[0]!.seq, { at: "1970-01-01T00:00:00.000Z" }]]);
    } finally {
      await second.close();
      await first.close();
    }
  });
});

describe("executor and worker in one process", () => {
  itSql("keep a running task's job in the queue, leased to this process, until its result commits", async () => {
    test = await openTestInstance();
    const { instance } = test;
    const { flow } = await instance.deploy(`id: handed
namespace: unit.handoff
tasks:
  - id: wait
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT0.5S
  - id: after
    type: io.kestra.plugin.core.debug.Return
    format: done
`);
    const created = await instance.createExecution(flow.namespace, flow.id);
    const workerRows = () =>
      instance.db.prepare("SELECT claimed_by FROM queue WHERE topic = 'worker'").all() as { claimed_by: string }[];
    // the task runs: its start is on disk, its job is claimed by this open and by nobody else
    await eventually(() =>
      instance.executions.get(created.id)!.execution.taskRunList[0]?.state.current === "RUNNING" ? true : undefined,
    );
    expect(workerRows()).toEqual([{ claimed_by: instance.backend.owner }]);
    const ended = await instance.waitForEnd(created.id, 10_000);
    expect(ended.state.current).toBe("SUCCESS");
    expect(ended.taskRunList.map((t) => t.state.histories.map((h) => h.state))).toEqual([
      ["CREATED", "RUNNING", "SUCCESS"],
      ["CREATED", "RUNNING", "SUCCESS"],
    ]);
    expect(instance.db.prepare("SELECT COUNT(*) AS n FROM queue").get()).toEqual({ n: 0 });
  });
});
