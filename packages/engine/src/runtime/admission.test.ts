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
