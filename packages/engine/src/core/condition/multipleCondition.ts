/**
 * The legacy `MultipleCondition`: a Flow trigger fires when each of its named conditions has been
 * met by some execution inside a time window. The window's results are kept by the scheduler
 * (`scheduler/flowTrigger.ts`, shared with the Flow trigger's `preconditions`); this condition
 * cannot be evaluated on its own.
 */
import { SakerError, defineCondition } from "@saker/sdk";
import { MULTIPLE_CONDITION_TYPE, MultipleConditionSchema } from "../../scheduler/flowTriggerSchema.ts";
import { timeWindowProblems } from "../../scheduler/timeWindowSchema.ts";
import { withValidation } from "../trigger/withValidation.ts";

const definition = defineCondition({
  type: MULTIPLE_CONDITION_TYPE,
  aliases: ["io.kestra.core.models.conditions.types.MultipleCondition"],
  title: "Match when several conditions are met within a time window",
  description:
    "Deprecated: use the `preconditions` of the Flow trigger. On a Flow trigger, true once every one of `conditions` has been met by some execution inside `timeWindow` (one day from midnight by default). With `resetOnSuccess` (default) the results start over after each success.",
  deprecated: true,
  examples: [
    {
      title: "Wait for two flows to succeed the same day",
      code: "type: io.kestra.plugin.core.trigger.Flow\nconditions:\n  - type: io.kestra.plugin.core.condition.ExecutionStatus\n    in: [SUCCESS]\n  - id: both\n    type: io.kestra.plugin.core.condition.MultipleCondition\n    conditions:\n      flow_a:\n        type: io.kestra.plugin.core.condition.ExecutionFlow\n        namespace: company.team\n        flowId: a\n      flow_b:\n        type: io.kestra.plugin.core.condition.ExecutionFlow\n        namespace: company.team\n        flowId: b",
    },
  ],
  properties: MultipleConditionSchema,
  test() {
    throw new SakerError(
      "CONDITION_INVALID",
      "MultipleCondition is only evaluated by a Flow trigger, which keeps its time window",
    );
  },
});

export const MultipleCondition = withValidation(definition, (node) => {
  const problems = timeWindowProblems(node.timeWindow, "timeWindow");
  const conditions = node.conditions;
  if (conditions && typeof conditions === "object" && Object.keys(conditions).length === 0)
    problems.push("conditions: must hold at least one condition");
  return problems;
});
