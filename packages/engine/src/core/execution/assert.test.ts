import { isSakerError } from "@saker/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorMessages, openTestInstance, taskRun, type TestInstance } from "../../testing/testInstance.ts";

let t: TestInstance;
beforeAll(async () => {
  t = await openTestInstance();
});
afterAll(() => t.close());

describe("execution.Assert", () => {
  it("succeeds when every condition renders truthy and counts them", async () => {
    const x = await t.run(
      `id: assert_ok
namespace: company.team
inputs:
  - id: param
    type: STRING
tasks:
  - id: check
    type: io.kestra.plugin.core.execution.Assert
    conditions:
      - "{{ inputs.param == 'ok' }}"
      - "{{ 1 + 1 == 2 }}"
      - "yes"
  - id: after
    type: io.kestra.plugin.core.debug.Return
    format: reached
`,
      { param: "ok" },
    );
    expect(x.state.current).toBe("SUCCESS");
    const metrics = t.instance.metrics.byExecution(x.id).filter((m) => m.taskId === "check");
    expect(metrics.map((m) => [m.name, m.value])).toEqual([
      ["success", 3],
      ["failed", 0],
    ]);
  });

  it("fails with the count of failed assertions and the error message, logging each one", async () => {
    const x = await t.run(
      `id: assert_ko
namespace: company.team
inputs:
  - id: param
    type: STRING
tasks:
  - id: check
    type: io.kestra.plugin.core.execution.Assert
    conditions:
      - "{{ inputs.param == 'ok' }}"
      - "{{ 1 + 1 == 3 }}"
      - "{{ 0 }}"
      - "{{ undefinedVariable.field }}"
    errorMessage: "param was {{ inputs.param }}"
  - id: after
    type: io.kestra.plugin.core.debug.Return
    format: never
`,
      { param: "ok" },
    );
    expect(x.state.current).toBe("FAILED");
    expect(x.taskRunList.some((r) => r.taskId === "after")).toBe(false);
    expect(errorMessages(t, x, "check").at(-1)).toBe("3 assertions failed!\nparam was ok");
    const errors = errorMessages(t, x, "check");
    expect(errors).toContain("Assertion `{{ 1 + 1 == 3 }}` failed!");
    expect(errors).toContain("Assertion `{{ 0 }}` failed!");
    expect(errors.some((m) => m.startsWith("Assertion `{{ undefinedVariable.field }}` failed, failed to render"))).toBe(
      true,
    );
    const metrics = t.instance.metrics.byExecution(x.id).filter((m) => m.taskId === "check");
    expect(metrics.map((m) => [m.name, m.value])).toEqual([
      ["success", 1],
      ["failed", 3],
    ]);
    expect(taskRun(x, "check").state.current).toBe("FAILED");
  });

  it("says 1 assertion when only one failed", async () => {
    const x = await t.run(`id: assert_one
namespace: company.team
tasks:
  - id: check
    type: io.kestra.plugin.core.execution.Assert
    conditions:
      - "false"
`);
    expect(errorMessages(t, x, "check").at(-1)).toBe("1 assertion failed!");
  });

  it("refuses conditions that are not a list of texts, naming the flow and the YAML path", () => {
    const deploy = (conditions: string) => () =>
      t.instance.flows.deploy(`id: assert_bad
namespace: company.team
tasks:
  - id: check
    type: io.kestra.plugin.core.execution.Assert
    conditions: ${conditions}
`);
    expect(deploy('"{{ 1 == 1 }}"')).toThrow(
      "Flow 'company.team/assert_bad' is invalid: tasks[0].conditions: must be a list",
    );
    expect(deploy("[]")).toThrow(/Flow 'company.team\/assert_bad' is invalid: tasks\[0\]\.conditions: /);
    try {
      deploy("[]")();
    } catch (error) {
      expect(isSakerError(error) && error.code).toBe("FLOW_INVALID");
    }
  });
});
