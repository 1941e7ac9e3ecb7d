import { defineTrigger, z } from "@saker/sdk";
import { afterEach, describe, expect, it } from "vitest";
import type { Execution } from "../../model/execution.ts";
import { setTriggerDisabled } from "../../api/triggers.ts";
import { coreRegistry } from "../registryLoader.ts";
import { eventually, openTestInstance, type TestInstance } from "../../testing/testInstance.ts";

/** A realtime trigger for the test: emits `{n}` every `everyMs` until stopped, or fails at once. */
const Ticker = defineTrigger({
  type: "io.saker.test.Ticker",
  triggerKind: "realtime",
  title: "Emit numbers",
  properties: z.object({ everyMs: z.number().int().default(50), fail: z.boolean().default(false) }),
  async listen({ everyMs, fail }, ctx, emit) {
    if (fail) throw new Error("cannot connect to the broker");
    let n = 0;
    while (!ctx.signal.aborted) {
      await new Promise((r) => setTimeout(r, everyMs));
      if (!ctx.signal.aborted) await emit({ variables: { n: ++n } });
    }
  },
});

let t: TestInstance | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function open(): Promise<TestInstance> {
  const registry = coreRegistry();
  registry.addType({ name: "saker-test-realtime", version: "1.0.0", core: false }, Ticker);
  t = await openTestInstance({ registry, scheduler: true });
  return t;
}

const executions = (test: TestInstance, flowId: string): Execution[] =>
  test.instance.executions.search({
    tenantId: test.instance.config.tenantId,
    namespace: "rt.tests",
    flowId,
    size: 1000,
  }).results;

describe("realtime triggers", () => {
  it("start one execution per event while enabled, and stop when the trigger is disabled", async () => {
    const test = await open();
    await test.instance.deploy(`id: listener
namespace: rt.tests
tasks:
  - id: got
    type: io.kestra.plugin.core.debug.Return
    format: "event {{ trigger.n }}"
triggers:
  - id: ticker
    type: io.saker.test.Ticker
    everyMs: 100
`);
    const started = await eventually(() => {
      const found = executions(test, "listener").filter((x) => x.state.current === "SUCCESS");
      return found.length >= 2 ? found : undefined;
    });
    expect(started.map((x) => x.taskRunList[0]?.outputs?.value)).toEqual(
      expect.arrayContaining(["event 1", "event 2"]),
    );
    // the engine API's update waits for the row's lock (the tests' synchronous bridge gives up after 2 s)
    await setTriggerDisabled(test.instance, { namespace: "rt.tests", flowId: "listener", triggerId: "ticker" }, true);
    await eventually(
      () => (test.instance.scheduler.realtime.size === 0 ? true : undefined),
      5_000,
      "the listener to stop",
    );
    const count = executions(test, "listener").length;
    await new Promise((r) => setTimeout(r, 400));
    expect(executions(test, "listener")).toHaveLength(count);
  });

  it("a listener that fails is logged on its trigger and starts nothing", async () => {
    const test = await open();
    await test.instance.deploy(`id: broken
namespace: rt.tests
tasks:
  - id: got
    type: io.kestra.plugin.core.log.Log
    message: never
triggers:
  - id: ticker
    type: io.saker.test.Ticker
    fail: true
`);
    const logged = await eventually(() =>
      test.instance.logs
        .find({ namespace: "rt.tests", flowId: "broken", minLevel: "ERROR" })
        .find((l) => l.message.includes("cannot connect")),
    );
    expect(logged.triggerId).toBe("ticker");
    expect(executions(test, "broken")).toHaveLength(0);
  });
});
