import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  errorMessages,
  openTestInstance,
  outputsOf,
  taskRun,
  taskRuns,
  type TestInstance,
} from "../../testing/testInstance.ts";

let t: TestInstance;
beforeAll(async () => {
  t = await openTestInstance();
});
afterAll(() => t.close());

describe("execution.SetVariables and UnsetVariables", () => {
  it("merges rendered variables into vars, deeply, and removes them again", async () => {
    const x = await t.run(
      `id: variables
namespace: company.team
inputs:
  - id: who
    type: STRING
variables:
  name: World
  nested:
    a: 1
    b: 2
tasks:
  - id: set_vars
    type: io.kestra.plugin.core.execution.SetVariables
    variables:
      message: Hello
      name: "{{ inputs.who }}"
      nested:
        b: 3
        c: "{{ 2 * 2 }}"
  - id: hello
    type: io.kestra.plugin.core.debug.Return
    format: "{{ vars.message }} {{ vars.name }} {{ vars.nested.a }}{{ vars.nested.b }}{{ vars.nested.c }}"
  - id: unset
    type: io.kestra.plugin.core.execution.UnsetVariables
    variables:
      - message
      - nested.a
  - id: after
    type: io.kestra.plugin.core.debug.Return
    format: "{{ vars.message ?? 'none' }} {{ vars.name }} {{ vars.nested }}"
`,
      { who: "Loïc" },
    );
    expect(x.state.current).toBe("SUCCESS");
    expect(outputsOf(x, "hello")).toEqual({ value: "Hello Loïc 134" });
    expect(outputsOf(x, "after").value).toMatch(/^none Loïc \{"b":3,"c":"4"\}$/);
    expect(x.variables).toEqual({ name: "Loïc", nested: { b: 3, c: "4" } });
  });

  it("fails on an existing key with overwrite false, and on a missing name unless ignoreMissing", async () => {
    const x = await t.run(`id: variables_bad
namespace: company.team
variables:
  name: World
tasks:
  - id: parallel
    type: io.kestra.plugin.core.flow.Parallel
    tasks:
      - id: no_overwrite
        type: io.kestra.plugin.core.execution.SetVariables
        overwrite: false
        variables:
          name: other
          fresh: yes
      - id: missing
        type: io.kestra.plugin.core.execution.UnsetVariables
        variables: [absent]
      - id: ignored
        type: io.kestra.plugin.core.execution.UnsetVariables
        ignoreMissing: true
        variables: [absent, also.absent]
`);
    expect(x.state.current).toBe("FAILED");
    expect(errorMessages(t, x, "no_overwrite")).toEqual([
      "`overwrite` is set to false and the following variables already exist: name",
    ]);
    expect(errorMessages(t, x, "missing")).toEqual([
      "the variable 'absent' does not exist (set `ignoreMissing: true` to ignore it)",
    ]);
    expect(taskRun(x, "ignored").state.current).toBe("SUCCESS");
  });

  it("refuses variables that are not a map, naming the flow and the YAML path", () => {
    expect(() =>
      t.instance.flows.deploy(`id: variables_invalid
namespace: company.team
tasks:
  - id: set_vars
    type: io.kestra.plugin.core.execution.SetVariables
    variables: [a, b]
`),
    ).toThrow(/Flow 'company.team\/variables_invalid' is invalid: tasks\[0\]\.variables/);
  });
});

describe("execution.Exit", () => {
  it("ends the execution in the given state; later tasks do not run, parents take the state", async () => {
    const x = await t.run(
      `id: exit
namespace: company.team
inputs:
  - id: state
    type: STRING
tasks:
  - id: if
    type: io.kestra.plugin.core.flow.If
    condition: "{{ inputs.state != 'CONTINUE' }}"
    then:
      - id: exit
        type: io.kestra.plugin.core.execution.Exit
        state: "{{ inputs.state }}"
  - id: end
    type: io.kestra.plugin.core.debug.Return
    format: ending
finally:
  - id: final
    type: io.kestra.plugin.core.debug.Return
    format: final
`,
      { state: "WARNING" },
    );
    expect(x.state.current).toBe("WARNING");
    expect(taskRun(x, "exit").state.current).toBe("WARNING");
    expect(taskRun(x, "if").state.current).toBe("WARNING");
    expect(taskRuns(x, "end")).toEqual([]);
    expect(taskRuns(x, "final")).toEqual([]);
  });

  it("maps CANCELED to CANCELLED and continues when the branch is not taken", async () => {
    const flow = `id: exit_states
namespace: company.team
inputs:
  - id: state
    type: STRING
tasks:
  - id: if
    type: io.kestra.plugin.core.flow.If
    condition: "{{ inputs.state != 'CONTINUE' }}"
    then:
      - id: exit
        type: io.kestra.plugin.core.execution.Exit
        state: "{{ inputs.state }}"
  - id: end
    type: io.kestra.plugin.core.debug.Return
    format: ending
`;
    const cancelled = await t.run(flow, { state: "CANCELED" });
    expect(cancelled.state.current).toBe("CANCELLED");
    const continued = await t.run(flow, { state: "CONTINUE" });
    expect(continued.state.current).toBe("SUCCESS");
    expect(outputsOf(continued, "end")).toEqual({ value: "ending" });
  });

  it("with KILLED kills what still runs in other branches", async () => {
    const x = await t.run(`id: exit_killed
namespace: company.team
tasks:
  - id: parallel
    type: io.kestra.plugin.core.flow.Parallel
    tasks:
      - id: wait
        type: io.kestra.plugin.core.flow.Pause
      - id: exit
        type: io.kestra.plugin.core.execution.Exit
        state: KILLED
  - id: end
    type: io.kestra.plugin.core.debug.Return
    format: ending
`);
    expect(x.state.current).toBe("KILLED");
    expect(taskRun(x, "exit").state.current).toBe("KILLED");
    expect(taskRun(x, "wait").state.current).toBe("KILLED");
    expect(taskRuns(x, "end")).toEqual([]);
  });

  it("fails the task on a state that is not an exit state", async () => {
    const x = await t.run(`id: exit_bad_state
namespace: company.team
tasks:
  - id: exit
    type: io.kestra.plugin.core.execution.Exit
    state: "{{ 'DONE' }}"
`);
    expect(x.state.current).toBe("FAILED");
    expect(errorMessages(t, x, "exit")).toEqual([
      "`state` must be one of SUCCESS, WARNING, KILLED, FAILED, CANCELED, got 'DONE'",
    ]);
  });

  it("refuses an unknown literal state, naming the flow and the YAML path", () => {
    expect(() =>
      t.instance.flows.deploy(`id: exit_invalid
namespace: company.team
tasks:
  - id: exit
    type: io.kestra.plugin.core.execution.Exit
    state: DONE
`),
    ).toThrow(/Flow 'company.team\/exit_invalid' is invalid: tasks\[0\]\.state/);
  });
});
