import { describe, expect, it } from "vitest";
import { indexFlowSchema, schemaCompletions, type JsonSchema } from "./schemaCompletion.ts";
import { yamlContextAt } from "./yamlContext.ts";

const EXPR = { type: "string", pattern: ".*\\{\\{.*\\}\\}.*", description: "An expression rendered at run time" };
const common = {
  id: { type: "string", description: "A unique id in the flow." },
  description: { type: "string" },
  retry: {
    description: "Retry policy when the task fails.",
    oneOf: [
      {
        type: "object",
        properties: {
          type: { const: "constant" },
          interval: { type: "string", description: "Wait between attempts." },
        },
        required: ["type", "interval"],
      },
      {
        type: "object",
        properties: { type: { const: "exponential" }, maxInterval: { type: "string" } },
        required: ["type"],
      },
    ],
  },
};

/** A small flow schema shaped as `GET /plugins/schemas/flow` answers it. */
const SCHEMA: JsonSchema = {
  type: "object",
  properties: {
    id: { type: "string", description: "The flow id, unique in its namespace." },
    namespace: { type: "string" },
    inputs: {
      type: "array",
      items: { type: "object", properties: { id: { type: "string" }, type: { type: "string" } } },
    },
    tasks: { type: "array", items: { $ref: "#/definitions/task" }, description: "The tasks." },
    triggers: { type: "array", items: { $ref: "#/definitions/trigger" } },
    concurrency: {
      type: "object",
      properties: {
        limit: { type: "integer" },
        behavior: { default: "QUEUE", type: "string", enum: ["QUEUE", "CANCEL", "FAIL"] },
      },
      required: ["limit"],
    },
  },
  required: ["id", "namespace", "tasks"],
  definitions: {
    "io.kestra.plugin.core.log.Log": {
      type: "object",
      title: "Log a message",
      description: "Writes one message to the execution's logs.",
      properties: {
        ...common,
        type: { const: "io.kestra.plugin.core.log.Log" },
        message: { anyOf: [{ type: "string" }, EXPR], description: "The message, or a list of messages." },
        level: {
          default: "INFO",
          description: "The log level.",
          type: "string",
          enum: ["TRACE", "DEBUG", "INFO", "WARN", "ERROR"],
        },
        allowFailure: { anyOf: [{ type: "boolean" }, EXPR] },
      },
      required: ["id", "type", "message"],
    },
    "io.kestra.plugin.core.log.Fetch": {
      type: "object",
      title: "Fetch logs",
      properties: { ...common, type: { const: "io.kestra.plugin.core.log.Fetch" }, level: { type: "string" } },
      required: ["id", "type"],
    },
    "io.kestra.plugin.core.flow.If": {
      type: "object",
      title: "Branch on a condition",
      properties: {
        ...common,
        type: { const: "io.kestra.plugin.core.flow.If" },
        condition: { type: "string" },
        then: { type: "array", items: { $ref: "#/definitions/task" } },
      },
      required: ["id", "type", "condition", "then"],
    },
    "io.kestra.plugin.core.trigger.Schedule": {
      type: "object",
      title: "Schedule",
      properties: {
        id: { type: "string" },
        type: { const: "io.kestra.plugin.core.trigger.Schedule" },
        cron: { type: "string", description: "A cron expression." },
        conditions: { anyOf: [{ type: "array", items: { $ref: "#/definitions/condition" } }, EXPR] },
      },
      required: ["id", "type", "cron"],
    },
    "io.kestra.plugin.core.condition.Weekend": {
      type: "object",
      title: "Weekend",
      properties: { type: { const: "io.kestra.plugin.core.condition.Weekend" }, date: { type: "string" } },
      required: ["type"],
    },
    task: {
      anyOf: [
        { $ref: "#/definitions/io.kestra.plugin.core.log.Log" },
        { $ref: "#/definitions/io.kestra.plugin.core.log.Fetch" },
        { $ref: "#/definitions/io.kestra.plugin.core.flow.If" },
      ],
    },
    trigger: { anyOf: [{ $ref: "#/definitions/io.kestra.plugin.core.trigger.Schedule" }] },
    condition: { anyOf: [{ $ref: "#/definitions/io.kestra.plugin.core.condition.Weekend" }] },
  },
};

const index = indexFlowSchema(SCHEMA);

function complete(text: string) {
  const pos = text.indexOf("§");
  const source = text.slice(0, pos) + text.slice(pos + 1);
  const context = yamlContextAt(source, pos);
  return context ? schemaCompletions(index, context) : undefined;
}

const labels = (r: ReturnType<typeof complete>) => r?.options.map((o) => o.label);

describe("indexFlowSchema", () => {
  it("lists every plugin type with its kind and title", () => {
    expect(index.types.map((t) => [t.type, t.kind, t.title])).toEqual([
      ["io.kestra.plugin.core.log.Log", "task", "Log a message"],
      ["io.kestra.plugin.core.log.Fetch", "task", "Fetch logs"],
      ["io.kestra.plugin.core.flow.If", "task", "Branch on a condition"],
      ["io.kestra.plugin.core.trigger.Schedule", "trigger", "Schedule"],
      ["io.kestra.plugin.core.condition.Weekend", "condition", "Weekend"],
    ]);
  });
});

describe("schemaCompletions", () => {
  it("offers the task types at a task's type, with their titles", () => {
    const r = complete("id: a\ntasks:\n  - id: x\n    type: io.kestra.plugin.core.log.§");
    expect(labels(r)).toEqual([
      "io.kestra.plugin.core.log.Log",
      "io.kestra.plugin.core.log.Fetch",
      "io.kestra.plugin.core.flow.If",
    ]);
    expect(r!.options[0]!.detail).toBe("Log a message");
    expect(r!.from).toBe("id: a\ntasks:\n  - id: x\n    type: ".length);
  });

  it("offers trigger types under triggers and condition types under a trigger's conditions", () => {
    expect(labels(complete("triggers:\n  - id: t\n    type: §"))).toEqual(["io.kestra.plugin.core.trigger.Schedule"]);
    const r = complete(
      "triggers:\n  - id: t\n    type: io.kestra.plugin.core.trigger.Schedule\n    conditions:\n      - type: §",
    );
    expect(labels(r)).toEqual(["io.kestra.plugin.core.condition.Weekend"]);
  });

  it("offers the input types at an input's type", () => {
    expect(labels(complete("inputs:\n  - id: n\n    type: §"))).toContain("FILE");
  });

  it("offers the properties of the block's type, required first, without those already written", () => {
    const r = complete("tasks:\n  - id: x\n    type: io.kestra.plugin.core.log.Log\n    §");
    const names = labels(r)!;
    expect(names[0]).toBe("message");
    expect(names).not.toContain("id");
    expect(names).not.toContain("type");
    expect(names).toEqual(expect.arrayContaining(["level", "description", "retry", "allowFailure"]));
    const message = r!.options.find((o) => o.label === "message")!;
    expect(message).toMatchObject({
      detail: "required · string",
      info: "The message, or a list of messages.",
      apply: "message: ",
    });
    const level = r!.options.find((o) => o.label === "level")!;
    expect(level.info).toBe("The log level.");
  });

  it("offers id and type first in a task without a type yet", () => {
    const r = complete("tasks:\n  - §");
    expect(labels(r)!.slice(0, 2).sort()).toEqual(["id", "type"]);
    expect(labels(r)).not.toContain("message");
  });

  it("follows nested task lists through the parent's type", () => {
    const r = complete(
      "tasks:\n  - id: b\n    type: io.kestra.plugin.core.flow.If\n    condition: x\n    then:\n      - id: c\n        type: io.kestra.plugin.core.log.Log\n        mes§",
    );
    expect(labels(r)).toContain("message");
    const ifProps = complete("tasks:\n  - id: b\n    type: io.kestra.plugin.core.flow.If\n    §");
    expect(labels(ifProps)!.slice(0, 2)).toEqual(["condition", "then"]);
  });

  it("offers enum values with the default marked, and booleans", () => {
    const r = complete("tasks:\n  - id: x\n    type: io.kestra.plugin.core.log.Log\n    level: §");
    expect(labels(r)).toEqual(["TRACE", "DEBUG", "INFO", "WARN", "ERROR"]);
    expect(r!.options.find((o) => o.label === "INFO")!.detail).toBe("default");
    expect(labels(complete("tasks:\n  - id: x\n    type: io.kestra.plugin.core.log.Log\n    allowFailure: §"))).toEqual(
      ["true", "false"],
    );
    expect(labels(complete("concurrency:\n  limit: 1\n  behavior: §"))).toEqual(["QUEUE", "CANCEL", "FAIL"]);
  });

  it("picks the branch of a union by its type (retry policies)", () => {
    const r = complete(
      "tasks:\n  - id: x\n    type: io.kestra.plugin.core.log.Log\n    retry:\n      type: constant\n      §",
    );
    expect(labels(r)).toEqual(["interval"]);
  });

  it("offers the flow's own properties at the root", () => {
    const r = complete("id: a\n§");
    expect(labels(r)!.slice(0, 2)).toEqual(["namespace", "tasks"]);
  });

  it("offers nothing for a free text value", () => {
    expect(complete("tasks:\n  - id: x\n    type: io.kestra.plugin.core.log.Log\n    message: §")).toBeUndefined();
  });
});
