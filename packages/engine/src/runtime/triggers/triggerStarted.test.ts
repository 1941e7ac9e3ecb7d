/**
 * A polling trigger's `onStarted` runs once the execution its event starts is stored, and never
 * when the engine starts none (the trigger disabled while it evaluated): where a trigger moves its
 * cursor on, so that what it reported is not lost. A failing `onStarted` (a rejection or a plain
 * throw) is logged on the trigger, masked.
 */
import { defineTrigger, z } from "@saker/sdk";
import { afterEach, describe, expect, it } from "vitest";
import { setTriggerDisabled } from "../../api/triggers.ts";
import { coreRegistry } from "../registryLoader.ts";
import { eventually, openTestInstance, testBackend, type TestInstance } from "../../testing/testInstance.ts";

/** For the test that makes SQLite itself refuse a write (a trigger in the database). */
const itSql = testBackend() === "postgres" ? it.skip : it;

/** What the test lets the next evaluation do, and what `onStarted` saw. */
const control: {
  gate?: Promise<void>;
  evaluations: number;
  returned: number;
  started: { executions: number }[];
  /** How `onStarted` fails: a rejected promise, or a throw before any promise. */
  failStarted?: "reject" | "throw";
} = { evaluations: 0, returned: 0, started: [] };
let t: TestInstance | undefined;

const Gated = defineTrigger({
  type: "io.saker.test.GatedTrigger",
  triggerKind: "polling",
  title: "Reports one event per evaluation, once the test opens its gate",
  properties: z.object({ interval: z.string().default("PT1S") }),
  async evaluate() {
    control.evaluations++;
    await control.gate;
    control.returned++;
    const failure = new Error(`the cursor could not be saved with ${process.env.SECRET_TOKEN_PLAIN}`);
    return {
      variables: { n: control.evaluations },
      onStarted:
        control.failStarted === "throw"
          ? () => {
              throw failure;
            }
          : async () => {
              if (control.failStarted === "reject") throw failure;
              control.started.push({ executions: countExecutions() });
            },
    };
  },
});

function countExecutions(): number {
  return t!.instance.executions.search({
    tenantId: t!.instance.config.tenantId,
    namespace: "started.tests",
    flowId: "gated",
    size: 1000,
    sort: "asc",
  }).results.length;
}

const TOKEN = "tok-3f9a-secret-value";

async function open(triggerLines = "") {
  const registry = coreRegistry();
  registry.addType({ name: "saker-test-started", version: "1.0.0", core: false }, Gated);
  process.env.SECRET_TOKEN_PLAIN = TOKEN;
  t = await openTestInstance({
    registry,
    scheduler: true,
    env: { SECRET_TOKEN: Buffer.from(TOKEN).toString("base64") },
  });
  await t.instance.deploy(`id: gated
namespace: started.tests
tasks:
  - id: out
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.n }}"
triggers:
  - id: gated
    type: io.saker.test.GatedTrigger
${triggerLines}`);
}

afterEach(async () => {
  await t?.close();
  t = undefined;
  control.gate = undefined;
  control.evaluations = 0;
  control.returned = 0;
  control.started = [];
  control.failStarted = undefined;
  delete process.env.SECRET_TOKEN_PLAIN;
});

describe("a polling trigger's onStarted", () => {
  it("runs once the execution is stored", async () => {
    await open();
    const first = await eventually(() => control.started[0], 10_000, "onStarted");
    expect(first.executions).toBeGreaterThanOrEqual(1);
  });

  it("does not run when the trigger was disabled while it evaluated: no execution, nothing moved on", async () => {
    let open_: () => void = () => undefined;
    control.gate = new Promise<void>((resolve) => (open_ = resolve));
    await open();
    await eventually(() => (control.evaluations > 0 ? true : undefined), 10_000, "an evaluation");
    await setTriggerDisabled(t!.instance, { namespace: "started.tests", flowId: "gated", triggerId: "gated" }, true);
    open_();
    await eventually(() => (control.returned > 0 ? true : undefined), 10_000, "the evaluation's end");
    // its commit follows at once (it skips the disabled trigger); a second is not polled
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(control.evaluations).toBe(1);
    expect(countExecutions()).toBe(0);
    expect(control.started).toEqual([]);
  });

  it.each(["reject", "throw"] as const)("a failure (%s) is logged on the trigger, masked", async (how) => {
    control.failStarted = how;
    await open();
    const line = await eventually(
      () =>
        t!.instance.logs
          .find({ namespace: "started.tests", flowId: "gated" })
          .find((l) => l.message.includes("could not be saved")),
      10_000,
      "the trigger's log line",
    );
    expect(line).toMatchObject({ level: "ERROR", triggerId: "gated" });
    expect(line.message).toMatch(
      /^After its execution \w+ was stored: .*the cursor could not be saved with \*\*masked\*+$/,
    );
    expect(line.message).not.toContain(TOKEN);
  });

  itSql("after a failed commit, the trigger is polled again only an interval later (not every second)", async () => {
    let open_: () => void = () => undefined;
    control.gate = new Promise<void>((resolve) => (open_ = resolve));
    await open("    interval: PT4S\n");
    await eventually(() => (control.evaluations > 0 ? true : undefined), 10_000, "an evaluation");
    t!.instance.db.exec(
      "CREATE TEMP TRIGGER refuse_gated BEFORE INSERT ON executions WHEN NEW.flow_id = 'gated' " +
        "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END",
    );
    open_();
    await eventually(() => (control.returned > 0 ? true : undefined), 10_000, "the evaluation's end");
    // the scheduler's clock ticks every second: without the wait it would evaluate again at once
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(control.evaluations).toBe(1);
    expect(control.started).toEqual([]);
    t!.instance.db.exec("DROP TRIGGER refuse_gated");
    await eventually(() => control.started[0], 10_000, "the next evaluation, stored");
  });
});
