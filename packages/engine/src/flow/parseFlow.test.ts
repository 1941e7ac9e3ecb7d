/** Bad flows each give a clear error naming the YAML path and line; every problem is reported at once. */
import { isSakerError } from "@saker/sdk";
import { describe, expect, it } from "vitest";
import { coreRegistry } from "../runtime/registryLoader.ts";
import { parseFlow } from "./parseFlow.ts";

const registry = coreRegistry();

interface Issue {
  path: string;
  message: string;
  line?: number;
}

function problems(source: string): { message: string; issues: Issue[]; code: string } {
  try {
    parseFlow(source, { registry });
  } catch (error) {
    if (!isSakerError(error)) throw error;
    return { message: error.message, issues: (error.details?.issues ?? []) as Issue[], code: error.code };
  }
  throw new Error("the flow was accepted");
}

describe("parseFlow accepts", () => {
  it("a flow using every top-level property", () => {
    const flow = parseFlow(
      `id: full
namespace: company.team
description: all of it
labels:
  team: data
inputs:
  - id: name
    type: STRING
    defaults: world
variables:
  greeting: hello
tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: "{{ vars.greeting }} {{ inputs.name }}"
errors:
  - id: on-error
    type: io.kestra.plugin.core.log.Log
    message: failed
finally:
  - id: always
    type: io.kestra.plugin.core.debug.Return
    format: done
afterExecution:
  - id: after
    type: io.kestra.plugin.core.log.Log
    message: after
outputs:
  - id: out
    type: STRING
    value: "{{ outputs.always.value }}"
concurrency:
  limit: 1
  behavior: QUEUE
retry:
  type: constant
  interval: PT1S
  maxAttempt: 2
pluginDefaults:
  - type: io.kestra.plugin.core.log.Log
    values:
      level: WARN
triggers:
  - id: daily
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 9 * * *"
`,
      { registry },
    );
    expect(flow.id).toBe("full");
    expect(flow.tasks[0]!.level).toBe("WARN");
  });

  it("old type names as aliases", () => {
    const flow = parseFlow(
      "id: old\nnamespace: a.b\ntasks:\n  - id: log\n    type: io.kestra.core.tasks.log.Log\n    message: hi\n",
      { registry },
    );
    expect(flow.tasks[0]!.type).toBe("io.kestra.plugin.core.log.Log");
  });
});

describe("parseFlow rejects", () => {
  it("YAML syntax errors, with the line", () => {
    const { code, message } = problems("id: broken\nnamespace: a.b\ntasks:\n  - id: x\n    type: [unclosed\n");
    expect(code).toBe("YAML_INVALID");
    expect(message).toMatch(/line \d+/);
  });

  it("a document that is not a map", () => {
    expect(problems("- just\n- a list\n").message).toMatch(/map|object/i);
  });

  it("unknown task types, naming the path and line", () => {
    const { issues } = problems(
      "id: unknown\nnamespace: a.b\ntasks:\n  - id: ok\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n  - id: bad\n    type: io.kestra.plugin.nope.Task\n",
    );
    expect(issues).toContainEqual(
      expect.objectContaining({
        path: "tasks[1].type",
        line: 8,
        message: expect.stringContaining("io.kestra.plugin.nope.Task"),
      }),
    );
  });

  it("bad flow ids, namespaces and task ids", () => {
    const { issues } = problems(
      "id: 'bad id!'\nnamespace: 'bad namespace'\ntasks:\n  - id: 'task id with spaces'\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n",
    );
    const paths = issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(["id", "namespace", "tasks[0].id"]));
    // its executions' files would lie among the namespace files of `team`
    const filesPart = problems(
      "id: f\nnamespace: team._files\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n",
    );
    expect(filesPart.issues.map((i) => `${i.path}: ${i.message}`)).toContain(
      `namespace: may not have a part named '_files' (got "team._files")`,
    );
  });

  it("duplicate task ids, anywhere in the tree", () => {
    const { issues, message } = problems(`id: dupes
namespace: a.b
tasks:
  - id: same
    type: io.kestra.plugin.core.log.Log
    message: one
  - id: group
    type: io.kestra.plugin.core.flow.Sequential
    tasks:
      - id: same
        type: io.kestra.plugin.core.log.Log
        message: two
`);
    expect(message).toMatch(/same/);
    expect(issues.some((i) => /duplicate/i.test(i.message))).toBe(true);
  });

  it("a cycle in a Dag", () => {
    const { message } = problems(`id: cyclic
namespace: a.b
tasks:
  - id: dag
    type: io.kestra.plugin.core.flow.Dag
    tasks:
      - task:
          id: a
          type: io.kestra.plugin.core.log.Log
          message: a
        dependsOn: [b]
      - task:
          id: b
          type: io.kestra.plugin.core.log.Log
          message: b
        dependsOn: [a]
`);
    expect(message).toMatch(/cycl/i);
  });

  it("unknown properties, as a JSON Schema would", () => {
    const { issues } = problems(
      "id: extra\nnamespace: a.b\nnotAProperty: 1\ntasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n    mesage: typo\n",
    );
    const paths = issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(["notAProperty", "tasks[0].mesage"]));
  });

  it("every problem at once, each with its path and line", () => {
    const { issues, message } = problems(`id: many
namespace: a.b
tasks:
  - id: sleep
    type: io.kestra.plugin.core.flow.Sleep
  - id: retry
    type: io.kestra.plugin.core.log.Log
    message: hi
    retry:
      type: constant
      interval: PT1S
      maxAttempt: 0
`);
    expect(issues.length).toBeGreaterThanOrEqual(2);
    expect(issues.find((i) => i.path.startsWith("tasks[0]"))?.line).toBe(4);
    expect(issues.find((i) => i.path.startsWith("tasks[1].retry"))).toBeDefined();
    expect(message).toMatch(/\(line \d+\)/);
  });

  it("a flow without tasks or with an empty task list", () => {
    expect(problems("id: none\nnamespace: a.b\n").issues.map((i) => i.path)).toContain("tasks");
    expect(problems("id: none\nnamespace: a.b\ntasks: []\n").issues.map((i) => i.path)).toContain("tasks");
  });

  it("wrong input definitions", () => {
    const { issues } = problems(
      "id: inputs\nnamespace: a.b\ninputs:\n  - id: n\n    type: NOT_A_TYPE\ntasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n",
    );
    expect(issues.some((i) => i.path.startsWith("inputs[0]"))).toBe(true);
  });

  it("flow sla: each bad value named by path and line, the field each type needs, no system label", () => {
    const { issues } = problems(`id: sla
namespace: a.b
sla:
  - id: a
    type: MAX_DURATION
    behavior: FAIL
    duration: soon
  - id: b
    type: MAX_DURATION
    duration: PT0S
  - id: c
    type: EXECUTION_ASSERTION
    behavior: STOP
  - id: d
    type: SOMETHING
    behavior: FAIL
  - id: e
    type: EXECUTION_ASSERTION
    behavior: NONE
    assert: "{{ true }}"
    labels:
      system.x: y
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: hi
`);
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i]));
    expect(byPath["sla[0].duration"]).toMatchObject({
      line: 7,
      message: expect.stringContaining("positive ISO-8601 duration"),
    });
    expect(byPath["sla[1].behavior"]?.message).toMatch(/required/);
    expect(byPath["sla[1].duration"]?.message).toContain("positive ISO-8601 duration");
    expect(byPath["sla[2].behavior"]?.message).toContain("FAIL, CANCEL, NONE");
    expect(byPath["sla[2].assert"]?.message).toBe("is required for an SLA of type EXECUTION_ASSERTION");
    expect(byPath["sla[3].type"]?.message).toContain("MAX_DURATION, EXECUTION_ASSERTION");
    expect(byPath["sla[4].labels"]?.message).toContain("system labels can't be set on a flow: 'system.x'");
  });

  it("flow sla: a valid list is kept, labels as a list", () => {
    const flow = parseFlow(
      "id: sla\nnamespace: a.b\nsla:\n  - id: max\n    type: MAX_DURATION\n    behavior: CANCEL\n    duration: PT0.5S\n    labels:\n      sla: late\ntasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n",
      { registry },
    );
    expect(flow.sla).toEqual([
      {
        id: "max",
        type: "MAX_DURATION",
        behavior: "CANCEL",
        duration: "PT0.5S",
        labels: [{ key: "sla", value: "late" }],
      },
    ]);
  });
});
