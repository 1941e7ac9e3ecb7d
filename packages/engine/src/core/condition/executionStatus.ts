/** Conditions on the state of the execution: `ExecutionStatus` and `HasRetryAttempt`. */
import { defineCondition, STATE_TYPES, z } from "@saker/sdk";
import { viewExecution } from "../../model/executionView.ts";

const statesProperties = z.object({
  in: z.array(z.enum(STATE_TYPES)).optional().describe("The states that are allowed."),
  notIn: z.array(z.enum(STATE_TYPES)).optional().describe("The states that are not allowed."),
});

function allowed(
  state: string,
  props: { in?: readonly string[] | undefined; notIn?: readonly string[] | undefined },
): boolean {
  if (props.in && !props.in.includes(state)) return false;
  return !(props.notIn && props.notIn.includes(state));
}

export const ExecutionStatus = defineCondition({
  type: "io.kestra.plugin.core.condition.ExecutionStatus",
  aliases: [
    "io.kestra.core.models.conditions.types.ExecutionStatusCondition",
    "io.kestra.plugin.core.condition.ExecutionStatusCondition",
  ],
  title: "Match the state of the execution",
  description: "True when the execution's current state is in `in` (if set) and not in `notIn` (if set).",
  examples: [
    {
      title: "Only successful executions",
      code: "type: io.kestra.plugin.core.condition.ExecutionStatus\nin:\n  - SUCCESS",
    },
  ],
  properties: statesProperties,
  test(props, ctx) {
    return allowed(viewExecution(ctx.execution).state, props);
  },
});

export const HasRetryAttempt = defineCondition({
  type: "io.kestra.plugin.core.condition.HasRetryAttempt",
  aliases: [
    "io.kestra.core.models.conditions.types.HasRetryAttemptCondition",
    "io.kestra.plugin.core.condition.HasRetryAttemptCondition",
  ],
  title: "Match executions with a retried task",
  description:
    "True when a task run of the execution was attempted more than once and one of those attempts has a state allowed by `in` and `notIn`.",
  properties: statesProperties,
  test(props, ctx) {
    return viewExecution(ctx.execution).retriedAttemptStates.some((state) => allowed(state, props));
  },
});
