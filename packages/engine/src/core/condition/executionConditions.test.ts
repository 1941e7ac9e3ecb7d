import { describe, expect, it } from "vitest";
import { check, execution } from "../../scheduler/__tests__/support.ts";

const C = "io.kestra.plugin.core.condition.";

describe("ExecutionStatus", () => {
  it("matches in / notIn against the current state", async () => {
    const failed = execution({ state: { current: "FAILED" } });
    expect(await check({ type: `${C}ExecutionStatus`, in: ["SUCCESS", "WARNING"] }, { execution: execution() })).toBe(
      true,
    );
    expect(await check({ type: `${C}ExecutionStatus`, in: ["SUCCESS", "WARNING"] }, { execution: failed })).toBe(false);
    expect(await check({ type: `${C}ExecutionStatus`, notIn: ["FAILED"] }, { execution: failed })).toBe(false);
    expect(await check({ type: `${C}ExecutionStatus`, notIn: ["FAILED"] }, { execution: execution() })).toBe(true);
    expect(await check({ type: `${C}ExecutionStatus`, in: ["FAILED"], notIn: ["FAILED"] }, { execution: failed })).toBe(
      false,
    );
  });

  it("answers to its old names", async () => {
    expect(
      await check(
        { type: "io.kestra.core.models.conditions.types.ExecutionStatusCondition", in: ["SUCCESS"] },
        { execution: execution() },
      ),
    ).toBe(true);
    expect(await check({ type: `${C}ExecutionStatusCondition`, in: ["KILLED"] }, { execution: execution() })).toBe(
      false,
    );
  });

  it("fails without an execution, and on a state that does not exist", async () => {
    await expect(check({ type: `${C}ExecutionStatus`, in: ["SUCCESS"] })).rejects.toThrow(
      "Invalid condition with null execution",
    );
    await expect(check({ type: `${C}ExecutionStatus`, in: ["DONE"] }, { execution: execution() })).rejects.toThrow(
      /in\[0\].*must be one of/,
    );
  });
});

describe("HasRetryAttempt", () => {
  const retried = execution({
    taskRunList: [
      { id: "t1", attempts: [{ state: { current: "FAILED" } }, { state: { current: "SUCCESS" } }] },
      { id: "t2", attempts: [{ state: { current: "KILLED" } }] },
    ],
  });
  it("looks only at task runs attempted more than once", async () => {
    expect(await check({ type: `${C}HasRetryAttempt` }, { execution: retried })).toBe(true);
    expect(await check({ type: `${C}HasRetryAttempt`, in: ["FAILED"] }, { execution: retried })).toBe(true);
    expect(await check({ type: `${C}HasRetryAttempt`, in: ["KILLED"] }, { execution: retried })).toBe(false);
    expect(await check({ type: `${C}HasRetryAttempt`, notIn: ["FAILED", "SUCCESS"] }, { execution: retried })).toBe(
      false,
    );
    expect(await check({ type: `${C}HasRetryAttempt` }, { execution: execution() })).toBe(false);
  });
});

describe("ExecutionFlow", () => {
  it("matches the namespace and the flow id of the execution", async () => {
    expect(
      await check(
        { type: `${C}ExecutionFlow`, namespace: "company.team", flowId: "upstream" },
        { execution: execution() },
      ),
    ).toBe(true);
    expect(
      await check(
        { type: `${C}ExecutionFlow`, namespace: "company.team", flowId: "other" },
        { execution: execution() },
      ),
    ).toBe(false);
    expect(
      await check({ type: `${C}ExecutionFlow`, namespace: "company", flowId: "upstream" }, { execution: execution() }),
    ).toBe(false);
  });
  it("requires both properties", async () => {
    await expect(
      check({ type: `${C}ExecutionFlow`, namespace: "company.team" }, { execution: execution() }),
    ).rejects.toThrow(/flowId/);
  });
});

describe("ExecutionNamespace", () => {
  const ex = execution({ namespace: "company.team.sales" });
  it("compares EQUALS by default, PREFIX with prefix: true, and follows comparison", async () => {
    expect(await check({ type: `${C}ExecutionNamespace`, namespace: "company.team.sales" }, { execution: ex })).toBe(
      true,
    );
    expect(await check({ type: `${C}ExecutionNamespace`, namespace: "company.team" }, { execution: ex })).toBe(false);
    expect(
      await check({ type: `${C}ExecutionNamespace`, namespace: "company.team", prefix: true }, { execution: ex }),
    ).toBe(true);
    expect(
      await check(
        { type: `${C}ExecutionNamespace`, namespace: "company.team", comparison: "PREFIX" },
        { execution: ex },
      ),
    ).toBe(true);
    expect(
      await check({ type: `${C}ExecutionNamespace`, namespace: "team.sales", comparison: "SUFFIX" }, { execution: ex }),
    ).toBe(true);
    expect(
      await check({ type: `${C}ExecutionNamespace`, namespace: "team", comparison: "SUFFIX" }, { execution: ex }),
    ).toBe(false);
    // comparison wins over prefix
    expect(
      await check(
        { type: `${C}ExecutionNamespace`, namespace: "company.team", prefix: true, comparison: "EQUALS" },
        { execution: ex },
      ),
    ).toBe(false);
  });
  it("rejects an unknown comparison", async () => {
    await expect(
      check({ type: `${C}ExecutionNamespace`, namespace: "x", comparison: "CONTAINS" }, { execution: ex }),
    ).rejects.toThrow(/comparison.*EQUALS, PREFIX, SUFFIX/);
  });
});

describe("ExecutionLabels", () => {
  const ex = execution({
    labels: [
      { key: "team", value: "data" },
      { key: "env", value: "prod" },
    ],
  });
  it("needs every label, as a map or a list", async () => {
    expect(await check({ type: `${C}ExecutionLabels`, labels: { team: "data" } }, { execution: ex })).toBe(true);
    expect(
      await check(
        {
          type: `${C}ExecutionLabels`,
          labels: [
            { key: "env", value: "prod" },
            { key: "team", value: "data" },
          ],
        },
        { execution: ex },
      ),
    ).toBe(true);
    expect(await check({ type: `${C}ExecutionLabels`, labels: { team: "data", env: "dev" } }, { execution: ex })).toBe(
      false,
    );
    expect(await check({ type: `${C}ExecutionLabels`, labels: { owner: "data" } }, { execution: ex })).toBe(false);
  });
});

describe("Expression and ExecutionOutputs", () => {
  it("Expression is false when the rendering is blank or 'false', true otherwise", async () => {
    const variables = { trigger: { body: { hello: "world", ok: false, empty: "" } } };
    expect(await check({ type: `${C}Expression`, expression: "{{ trigger.body.hello }}" }, { variables })).toBe(true);
    expect(await check({ type: `${C}Expression`, expression: "{{ trigger.body.ok }}" }, { variables })).toBe(false);
    expect(await check({ type: `${C}Expression`, expression: "{{ trigger.body.empty }}" }, { variables })).toBe(false);
    expect(await check({ type: `${C}Expression`, expression: "  {{ trigger.body.missing }}  " }, { variables })).toBe(
      false,
    );
  });
  it("Expression answers to ExpressionCondition and VariableCondition", async () => {
    const variables = { trigger: { body: { hello: "world" } } };
    expect(
      await check({ type: `${C}ExpressionCondition`, expression: "{{ trigger.body.hello }}" }, { variables }),
    ).toBe(true);
    expect(
      await check(
        { type: "io.kestra.core.models.conditions.types.VariableCondition", expression: "false" },
        { variables },
      ),
    ).toBe(false);
  });
  it("Expression needs a non-empty expression", async () => {
    await expect(check({ type: `${C}Expression`, expression: "" })).rejects.toThrow(/expression/);
  });
  it("ExecutionOutputs renders with the outputs as trigger.outputs, and is false without outputs", async () => {
    const withOutputs = execution({ outputs: { ready: "true", count: 0 } });
    const variables = { trigger: { date: "2024-01-01T00:00:00Z" } };
    expect(
      await check(
        { type: `${C}ExecutionOutputs`, expression: "{{ trigger.outputs.ready }}" },
        { execution: withOutputs, variables },
      ),
    ).toBe(true);
    expect(
      await check(
        { type: `${C}ExecutionOutputs`, expression: "{{ trigger.outputs.missing }}" },
        { execution: withOutputs, variables },
      ),
    ).toBe(false);
    // the other trigger variables stay visible
    expect(
      await check(
        { type: `${C}ExecutionOutputs`, expression: "{{ trigger.date }}" },
        { execution: withOutputs, variables },
      ),
    ).toBe(true);
    expect(
      await check({ type: `${C}ExecutionOutputs`, expression: "true" }, { execution: execution({ outputs: {} }) }),
    ).toBe(false);
  });
});

describe("FlowCondition and FlowNamespaceCondition", () => {
  const flow = { id: "listener", namespace: "company.team" };
  it("test the flow that owns the trigger, not the execution", async () => {
    expect(
      await check(
        { type: `${C}FlowCondition`, namespace: "company.team", flowId: "listener" },
        { flow, execution: execution() },
      ),
    ).toBe(true);
    expect(
      await check(
        { type: "io.kestra.core.models.conditions.types.FlowCondition", namespace: "company.team", flowId: "upstream" },
        { flow, execution: execution() },
      ),
    ).toBe(false);
    expect(await check({ type: `${C}FlowNamespaceCondition`, namespace: "company.team" }, { flow })).toBe(true);
    expect(await check({ type: `${C}FlowNamespaceCondition`, namespace: "company" }, { flow })).toBe(false);
    expect(
      await check(
        { type: "io.kestra.core.models.conditions.types.FlowNamespaceCondition", namespace: "company", prefix: true },
        { flow },
      ),
    ).toBe(true);
  });
});
