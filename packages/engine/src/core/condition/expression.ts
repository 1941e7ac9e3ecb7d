/** Conditions given as an expression: `Expression` and `ExecutionOutputs`. */
import { defineCondition, raw, z } from "@saker/sdk";
import { viewExecution } from "../../model/executionView.ts";

/** Kestra's reading of a rendered condition: false when blank or `false`, true otherwise. */
export function renderedTrue(text: string): boolean {
  return !(text.trim() === "" || text.trim() === "false");
}

export const Expression = defineCondition({
  type: "io.kestra.plugin.core.condition.Expression",
  aliases: [
    "io.kestra.core.models.conditions.types.VariableCondition",
    "io.kestra.plugin.core.condition.ExpressionCondition",
  ],
  title: "Match when an expression is true",
  description: "Renders `expression` against the trigger's variables; true unless it renders blank or `false`.",
  examples: [
    {
      title: "A webhook body field",
      code: "type: io.kestra.plugin.core.condition.Expression\nexpression: \"{{ trigger.body.hello == 'world' }}\"",
    },
  ],
  properties: z.object({
    expression: raw(z.string().min(1)).describe("The expression to render, e.g. `{{ trigger.body.ok }}`."),
  }),
  async test({ expression }, ctx) {
    return renderedTrue(await ctx.render(expression));
  },
});

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export const ExecutionOutputs = defineCondition({
  type: "io.kestra.plugin.core.condition.ExecutionOutputs",
  aliases: [
    "io.kestra.core.models.conditions.types.ExecutionOutputsCondition",
    "io.kestra.plugin.core.condition.ExecutionOutputsCondition",
  ],
  title: "Match on the outputs of the execution",
  description:
    "False when the execution has no outputs; otherwise renders `expression` with the outputs as `trigger.outputs`, true unless blank or `false`.",
  properties: z.object({
    expression: raw(z.string().min(1)).describe("The expression to render, e.g. `{{ trigger.outputs.count > 0 }}`."),
  }),
  async test({ expression }, ctx) {
    const outputs = viewExecution(ctx.execution).outputs;
    if (!outputs || Object.keys(outputs).length === 0) return false;
    const trigger = isMap(ctx.variables.trigger) ? ctx.variables.trigger : {};
    return renderedTrue(await ctx.render(expression, { trigger: { ...trigger, outputs } }));
  },
});
