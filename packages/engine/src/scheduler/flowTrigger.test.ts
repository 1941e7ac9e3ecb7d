import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { conditionContext, execution, pathRenderer } from "./__tests__/support.ts";
import {
  evaluateFlowTrigger,
  flowTriggerVariables,
  matchesStatesAndConditions,
  type FlowTriggerInput,
} from "./flowTrigger.ts";
import type { WindowState } from "./timeWindow.ts";

/** Flow triggers shaped like those of Kestra's test flows of the same names. */
const TRIGGERS: Record<string, string> = {
  "trigger-flow-listener": `
id: listen-flow
type: io.kestra.plugin.core.trigger.Flow
inputs:
  from-parent: "{{ outputs.only.value }}"
conditions:
  - type: io.kestra.plugin.core.condition.ExecutionStatus
    in: [SUCCESS]
  - type: io.kestra.plugin.core.condition.ExecutionFlow
    namespace: io.kestra.tests.trigger
    flowId: trigger-flow`,
  "trigger-flow-listener-with-pause": `
id: listen-flow
type: io.kestra.plugin.core.trigger.Flow
states: [RUNNING, PAUSED, SUCCESS, WARNING, FAILED]
conditions:
  - type: io.kestra.plugin.core.condition.ExecutionFlow
    namespace: io.kestra.tests.trigger.pause
    flowId: trigger-flow-with-pause`,
  "trigger-multiplecondition-listener": `
id: multiple-listen-flow
type: io.kestra.plugin.core.trigger.Flow
conditions:
  - id: multiple
    type: io.kestra.plugin.core.condition.MultipleCondition
    window: P1D
    windowAdvance: P0D
    conditions:
      success:
        type: io.kestra.plugin.core.condition.ExecutionStatus
        in: [SUCCESS]
      flow-a:
        type: io.kestra.plugin.core.condition.ExecutionFlow
        namespace: io.kestra.tests.trigger
        flowId: trigger-multiplecondition-flow-a
      flow-b:
        type: io.kestra.plugin.core.condition.ExecutionFlow
        namespace: io.kestra.tests.trigger
        flowId: trigger-multiplecondition-flow-b`,
  "trigger-multiplecondition-failed": `
id: multiple-listen-flow
type: io.kestra.plugin.core.trigger.Flow
conditions:
  - type: io.kestra.plugin.core.condition.ExecutionStatus
    in: [SUCCESS]
  - id: multiple
    type: io.kestra.plugin.core.condition.MultipleCondition
    window: P1D
    windowAdvance: P0D
    conditions:
      flow-a:
        type: io.kestra.plugin.core.condition.ExecutionFlow
        namespace: io.kestra.tests.trigger
        flowId: trigger-multiplecondition-flow-d
      flow-b:
        type: io.kestra.plugin.core.condition.ExecutionFlow
        namespace: io.kestra.tests.trigger
        flowId: trigger-multiplecondition-flow-c`,
  "flow-trigger-preconditions-flow-listen": `
id: flow
type: io.kestra.plugin.core.trigger.Flow
preconditions:
  id: flow
  flows:
    - namespace: io.kestra.tests.trigger.preconditions
      flowId: flow-trigger-preconditions-flow-a
      states: [SUCCESS, WARNING, FAILED]
    - namespace: io.kestra.tests.trigger.preconditions
      flowId: flow-trigger-preconditions-flow-b
      states: [SUCCESS]
  where:
    - id: flow1
      filters:
        - field: NAMESPACE
          type: STARTS_WITH
          value: io.kestra.tests.trigger
        - field: FLOW_ID
          type: EQUAL_TO
          value: flow-trigger-preconditions-flow-a
        - field: EXPRESSION
          type: IS_TRUE
          value: "{{ labels.some == 'label' }}"
    - id: flow2
      filters:
        - field: NAMESPACE
          type: ENDS_WITH
          value: trigger.preconditions
        - field: FLOW_ID
          type: EQUAL_TO
          value: flow-trigger-preconditions-flow-b`,
};

function triggerOf(file: string): Record<string, unknown> {
  return parseYaml(TRIGGERS[file.replace(/\.yaml$/, "")]!) as Record<string, unknown>;
}

/** The input the executor would build for one upstream execution. */
function input(
  trigger: Record<string, unknown>,
  upstream: Record<string, unknown>,
  windows: Record<string, WindowState>,
  now: string,
): FlowTriggerInput {
  const ctx = conditionContext({
    execution: upstream,
    variables: {
      labels: Object.fromEntries((upstream.labels as { key: string; value: string }[]).map((l) => [l.key, l.value])),
    },
  });
  return {
    trigger,
    execution: upstream,
    test: (conditions) => ctx.test(conditions),
    render: async (template) =>
      String(await pathRenderer.render(template, ctx.variables as Record<string, unknown>, false)),
    windows,
    now: new Date(now),
    zone: "UTC",
  };
}

const ns = "io.kestra.tests.trigger";

describe("Flow trigger: states and conditions", () => {
  const trigger = triggerOf("trigger-flow-listener.yaml");
  it("matches a SUCCESS execution of trigger-flow only", async () => {
    expect(
      await matchesStatesAndConditions(
        input(trigger, execution({ namespace: ns, flowId: "trigger-flow" }), {}, "2024-03-05T10:00:00Z"),
      ),
    ).toBe(true);
    expect(
      await matchesStatesAndConditions(
        input(
          trigger,
          execution({ namespace: ns, flowId: "trigger-flow", state: { current: "FAILED" } }),
          {},
          "2024-03-05T10:00:00Z",
        ),
      ),
    ).toBe(false);
    expect(
      await matchesStatesAndConditions(
        input(trigger, execution({ namespace: ns, flowId: "other" }), {}, "2024-03-05T10:00:00Z"),
      ),
    ).toBe(false);
  });

  it("listens to terminated states by default and to the states listed", async () => {
    const plain = { id: "t", type: "io.kestra.plugin.core.trigger.Flow" };
    expect(
      await matchesStatesAndConditions(
        input(plain, execution({ state: { current: "KILLED" } }), {}, "2024-03-05T10:00:00Z"),
      ),
    ).toBe(true);
    expect(
      await matchesStatesAndConditions(
        input(plain, execution({ state: { current: "RUNNING" } }), {}, "2024-03-05T10:00:00Z"),
      ),
    ).toBe(false);
    const paused = triggerOf("trigger-flow-listener-with-pause.yaml");
    const upstream = { namespace: "io.kestra.tests.trigger.pause", flowId: "trigger-flow-with-pause" };
    expect(
      await matchesStatesAndConditions(
        input(paused, execution({ ...upstream, state: { current: "PAUSED" } }), {}, "2024-03-05T10:00:00Z"),
      ),
    ).toBe(true);
    expect(
      await matchesStatesAndConditions(
        input(paused, execution({ ...upstream, state: { current: "KILLED" } }), {}, "2024-03-05T10:00:00Z"),
      ),
    ).toBe(false);
  });

  it("a condition that cannot be evaluated counts as false and is reported", async () => {
    const errors: string[] = [];
    const trigger = {
      id: "t",
      type: "io.kestra.plugin.core.trigger.Flow",
      conditions: [{ type: "io.kestra.plugin.core.condition.DayWeek", dayOfWeek: "MONDAY" }],
    };
    const result = await evaluateFlowTrigger({
      ...input(trigger, execution(), {}, "2024-03-05T10:00:00Z"),
      onError: (m) => errors.push(m),
    });
    expect(result.fire).toBe(false);
    expect(errors[0]).toMatch(/DayWeek could not be evaluated/);
  });

  it("without preconditions, a match fires and leaves no window", async () => {
    expect(
      await evaluateFlowTrigger(
        input(trigger, execution({ namespace: ns, flowId: "trigger-flow" }), {}, "2024-03-05T10:00:00Z"),
      ),
    ).toEqual({ fire: true, windows: {} });
  });

  it("gives the upstream execution as trigger variables", () => {
    expect(
      flowTriggerVariables(execution({ id: "e1", namespace: ns, flowId: "trigger-flow", outputs: { key: "value" } })),
    ).toEqual({
      executionId: "e1",
      namespace: ns,
      flowId: "trigger-flow",
      flowRevision: 3,
      state: "SUCCESS",
      outputs: { key: "value" },
    });
  });
});

describe("Flow trigger: legacy MultipleCondition", () => {
  const trigger = triggerOf("trigger-multiplecondition-listener.yaml");
  const flowA = execution({ namespace: ns, flowId: "trigger-multiplecondition-flow-a" });
  const flowB = execution({ namespace: ns, flowId: "trigger-multiplecondition-flow-b" });

  it("fires once, when flow-a and flow-b have both succeeded the same day", async () => {
    const first = await evaluateFlowTrigger(input(trigger, flowA, {}, "2024-03-05T10:00:00Z"));
    expect(first.fire).toBe(false);
    expect(Object.keys(first.windows.multiple!.results).sort()).toEqual(["flow-a", "success"]);
    const again = await evaluateFlowTrigger(input(trigger, flowA, first.windows, "2024-03-05T10:30:00Z"));
    expect(again.fire).toBe(false);
    const second = await evaluateFlowTrigger(input(trigger, flowB, again.windows, "2024-03-05T11:00:00Z"));
    expect(second.fire).toBe(true);
    expect(second.windows).toEqual({});
    const third = await evaluateFlowTrigger(input(trigger, flowB, second.windows, "2024-03-05T11:30:00Z"));
    expect(third.fire).toBe(false);
  });

  it("does not fire across days (window P1D from midnight)", async () => {
    const first = await evaluateFlowTrigger(input(trigger, flowA, {}, "2024-03-05T23:00:00Z"));
    expect((await evaluateFlowTrigger(input(trigger, flowB, first.windows, "2024-03-06T01:00:00Z"))).fire).toBe(false);
  });

  it("only counts executions passing the trigger's other conditions", async () => {
    const failedTrigger = triggerOf("trigger-multiplecondition-failed.yaml");
    const d = execution({ namespace: ns, flowId: "trigger-multiplecondition-flow-d" });
    const cFailed = execution({
      namespace: ns,
      flowId: "trigger-multiplecondition-flow-c",
      state: { current: "FAILED" },
    });
    const first = await evaluateFlowTrigger(input(failedTrigger, d, {}, "2024-03-05T10:00:00Z"));
    const second = await evaluateFlowTrigger(input(failedTrigger, cFailed, first.windows, "2024-03-05T11:00:00Z"));
    expect(second.fire).toBe(false);
    expect(Object.keys(second.windows.multiple!.results)).toEqual(["flow-a"]);
  });
});

describe("Flow trigger: preconditions", () => {
  const trigger = triggerOf("flow-trigger-preconditions-flow-listen.yaml");
  const pns = "io.kestra.tests.trigger.preconditions";
  const flowA = execution({
    namespace: pns,
    flowId: "flow-trigger-preconditions-flow-a",
    labels: [{ key: "some", value: "label" }],
  });
  const flowB = execution({ namespace: pns, flowId: "flow-trigger-preconditions-flow-b", labels: [] });

  it("fires once after flow-a then flow-b", async () => {
    const first = await evaluateFlowTrigger(input(trigger, flowA, {}, "2024-03-05T10:00:00Z"));
    expect(first.fire).toBe(false);
    expect(Object.keys(first.windows.flow!.results).sort()).toEqual(["condition_1", "condition_3_flow1"]);
    const second = await evaluateFlowTrigger(input(trigger, flowB, first.windows, "2024-03-05T10:05:00Z"));
    expect(second.fire).toBe(true);
    expect(second.windows).toEqual({});
    expect((await evaluateFlowTrigger(input(trigger, flowB, second.windows, "2024-03-05T10:10:00Z"))).fire).toBe(false);
  });

  it("does not count flow-a without its label, nor flow-b in a state not listed", async () => {
    const unlabelled = execution({ namespace: pns, flowId: "flow-trigger-preconditions-flow-a", labels: [] });
    const first = await evaluateFlowTrigger(input(trigger, unlabelled, {}, "2024-03-05T10:00:00Z"));
    expect(Object.keys(first.windows.flow!.results)).toEqual(["condition_1"]);
    const warned = execution({
      namespace: pns,
      flowId: "flow-trigger-preconditions-flow-b",
      labels: [],
      state: { current: "WARNING" },
    });
    const second = await evaluateFlowTrigger(input(trigger, warned, first.windows, "2024-03-05T10:05:00Z"));
    expect(second.fire).toBe(false);
    expect(Object.keys(second.windows.flow!.results).sort()).toEqual(["condition_1", "condition_4_flow2"]);
  });

  it("a SLIDING_WINDOW precondition forgets old executions", async () => {
    const sliding = {
      id: "t",
      type: "io.kestra.plugin.core.trigger.Flow",
      preconditions: {
        id: "pre",
        timeWindow: { type: "SLIDING_WINDOW", window: "PT1H" },
        flows: [
          { namespace: "a", flowId: "x" },
          { namespace: "a", flowId: "y" },
        ],
      },
    };
    const x = execution({ namespace: "a", flowId: "x" });
    const y = execution({ namespace: "a", flowId: "y" });
    const first = await evaluateFlowTrigger(input(sliding, x, {}, "2024-03-05T10:00:00Z"));
    expect((await evaluateFlowTrigger(input(sliding, y, first.windows, "2024-03-05T11:30:00Z"))).fire).toBe(false);
    expect((await evaluateFlowTrigger(input(sliding, y, first.windows, "2024-03-05T10:59:00Z"))).fire).toBe(true);
  });
});
