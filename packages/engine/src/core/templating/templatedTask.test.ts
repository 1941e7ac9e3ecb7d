import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Execution } from "../../model/execution.ts";
import { errorMessages, openTestInstance, outputsOf, type TestInstance } from "../../testing/testInstance.ts";

let t: TestInstance;
beforeAll(async () => {
  t = await openTestInstance();
});
afterAll(() => t.close());

const out = outputsOf;
const errors = (x: Execution, taskId: string) => errorMessages(t, x, taskId);

describe("templating.TemplatedTask", () => {
  it("renders the spec and runs the task it describes", async () => {
    const x = await t.run(
      `id: templated
namespace: company.templating
inputs:
  - id: level
    type: STRING
    defaults: WARN
tasks:
  - id: return
    type: io.kestra.plugin.core.templating.TemplatedTask
    spec: |
      id: inner
      type: io.kestra.plugin.core.debug.Return
      format: "{{ '{{ flow.id }}' }}-{{ inputs.level }}"
  - id: log
    type: io.kestra.core.tasks.templating.TemplatedTask
    spec: |
      type: io.kestra.plugin.core.log.Log
      level: {{ inputs.level }}
      message: templated hello
`,
      { level: "ERROR" },
    );
    expect(x.state.current).toBe("SUCCESS");
    expect(out(x, "return")).toEqual({ value: "templated-ERROR" });
    await new Promise((r) => setTimeout(r, 250));
    expect(errors(x, "log")).toEqual(["templated hello"]);
  });

  it("fails clearly on bad specs", async () => {
    const x = await t.run(`id: templatedbad
namespace: company.templating
tasks:
  - id: parallel
    type: io.kestra.plugin.core.flow.Parallel
    tasks:
      - id: flowable
        type: io.kestra.plugin.core.templating.TemplatedTask
        spec: |
          type: io.kestra.plugin.core.flow.Sequential
          tasks: []
      - id: recursive
        type: io.kestra.plugin.core.templating.TemplatedTask
        spec: "type: io.kestra.plugin.core.templating.TemplatedTask"
      - id: unknown
        type: io.kestra.plugin.core.templating.TemplatedTask
        spec: "type: io.kestra.plugin.core.log.Nope"
      - id: badProperty
        type: io.kestra.plugin.core.templating.TemplatedTask
        spec: |
          type: io.kestra.plugin.core.log.Log
          message: hi
          level: LOUD
      - id: notYaml
        type: io.kestra.plugin.core.templating.TemplatedTask
        spec: "type: [unclosed"
      - id: noType
        type: io.kestra.plugin.core.templating.TemplatedTask
        spec: "message: hi"
`);
    expect(x.state.current).toBe("FAILED");
    expect(errors(x, "flowable")).toEqual([
      "The templated task must be a runnable task; 'io.kestra.plugin.core.flow.Sequential' is not",
    ]);
    expect(errors(x, "recursive")).toEqual([
      "The templated task cannot be of type 'io.kestra.plugin.core.templating.TemplatedTask'",
    ]);
    expect(errors(x, "unknown")[0]).toMatch(/^unknown type 'io.kestra.plugin.core.log.Nope'/);
    expect(errors(x, "badProperty")).toEqual([
      `property 'level' must be one of TRACE, DEBUG, INFO, WARN, ERROR (got "LOUD")`,
    ]);
    expect(errors(x, "notYaml")[0]).toMatch(/^'spec' is not valid YAML/);
    expect(errors(x, "noType")).toEqual(["'spec' must have a 'type'"]);
  });
});
