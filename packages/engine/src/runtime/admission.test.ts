/**
 * Admission on a real database, with the loops stopped: a new execution is its row and its first
 * executor message, committed together, and the executor is woken only after the commit.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { NOTIFY } from "../backend/notifier.ts";
import { loadConfig } from "./config.ts";
import { Instance } from "./instance.ts";

const FLOW = `id: one
namespace: unit.admission
tasks:
  - id: a
    type: io.kestra.plugin.core.debug.Return
    format: "a"
`;

let instance: Instance | undefined;
let home: string | undefined;
afterEach(async () => {
  await instance?.close();
  if (home) rmSync(home, { recursive: true, force: true });
  instance = undefined;
});

async function openStopped(): Promise<Instance> {
  home = mkdtempSync(join(tmpdir(), "saker-admission-"));
  instance = await Instance.open(loadConfig({ env: {}, overrides: { home }, cwd: home }), { start: false });
  return instance;
}

describe("Admission", () => {
  it("commits an execution with its first message, then wakes the executor", async () => {
    const instance = await openStopped();
    const { flow } = await instance.deploy(FLOW);
    const seen: string[] = [];
    instance.backend.notifier.on(NOTIFY.queue("executor"), () =>
      seen.push(!instance.db.inTransaction && instance.queue.size("executor") === 1 ? "committed" : "not yet"),
    );
    const created = await instance.admission.create(flow.namespace, flow.id);
    expect(seen).toEqual(["committed"]);
    expect(instance.executions.get(created.id)?.execution.state.current).toBe("CREATED");
    const messages = instance.queue.claim<{ type: string }>("executor", 10, "t", 1000);
    expect(messages.map((m) => [m.key, m.payload.type])).toEqual([[created.id, "process"]]);
  });

  it("drops the inputs a request gives for a flow that declares none", async () => {
    const instance = await openStopped();
    const { flow } = await instance.deploy(FLOW);
    const created = await instance.admission.create(flow.namespace, flow.id, { inputs: { undeclared: "x" } });
    expect(created.inputs).toBeUndefined();
    expect(instance.executions.get(created.id)?.execution.inputs).toBeUndefined();
  });

  it("writes nothing when the transaction fails half-way", async () => {
    const instance = await openStopped();
    const { flow } = await instance.deploy(FLOW);
    const execution = await instance.admission.buildExecution(instance.flows.get(flow.namespace, flow.id).flow, {});
    await expect(
      instance.admission.start([execution], async () => {
        throw new Error("the trigger state could not be saved");
      }),
    ).rejects.toThrow("could not be saved");
    expect(instance.executions.get(execution.id)).toBeUndefined();
    expect(instance.queue.hasKey(execution.id)).toBe(false);
  });

  it("writes executions created concurrently in one transaction, each on disk when its promise resolves", async () => {
    const instance = await openStopped();
    const { flow } = await instance.deploy(FLOW);
    let commits = 0;
    // one wake-up of the executor per commit of created executions
    instance.backend.notifier.on(NOTIFY.queue("executor"), () => commits++);
    const onDisk: boolean[] = [];
    const created = await Promise.all(
      Array.from({ length: 20 }, () =>
        instance.admission.create(flow.namespace, flow.id).then((x) => {
          onDisk.push(!instance.db.inTransaction && instance.executions.get(x.id) !== undefined);
          return x;
        }),
      ),
    );
    expect(commits).toBe(1);
    expect(onDisk).toEqual(Array.from({ length: 20 }, () => true));
    expect(new Set(created.map((x) => x.id)).size).toBe(20);
    const messages = instance.queue.claim<{ type: string }>("executor", 100, "t", 1000);
    expect(messages.map((m) => m.key).sort()).toEqual(created.map((x) => x.id).sort());
  });

  it("writes a large burst in groups of at most 500", async () => {
    const instance = await openStopped();
    const { flow } = await instance.deploy(FLOW);
    let commits = 0;
    instance.backend.notifier.on(NOTIFY.queue("executor"), () => commits++);
    const created = await Promise.all(
      Array.from({ length: 600 }, () => instance.admission.create(flow.namespace, flow.id)),
    );
    expect(commits).toBe(2);
    for (const x of created) expect(instance.executions.get(x.id)?.execution.state.current).toBe("CREATED");
  });

  it("writes the others alone when one creation of a group fails", async () => {
    const instance = await openStopped();
    const { flow } = await instance.deploy(FLOW);
    const taken = await instance.admission.create(flow.namespace, flow.id);
    let commits = 0;
    instance.backend.notifier.on(NOTIFY.queue("executor"), () => commits++);
    const results = await Promise.allSettled([
      instance.admission.create(flow.namespace, flow.id),
      // the same id again: its insert fails, and with it the group's transaction
      instance.admission.create(flow.namespace, flow.id, { id: taken.id }),
      instance.admission.create(flow.namespace, flow.id),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    // the two healthy ones, each in its own transaction after the group's rollback
    expect(commits).toBe(2);
    for (const r of results)
      if (r.status === "fulfilled")
        expect(instance.executions.get(r.value.id)?.execution.state.current).toBe("CREATED");
    const messages = instance.queue.claim<{ type: string }>("executor", 100, "t", 1000);
    expect(messages.filter((m) => m.key === taken.id)).toHaveLength(1);
    expect(messages).toHaveLength(3);
  });

  it("refuses to signal an unknown execution, and to resume one that is not paused", async () => {
    const instance = await openStopped();
    await expect(instance.admission.signal("nope", { type: "kill-requested" })).rejects.toMatchObject({
      code: "EXECUTION_NOT_FOUND",
    });
    const { flow } = await instance.deploy(FLOW);
    const created = await instance.admission.create(flow.namespace, flow.id);
    await expect(instance.admission.resume(created.id)).rejects.toMatchObject({ code: "EXECUTION_NOT_PAUSED" });
    expect(instance.queue.size("executor")).toBe(1);
  });
});
