/**
 * Leased queue claims on a real database: what this process holds is renewed and never reaped,
 * a claim nobody renews is freed once its lease lapses, and a running task holds its job's lease.
 */
import { afterEach, describe, expect, it } from "vitest";
import { SqliteBackend, sqliteStores } from "../backend/sqlite/sqliteBackend.ts";
import { openDatabase } from "../backend/sqlite/database.ts";
import { openTestInstance, type TestInstance, testBackend } from "../testing/testInstance.ts";
import { LeaseKeeper } from "./leases.ts";

/** For the tests that look at SQLite itself (its statements, a trigger refusing writes, a synchronous store write). */
const itSql = testBackend() === "postgres" ? it.skip : it;

let test: TestInstance | undefined;
afterEach(async () => {
  await test?.close();
  test = undefined;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("LeaseKeeper", () => {
  it("renews what it holds past its lease, while an unrenewed claim of another owner is reaped", async () => {
    const backend = new SqliteBackend(sqliteStores(openDatabase(":memory:")), { owner: "me" });
    await backend.queue.send([
      { topic: "worker", key: "mine", payload: 1 },
      { topic: "worker", key: "theirs", payload: 2 },
    ]);
    const keeper = new LeaseKeeper(backend, (context, error) => expect.fail(`${context}: ${String(error)}`), 150);
    const [mine] = await backend.queue.claim("worker", 1, "me", keeper.leaseMs);
    await backend.queue.claim("worker", 1, "other", 150);
    keeper.hold([mine!.seq]);
    keeper.start(40);
    await sleep(400); // well past both leases
    await keeper.stop();
    const claimed = await backend.queue.claimed("worker");
    expect(claimed.map((m) => m.key)).toEqual(["mine"]);
    // the reaped one is claimable again; once dropped, this one lapses too
    expect((await backend.queue.claim("worker", 10, "other", 1000)).map((m) => m.key)).toEqual(["theirs"]);
    keeper.drop([mine!.seq]);
    await sleep(200);
    expect(await keeper.renewAndReap()).toBe(1);
    await backend.close();
  });

  itSql("holds a running task's job under this open's owner, and lets it go once the result is saved", async () => {
    test = await openTestInstance();
    const { instance } = test;
    const { flow } = await instance.deploy(`id: slow
namespace: unit.leases
tasks:
  - id: wait
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT0.6S
`);
    const execution = await instance.createExecution(flow.namespace, flow.id);
    const claimedRow = () =>
      instance.db
        .prepare("SELECT claimed_by, lease_until FROM queue WHERE topic = 'worker' AND claimed_at IS NOT NULL")
        .get() as { claimed_by: string; lease_until: number } | undefined;
    let row = claimedRow();
    for (let i = 0; !row && i < 200; i++) {
      await sleep(10);
      row = claimedRow();
    }
    expect(row?.claimed_by).toBe(instance.backend.owner);
    expect(row!.lease_until).toBeGreaterThan(Date.now());
    expect(instance.leases.size).toBeGreaterThanOrEqual(1);
    const ended = await instance.waitForEnd(execution.id, 10_000);
    expect(ended.state.current).toBe("SUCCESS");
    await sleep(50); // the executor lets go of the last message once its step has returned
    expect(instance.leases.size).toBe(0);
    expect(instance.db.prepare("SELECT COUNT(*) AS n FROM queue WHERE claimed_at IS NOT NULL").get()).toEqual({ n: 0 });
  });
});
