/**
 * `Flow`: start an execution when executions of other flows end (or change state). The executor
 * drives it with `scheduler/flowTrigger.ts`; `preconditions` wait for several upstream executions
 * within a time window.
 */
import { STATE_TYPES, TERMINATED_STATES, defineTrigger, raw, z } from "@saker/sdk";
import { filterProblems } from "../../scheduler/whereFilters.ts";
import { PreconditionsSchema } from "../../scheduler/flowTriggerSchema.ts";
import { inputsProperty } from "./schedule.ts";
import { timeWindowProblems } from "../../scheduler/timeWindowSchema.ts";
import { withValidation } from "./withValidation.ts";

const definition = defineTrigger({
  type: "io.kestra.plugin.core.trigger.Flow",
  aliases: ["io.kestra.core.models.triggers.types.Flow"],
  triggerKind: "engine",
  title: "Start an execution when other flows' executions end",
  description:
    "Listens to the executions of the instance: when one reaches one of `states` (every terminated state by default) and `conditions` hold, and every one of `preconditions` has been met inside its time window, starts an execution. `inputs` are rendered with the upstream execution's outputs, inputs and labels; the execution sees `trigger.executionId`, `trigger.namespace`, `trigger.flowId`, `trigger.flowRevision`, `trigger.state` and `trigger.outputs`.",
  examples: [
    {
      title: "After `extract` succeeds",
      code: "id: after_extract\ntype: io.kestra.plugin.core.trigger.Flow\npreconditions:\n  id: extract_done\n  flows:\n    - namespace: company.team\n      flowId: extract\n      states: [SUCCESS]",
    },
  ],
  properties: z.object({
    inputs: inputsProperty(),
    states: z
      .array(z.enum(STATE_TYPES))
      .default([...TERMINATED_STATES])
      .describe("The upstream states that are evaluated."),
    preconditions: raw(PreconditionsSchema)
      .optional()
      .describe("Upstream executions to wait for, within a time window."),
  }),
  outputs: z.object({
    executionId: z.string().describe("The upstream execution."),
    namespace: z.string().describe("Its namespace."),
    flowId: z.string().describe("Its flow."),
    flowRevision: z.number().optional().describe("Its flow revision."),
    state: z.string().describe("Its state."),
    outputs: z.record(z.string(), z.unknown()).optional().describe("Its flow outputs."),
  }),
});

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export const Flow = withValidation(definition, (node) => {
  const pre = node.preconditions;
  if (!isMap(pre)) return [];
  const problems = timeWindowProblems(pre.timeWindow, "preconditions.timeWindow");
  (Array.isArray(pre.where) ? pre.where : []).forEach((where, i) => {
    const filters = isMap(where) && Array.isArray(where.filters) ? where.filters : [];
    filters.forEach((filter, j) => {
      if (isMap(filter))
        problems.push(...filterProblems(filter).map((p) => `preconditions.where[${i}].filters[${j}]: ${p}`));
    });
  });
  return problems;
});
