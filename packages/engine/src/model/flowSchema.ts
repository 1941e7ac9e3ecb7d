/**
 * The schema of a flow's own properties (everything but the plugin nodes, which are validated
 * against their plugin's schema). Also used to generate the flow JSON Schema.
 */
import { anyValue, conditions, isDuration, LOG_LEVELS, parseDuration, STATE_TYPES, tasks, z } from "@saker/sdk";
import { AssetsDeclarationSchema } from "./assets.ts";
import { RetryPolicySchema } from "./retry.ts";
import { INPUT_TYPES } from "./typedValues.ts";

export const FLOW_ID = /^[a-zA-Z0-9][a-zA-Z0-9._-]*$/;
export const NAMESPACE = /^[a-z0-9][a-z0-9._-]*$/;
export const TASK_ID = /^[a-zA-Z0-9][a-zA-Z0-9_-]*$/;
export const INPUT_ID = /^[a-zA-Z0-9][.a-zA-Z0-9_-]*$/;

/** The types an input may have: the value types, and FORM, which groups other inputs. */
export const FLOW_INPUT_TYPES = [...INPUT_TYPES, "FORM"] as const;

const inputCommon = {
  id: z
    .string()
    .regex(INPUT_ID, "must start with a letter or digit and hold only letters, digits, '.', '_' and '-'")
    .describe("The input id, used as `{{ inputs.<id> }}`."),
  name: z.string().optional().describe("Deprecated: use id."),
  type: z.enum(FLOW_INPUT_TYPES).describe("The type of the value."),
  description: z.string().optional(),
  displayName: z.string().max(64).optional(),
  required: z.boolean().default(true).describe("An execution needs a value (or a default)."),
  defaults: anyValue().describe("The value when none is given."),
  prefill: anyValue().describe(
    "A value proposed in forms that the user may clear; never used when no value is given. Not with `defaults`.",
  ),
  autoSelectFirst: z.boolean().optional().describe("Forms select the first value of the list."),
  dependsOn: z.object({ inputs: z.array(z.string()).optional(), condition: z.string().optional() }).optional(),
};

const choices = {
  values: z.array(z.string()).optional().describe("The values to choose from."),
  expression: z
    .string()
    .optional()
    .describe("An expression rendering the values to choose from (instead of `values`)."),
  allowCustomValue: z.boolean().optional().describe("Accept a value that is not one of the values."),
  allowInput: z.boolean().optional().describe("Deprecated: use allowCustomValue."),
};

/** Properties each input type accepts besides the common ones. */
const inputExtras: Record<string, z.ZodRawShape> = {
  STRING: { validator: z.string().optional() },
  SECRET: { validator: z.string().optional() },
  INT: { min: z.number().int().optional(), max: z.number().int().optional() },
  FLOAT: { min: z.number().optional(), max: z.number().optional() },
  DATE: { after: z.string().optional(), before: z.string().optional() },
  DATETIME: { after: z.string().optional(), before: z.string().optional() },
  TIME: { after: z.string().optional(), before: z.string().optional() },
  DURATION: { min: z.string().optional(), max: z.string().optional() },
  ENUM: { values: z.array(z.string()).min(1) },
  SELECT: { ...choices, isRadio: z.boolean().optional().describe("Forms show radio buttons.") },
  MULTISELECT: {
    ...choices,
    options: z.array(z.string()).optional().describe("Deprecated: use values."),
    itemType: z.enum(INPUT_TYPES).optional(),
  },
  ARRAY: { itemType: z.enum(INPUT_TYPES) },
  FILE: {
    extension: z.string().optional().describe("Deprecated: the extension given to an uploaded file."),
    allowedFileExtensions: z.array(z.string()).optional().describe("The file extensions accepted, such as `.csv`."),
  },
  FORM: {
    inputs: z
      .array(z.looseObject({ id: z.string().optional(), type: z.string() }))
      .min(1)
      .describe("The inputs grouped under this form, as `{{ inputs.<form>.<input> }}`."),
  },
};

export function inputSchema(type: string): z.ZodObject {
  return z.object({ ...inputCommon, ...(inputExtras[type] ?? {}) });
}

export const FlowOutputSchema = z.object({
  id: z.string().regex(INPUT_ID),
  type: z.enum(INPUT_TYPES),
  value: anyValue().describe("Rendered when the execution ends."),
  description: z.string().optional(),
  displayName: z.string().optional(),
  required: z.boolean().optional(),
  itemType: z.enum(INPUT_TYPES).optional(),
});

export const LabelsSchema = z.union([
  z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  z.array(z.object({ key: z.string(), value: z.union([z.string(), z.number(), z.boolean()]) })),
]);

export const PluginDefaultsSchema = z.array(
  z.object({ type: z.string(), forced: z.boolean().default(false), values: z.record(z.string(), z.unknown()) }),
);

/**
 * Kestra's flow `sla`: a maximum duration (checked by a timer) or an assertion (checked on each
 * change). The field each type needs (`duration`, `assert`) is checked by `parseFlow`.
 */
export const SlaSchema = z.object({
  id: z.string().min(1).describe("The SLA id, named in logs when it is violated."),
  type: z.enum(["MAX_DURATION", "EXECUTION_ASSERTION"]),
  behavior: z
    .enum(["FAIL", "CANCEL", "NONE"])
    .describe("What a violation does to the execution: FAIL, CANCEL, or NONE (labels and a log only)."),
  labels: LabelsSchema.optional().describe("Labels added to the execution when the SLA is violated."),
  duration: z
    .string()
    .refine((text) => isDuration(text) && parseDuration(text) > 0, {
      message: "must be a positive ISO-8601 duration such as PT30S, PT5M or P1D",
    })
    .optional()
    .describe("MAX_DURATION: the longest an execution may run, from its creation."),
  assert: z
    .string()
    .min(1)
    .optional()
    .describe("EXECUTION_ASSERTION: an expression; the SLA is violated when it renders false."),
});

/** The property each SLA type needs. */
export const SLA_REQUIRED = { MAX_DURATION: "duration", EXECUTION_ASSERTION: "assert" } as const;

/** The flow's own properties; `tasks`, `triggers`… hold plugin nodes. Validated with dynamic: false. */
export const FlowSchema = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    .regex(FLOW_ID, "must start with a letter or digit and hold only letters, digits, '.', '_' and '-'")
    .describe("The flow id, unique in its namespace."),
  namespace: z
    .string()
    .min(1)
    .max(150)
    .regex(NAMESPACE, "must be lower-case letters, digits, '.', '_' and '-', starting with a letter or digit")
    // its executions' files would lie among the parent namespace's files (`<namespace>/_files/`)
    .refine((namespace) => !namespace.split(".").includes("_files"), "may not have a part named '_files'")
    .describe("A dotted namespace such as company.team."),
  revision: z.number().int().min(1).optional(),
  tenantId: z.string().optional(),
  description: z.string().optional().describe("Markdown."),
  labels: LabelsSchema.optional().describe("Labels added to every execution."),
  inputs: z
    .array(z.looseObject({ id: z.string().optional(), type: z.string() }))
    .optional()
    .describe("Values given when an execution starts."),
  variables: z.record(z.string(), z.unknown()).optional().describe("Constants, as `{{ vars.<name> }}`."),
  tasks: tasks().min(1).describe("The tasks, run one after the other."),
  errors: tasks().optional().describe("Tasks run when a task fails."),
  finally: tasks().optional().describe("Tasks always run at the end."),
  afterExecution: tasks().optional().describe("Tasks run once the execution ended."),
  listeners: z
    .array(z.object({ description: z.string().optional(), conditions: conditions().optional(), tasks: tasks() }))
    .optional()
    .describe("Deprecated."),
  triggers: z
    .array(z.looseObject({ type: z.string() }).meta({ $pluginNode: "trigger", $dynamic: false }))
    .optional()
    .describe("What starts executions."),
  pluginDefaults: PluginDefaultsSchema.optional().describe("Default property values by type prefix."),
  taskDefaults: PluginDefaultsSchema.optional().describe("Deprecated name of pluginDefaults."),
  concurrency: z
    .object({ limit: z.number().int().min(1), behavior: z.enum(["QUEUE", "CANCEL", "FAIL"]).default("QUEUE") })
    .optional(),
  outputs: z.array(FlowOutputSchema).optional().describe("Values the execution exposes when it ends."),
  retry: RetryPolicySchema.optional().describe("Retry policy of every task without one."),
  sla: z.array(SlaSchema).optional(),
  checks: z.array(z.unknown()).optional(),
  disabled: z.boolean().default(false).describe("A disabled flow cannot start executions."),
  deleted: z.boolean().optional(),
  workerGroup: z.unknown().optional(),
});

/** The properties every task has besides its plugin's own (validated with the flow, documented with each type). */
export const COMMON_TASK_SHAPE = {
  id: z
    .string()
    .regex(TASK_ID, "must start with a letter or digit and hold only letters, digits, '_' and '-'")
    .describe("A unique id in the flow."),
  type: z.string().describe("The plugin type."),
  version: z.string().optional().describe("The plugin version: exact, a semver range, LATEST or OLDEST."),
  description: z.string().optional(),
  retry: RetryPolicySchema.optional().describe("Retry policy when the task fails."),
  timeout: z.string().optional().describe("ISO-8601 duration after which the task is killed and fails."),
  disabled: z.boolean().default(false).describe("A disabled task is skipped entirely."),
  workerGroup: z.object({ key: z.string(), fallback: z.enum(["FAIL", "WAIT", "CANCEL"]).optional() }).optional(),
  logLevel: z.enum(LOG_LEVELS).optional().describe("Minimum level of the task's logs."),
  logToFile: z.boolean().optional(),
  allowFailure: z.boolean().default(false).describe("A failure ends the task WARNING and the flow goes on."),
  allowWarning: z.boolean().default(false).describe("A warning ends the task SUCCESS."),
  runIf: z.union([z.string(), z.boolean()]).optional().describe("Skip the task when this renders falsy."),
  taskCache: z.object({ enabled: z.boolean(), ttl: z.string().optional() }).optional(),
  assets: AssetsDeclarationSchema.optional(),
};

export const COMMON_TRIGGER_SHAPE = {
  id: COMMON_TASK_SHAPE.id,
  type: z.string(),
  version: z.string().optional(),
  description: z.string().optional(),
  conditions: z
    .array(z.looseObject({ type: z.string() }).meta({ $pluginNode: "condition", $dynamic: false }))
    .optional(),
  disabled: z.boolean().default(false),
  workerGroup: COMMON_TASK_SHAPE.workerGroup,
  logLevel: COMMON_TASK_SHAPE.logLevel,
  logToFile: z.boolean().optional(),
  labels: z
    .union([z.record(z.string(), z.unknown()), z.array(z.object({ key: z.string(), value: z.unknown() }))])
    .optional(),
  stopAfter: z.array(z.enum(STATE_TYPES)).optional(),
};
