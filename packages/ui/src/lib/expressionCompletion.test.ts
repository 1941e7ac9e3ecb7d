import { describe, expect, it } from "vitest";
import {
  completeExpression,
  expressionContextAt,
  flowSymbols,
  symbolsOf,
  type FlowSymbols,
} from "./expressionCompletion.ts";

const FLOW = `id: hello
namespace: company.team
labels:
  team: data
inputs:
  - id: name
    type: STRING
    description: Who to greet
  - id: count
    type: INT
  - id: my-file
    type: FILE
variables:
  greeting: Hello
  target: world
tasks:
  - id: hello
    type: io.kestra.plugin.core.debug.Return
    format: "{{ vars.greeting }}"
  - id: branch
    type: io.kestra.plugin.core.flow.If
    condition: "{{ true }}"
    then:
      - id: nested
        type: io.kestra.plugin.core.log.Log
        message: hi
triggers:
  - id: daily
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 9 * * *"
`;

const symbols = flowSymbols(FLOW)!;

function complete(text: string, outputs?: Record<string, string[]>) {
  const pos = text.indexOf("§");
  const source = text.slice(0, pos) + text.slice(pos + 1);
  return completeExpression(source, pos, symbols, (type) => outputs?.[type]);
}
const labels = (r: ReturnType<typeof complete>) => r?.options.map((o) => o.label);

describe("flowSymbols", () => {
  it("reads inputs, every task (nested ones too), triggers, variables and labels", () => {
    expect(symbols).toEqual<FlowSymbols>({
      inputs: [
        { id: "name", type: "STRING", description: "Who to greet" },
        { id: "count", type: "INT" },
        { id: "my-file", type: "FILE" },
      ],
      tasks: [
        { id: "hello", type: "io.kestra.plugin.core.debug.Return" },
        { id: "branch", type: "io.kestra.plugin.core.flow.If" },
        { id: "nested", type: "io.kestra.plugin.core.log.Log" },
      ],
      triggers: [{ id: "daily", type: "io.kestra.plugin.core.trigger.Schedule" }],
      variables: ["greeting", "target"],
      labels: ["team"],
    });
  });

  it("still reads the flow when the cursor's line is unfinished", () => {
    const text = FLOW.replace("    message: hi", '    message: "{{ inputs.');
    const pos = text.indexOf("{{ inputs.") + "{{ inputs.".length;
    expect(flowSymbols(text, pos)?.inputs.map((i) => i.id)).toEqual(["name", "count", "my-file"]);
  });

  it("names the inputs of a FORM input with the form's id", () => {
    const s = symbolsOf({ inputs: [{ id: "f", type: "FORM", inputs: [{ id: "a", type: "STRING" }] }] });
    expect(s.inputs).toEqual([{ id: "f.a", type: "STRING" }]);
  });

  it("reads labels written as a list", () => {
    expect(symbolsOf({ labels: [{ key: "a", value: "b" }] }).labels).toEqual(["a"]);
  });
});

describe("expressionContextAt", () => {
  it("is undefined outside an expression or after it closed", () => {
    expect(expressionContextAt("message: hi", 11)).toBeUndefined();
    expect(expressionContextAt("message: {{ a }} b", 18)).toBeUndefined();
  });

  it("reads the path being typed", () => {
    const text = "message: {{ outputs.hello.va";
    expect(expressionContextAt(text, text.length)).toEqual({
      kind: "path",
      parents: ["outputs", "hello"],
      prefix: "va",
      from: text.length - 2,
    });
  });

  it("reads bracketed segments and filters", () => {
    const text = "x: {{ inputs['my-file'].";
    expect(expressionContextAt(text, text.length)?.parents).toEqual(["inputs", "my-file"]);
    const filter = "x: {{ inputs.name | up";
    expect(expressionContextAt(filter, filter.length)).toMatchObject({ kind: "filter", prefix: "up" });
  });

  it("is undefined inside a string of the expression", () => {
    const text = "x: {{ 'inputs.";
    expect(expressionContextAt(text, text.length)).toBeUndefined();
  });
});

describe("expression completion", () => {
  it("offers the roots and the functions right after {{", () => {
    const r = complete('message: "{{ §');
    expect(labels(r)).toEqual(expect.arrayContaining(["inputs", "outputs", "vars", "trigger", "flow", "execution"]));
    expect(labels(r)).toEqual(expect.arrayContaining(["now", "secret", "kv", "read"]));
    expect(r!.options.find((o) => o.label === "now")!.apply).toBe("now(");
  });

  it("offers the flow's inputs after inputs., with their types and descriptions", () => {
    const r = complete('message: "{{ inputs.§');
    expect(labels(r)).toEqual(["name", "count", "my-file"]);
    expect(r!.options[0]).toMatchObject({ detail: "STRING", info: "Who to greet" });
    // an id that is not an identifier is inserted in brackets
    expect(r!.options[2]!.apply).toBe("['my-file']");
  });

  it("starts the completion at the typed part", () => {
    const text = 'message: "{{ inputs.na§';
    const r = complete(text);
    expect(r!.from).toBe(text.indexOf("na"));
  });

  it("offers every task id after outputs., nested ones included", () => {
    expect(labels(complete("x: {{ outputs.§"))).toEqual(["hello", "branch", "nested"]);
  });

  it("offers a task's outputs from its type's schema", () => {
    const outputs = { "io.kestra.plugin.core.debug.Return": ["value"] };
    expect(labels(complete("x: {{ outputs.hello.§", outputs))).toEqual(["value"]);
    // unknown outputs: nothing rather than a guess
    expect(complete("x: {{ outputs.nested.§", outputs)).toBeUndefined();
    expect(complete("x: {{ outputs.nope.§", outputs)).toBeUndefined();
  });

  it("offers the variables after vars.", () => {
    expect(labels(complete("x: {{ vars.§"))).toEqual(["greeting", "target"]);
  });

  it("offers the fields of trigger., flow. and execution.", () => {
    expect(labels(complete("x: {{ trigger.§"))).toEqual(["date", "next", "previous"]);
    expect(labels(complete("x: {{ flow.§"))).toEqual(["id", "namespace", "revision", "tenantId"]);
    expect(labels(complete("x: {{ execution.§"))).toEqual(["id", "startDate", "originalId", "state"]);
    expect(labels(complete("x: {{ labels.§"))).toEqual(["team"]);
  });

  it("offers filters after a pipe", () => {
    const r = complete("x: {{ inputs.name | §");
    expect(labels(r)).toEqual(expect.arrayContaining(["upper", "lower", "default", "date", "toJson", "jq"]));
  });

  it("works in {% %} tags and in block scalars", () => {
    expect(labels(complete("script: |\n  echo {% if inputs.§"))).toEqual(["name", "count", "my-file"]);
  });

  it("offers nothing after a number or a call", () => {
    expect(complete("x: {{ 1.§")).toBeUndefined();
    expect(complete("x: {{ now().§")).toBeUndefined();
  });
});
