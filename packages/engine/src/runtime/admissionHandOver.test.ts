/**
 * What starting an execution writes to the queue when the executor runs in this process: its
 * first message inserted already claimed (handed over in memory, no claim), and no state change
 * posted to the scheduler while no trigger can listen to it.
 */
import { afterEach, describe, expect, it } from "vitest";
import { openTestInstance, testBackend, type TestInstance } from "../testing/testInstance.ts";
import type { Instance } from "./instance.ts";

/** These look at SQLite's queue table itself (PostgreSQL hands over the same way; its table is not read here). */
const itSql = testBackend() === "postgres" ? it.skip : it;

let test: TestInstance | undefined;
afterEach(async () => {
  await test?.close();
  test = undefined;
});

/** Records every row inserted into the queue from now on (a temporary trigger of this connection). */
function auditQueue(instance: Instance): () => { topic: string; key: string; claimedBy: string | null }[] {
  instance.db.exec(`
    CREATE TEMP TABLE queue_audit (topic TEXT, key TEXT, claimed_by TEXT);
    CREATE TEMP TRIGGER queue_audit_insert AFTER INSERT ON main.queue
      BEGIN INSERT INTO queue_audit VALUES (new.topic, new.key, new.claimed_by); END;
  `);
  return () =>
    instance.db.prepare("SELECT topic, key, claimed_by AS claimedBy FROM queue_audit ORDER BY rowid").all() as {
      topic: string;
      key: string;
      claimedBy: string | null;
    }[];
}

const ONE_TASK = `id: one
namespace: unit.admission
tasks:
  - id: only
    type: io.kestra.plugin.core.debug.Return
    format: done
`;

describe("starting an execution", () => {
  itSql("hands its first message to this process's executor, inserted claimed by this process", async () => {
    test = await openTestInstance();
    const { instance } = test;
    await instance.deploy(ONE_TASK);
    const inserted = auditQueue(instance);
    const created = await instance.createExecution("unit.admission", "one");
    expect((await instance.waitForEnd(created.id, 10_000)).state.current).toBe("SUCCESS");
    expect(inserted().filter((row) => row.topic === "executor")).toEqual([
      { topic: "executor", key: created.id, claimedBy: instance.backend.owner },
    ]);
    // acknowledged with the step that handled it
    expect(instance.db.prepare("SELECT COUNT(*) AS n FROM queue").get()).toEqual({ n: 0 });
  });

  itSql("posts its state changes to the scheduler only once a trigger can listen", async () => {
    test = await openTestInstance({ scheduler: true });
    const { instance } = test;
    await instance.deploy(ONE_TASK);
    const inserted = auditQueue(instance);
    const quiet = await instance.createExecution("unit.admission", "one");
    expect((await instance.waitForEnd(quiet.id, 10_000)).state.current).toBe("SUCCESS");
    expect(inserted().filter((row) => row.topic === "scheduler")).toEqual([]);

    await instance.deploy(`id: listener
namespace: unit.admission
tasks:
  - id: heard
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.executionId }}"
triggers:
  - id: listen
    type: io.kestra.plugin.core.trigger.Flow
    states: [SUCCESS]
`);
    const heard = await instance.createExecution("unit.admission", "one");
    expect((await instance.waitForEnd(heard.id, 10_000)).state.current).toBe("SUCCESS");
    expect(inserted().filter((row) => row.topic === "scheduler" && row.key === `ended:${heard.id}`)).toHaveLength(1);
  });
});
