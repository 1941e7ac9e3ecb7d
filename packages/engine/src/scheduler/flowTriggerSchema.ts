/**
 * The shapes of what a Flow trigger waits for: its `preconditions` and the legacy MultipleCondition.
 * They live beside the rules that evaluate them (flowTrigger.ts), so the scheduler parses them
 * without importing the core plugin; core/trigger/flow.ts and core/condition/multipleCondition.ts
 * declare their types with them.
 */
import { STATE_TYPES, condition, duration, z } from "@saker/sdk";
import { TimeWindowSchema } from "./timeWindowSchema.ts";
import { FILTER_FIELDS, FILTER_TYPES } from "./whereFilters.ts";

export const MULTIPLE_CONDITION_TYPE = "io.kestra.plugin.core.condition.MultipleCondition";

const ID = /^[a-zA-Z0-9][a-zA-Z0-9_-]*$/;

export const UpstreamFlowSchema = z.object({
  namespace: z.string().describe("The namespace of the upstream flow."),
  flowId: z.string().optional().describe("The upstream flow; any flow of the namespace when not set."),
  states: z.array(z.enum(STATE_TYPES)).optional().describe("The states the upstream execution must be in."),
  labels: z.record(z.string(), z.unknown()).optional().describe("Labels the upstream execution must carry."),
});

export const FilterSchema = z.object({
  field: z
    .enum(FILTER_FIELDS)
    .describe("What to filter on: FLOW_ID, NAMESPACE, STATE, or EXPRESSION (`value` rendered)."),
  type: z.enum(FILTER_TYPES).describe("The comparison."),
  value: z.string().optional().describe("The value to compare with (every type but IN and NOT_IN)."),
  values: z.array(z.string()).optional().describe("The values for IN and NOT_IN."),
});

export const ExecutionFilterSchema = z.object({
  id: z.string().min(1).describe("A unique id for the filter."),
  operand: z.enum(["AND", "OR"]).default("AND").describe("How the filters combine."),
  filters: z.array(FilterSchema).min(1).describe("The filters."),
});

export const PreconditionsSchema = z.object({
  id: z
    .string()
    .regex(ID, "must start with a letter or digit and hold only letters, digits, '_' and '-'")
    .describe("A unique id for the preconditions: the key of the stored window."),
  flows: z.array(UpstreamFlowSchema).optional().describe("Upstream flows that must have run within the window."),
  where: z
    .array(ExecutionFilterSchema)
    .optional()
    .describe("Execution filters that must each have matched an execution within the window."),
  timeWindow: TimeWindowSchema.optional(),
  resetOnSuccess: z.boolean().default(true).describe("Start over after the preconditions were all met once."),
});

export type Preconditions = z.output<typeof PreconditionsSchema>;

/** The properties of the legacy `MultipleCondition`. */
export const MultipleConditionSchema = z.object({
  id: z
    .string()
    .regex(ID, "must start with a letter or digit and hold only letters, digits, '_' and '-'")
    .describe("A unique id: the key of the stored window."),
  conditions: z
    .record(z.string(), condition())
    .describe("The conditions to wait for, by a name unique in the trigger."),
  timeWindow: TimeWindowSchema.optional(),
  resetOnSuccess: z.boolean().default(true).describe("Start over after the conditions were all met once."),
  window: duration().optional().describe("Deprecated: `timeWindow.window`."),
  windowAdvance: duration().optional().describe("Deprecated: `timeWindow.windowAdvance`."),
});
