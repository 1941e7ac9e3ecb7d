import { describe, expect, it } from "vitest";
import type { Execution, TaskRun } from "../model/execution.ts";
import { newState } from "../model/state.ts";
import { executionTaskStates, referencedVariables } from "./variables.ts";

const ids = (r: ReturnType<typeof referencedVariables>) => ({
  outputs: r.outputs === "all" ? "all" : [...r.outputs].sort(),
  tasks: r.tasks === "all" ? "all" : [...r.tasks].sort(),
});

describe("referencedVariables", () => {
  it("names the task ids a definition reaches after a dot or as a quoted key", () => {
    const task = {
      id: "t",
      type: "io.kestra.plugin.core.debug.Return",
      format: "{{ outputs.first.value }} {{ outputs['second-one'].value }} {{ tasks.first.state }}",
      nested: [{ x: '{{ outputs["third"] }}' }],
    };
    expect(ids(referencedVariables(task))).toEqual({
      outputs: ["first", "second-one", "third"],
      tasks: ["first"],
    });
  });

  it("reaches none when the definition never names them", () => {
    expect(ids(referencedVariables({ id: "t", format: "{{ task.id }}" }))).toEqual({ outputs: [], tasks: [] });
  });

  it("reaches them all on any other use: alone, a computed key, a render of other text, a map key", () => {
    expect(referencedVariables({ format: "{{ outputs }}" }).outputs).toBe("all");
    expect(referencedVariables({ format: "{{ outputs[taskrun.value] }}" }).outputs).toBe("all");
    expect(ids(referencedVariables({ format: "{{ render(inputs.template) }}" }))).toEqual({
      outputs: "all",
      tasks: "all",
    });
    expect(referencedVariables({ outputs: { a: 1 } }).outputs).toBe("all");
    expect(ids(referencedVariables({ format: "{{ printContext() }}" }))).toEqual({ outputs: "all", tasks: "all" });
    expect(ids(referencedVariables({ format: "{{ fetchContext() }}" }))).toEqual({ outputs: "all", tasks: "all" });
    expect(ids(referencedVariables({ format: "{{ tasksWithState('FAILED') }}" }))).toEqual({
      outputs: [],
      tasks: "all",
    });
    expect(referencedVariables({ format: "{{ tasks | keys }}" }).tasks).toBe("all");
    expect(referencedVariables({ format: "{{ tasks | keys }}" }).outputs).toEqual(new Set());
  });

  it("reads the parsed templates: a word in plain text renders nothing, a mention in a string or a raw block is taken at its word", () => {
    expect(ids(referencedVariables({ message: "rendering {{ outputs.a.value }} for tasks.b" }))).toEqual({
      outputs: ["a"],
      tasks: ["b"],
    });
    expect(ids(referencedVariables({ format: "{{ outputs.a.value ~ outputs['b'] | upper }}" }))).toEqual({
      outputs: ["a", "b"],
      tasks: [],
    });
    expect(referencedVariables({ format: "{% for k in outputs %}{{ k }}{% endfor %}" }).outputs).toBe("all");
    expect(ids(referencedVariables({ spec: "{% raw %}{{ outputs.later }}{% endraw %}" })).outputs).toEqual(["later"]);
    expect(referencedVariables({ spec: "{% raw %}{{ render(x) }}{% endraw %}" }).tasks).toBe("all");
    expect(ids(referencedVariables({ format: "{{ 'see outputs.quoted' }}" })).outputs).toEqual(["quoted"]);
  });

  it("reads the working directory's setup beside the task", () => {
    const setup = { inputFiles: { "a.txt": "{{ outputs.make.uri }}" } };
    expect(ids(referencedVariables({ id: "t" }, setup)).outputs).toEqual(["make"]);
  });

  it("gives the same answer for a string seen before, in its own sets", () => {
    const first = referencedVariables({ a: "{{ outputs.x.value }}", b: "tasks.y" });
    const again = referencedVariables({ c: "{{ outputs.x.value }}", d: "tasks.y" });
    expect(ids(again)).toEqual({ outputs: ["x"], tasks: ["y"] });
    expect(again.outputs).not.toBe(first.outputs);
    const more = referencedVariables({ c: "{{ outputs.x.value }}", e: "{{ outputs.z }}" });
    expect(ids(more).outputs).toEqual(["x", "z"]);
    expect(ids(referencedVariables({ c: "{{ outputs.x.value }}" })).outputs).toEqual(["x"]);
    const long = `{{ outputs.far.value }}${" ".repeat(5000)}`;
    expect(ids(referencedVariables({ long })).outputs).toEqual(["far"]);
    expect(ids(referencedVariables({ long, other: "{{ outputs }}" })).outputs).toBe("all");
  });
});

describe("executionTaskStates", () => {
  const run = (id: string, taskId: string, state: "SUCCESS" | "FAILED", value?: string): TaskRun =>
    ({
      id,
      executionId: "x",
      namespace: "n",
      flowId: "f",
      taskId,
      outputs: null,
      state: newState(new Date(0), state),
      ...(value !== undefined ? { value } : {}),
    }) as TaskRun;

  it("nests the states of runs with a value under it, the last run of a value winning", () => {
    const execution = {
      taskRunList: [
        run("1", "plain", "SUCCESS"),
        run("2", "each", "SUCCESS", "a"),
        run("3", "each", "FAILED", "b"),
        run("4", "each", "FAILED", "a"),
        run("5", "mixed", "SUCCESS", "v"),
        run("6", "mixed", "FAILED"),
        run("7", "mixed", "SUCCESS", "w"),
        run("8", "odd", "SUCCESS", "__proto__"),
      ],
    } as unknown as Execution;
    const tasks = executionTaskStates(execution) as Record<string, Record<string, unknown>>;
    expect(JSON.stringify(tasks)).toBe(
      JSON.stringify({
        plain: { state: "SUCCESS" },
        each: { a: { state: "FAILED" }, b: { state: "FAILED" } },
        mixed: { state: "FAILED", w: { state: "SUCCESS" } },
        odd: JSON.parse('{"__proto__":{"state":"SUCCESS"}}') as unknown,
      }),
    );
    expect(Object.getPrototypeOf(tasks.odd)).toBe(Object.prototype);
    expect(Object.keys(tasks.odd!)).toEqual(["__proto__"]);
  });
});
