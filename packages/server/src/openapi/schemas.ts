/**
 * The JSON shapes of the API (Kestra's field names), for the OpenAPI document. Objects are loose:
 * these schemas document responses, they do not filter them.
 */
import { KV_TYPES, LOG_LEVELS, STATE_TYPES, z } from "@saker/sdk";

export const ErrorSchema = z
  .object({
    message: z.string().describe("What went wrong, naming the flow, task and YAML path when known"),
    code: z.string().describe("A stable code: FLOW_INVALID, FLOW_NOT_FOUND, EXECUTION_NOT_FOUND, BAD_REQUEST, …"),
    path: z
      .string()
      .optional()
      .describe("Where: a YAML path such as tasks[2].retry.maxAttempt, or a request part such as query.size"),
    details: z
      .record(z.string(), z.unknown())
      .optional()
      .describe("Structured details, e.g. issues: [{path, message, line, column}]"),
  })
  .describe("An error");

export const LabelSchema = z.object({ key: z.string(), value: z.string() });

export const StateSchema = z.looseObject({
  current: z.enum(STATE_TYPES),
  histories: z.array(z.object({ state: z.enum(STATE_TYPES), date: z.string() })),
  startDate: z.string(),
  endDate: z.string().optional(),
  duration: z.string(),
});

export const TaskRunSchema = z.looseObject({
  id: z.string(),
  executionId: z.string(),
  namespace: z.string(),
  flowId: z.string(),
  taskId: z.string(),
  parentTaskRunId: z.string().optional(),
  value: z.string().optional(),
  attempts: z.array(z.looseObject({ state: StateSchema })).optional(),
  outputs: z.record(z.string(), z.unknown()).nullable(),
  state: StateSchema,
});

export const ExecutionSchema = z
  .looseObject({
    id: z.string(),
    namespace: z.string(),
    flowId: z.string(),
    flowRevision: z.number().int(),
    taskRunList: z.array(TaskRunSchema),
    inputs: z.record(z.string(), z.unknown()).optional(),
    outputs: z.record(z.string(), z.unknown()).optional(),
    labels: z.array(LabelSchema),
    state: StateSchema,
    parentId: z.string().optional(),
    originalId: z.string(),
    trigger: z.looseObject({ id: z.string(), type: z.string() }).optional(),
    deleted: z.boolean(),
    metadata: z.looseObject({ attemptNumber: z.number().int(), originalCreatedDate: z.string() }),
    scheduleDate: z.string().optional(),
  })
  .describe("An execution");

export const FlowSchema = z
  .looseObject({
    id: z.string(),
    namespace: z.string(),
    revision: z.number().int(),
    description: z.string().optional(),
    labels: z.array(LabelSchema).optional(),
    inputs: z.array(z.looseObject({ id: z.string(), type: z.string() })).optional(),
    tasks: z.array(z.looseObject({ id: z.string(), type: z.string() })),
    triggers: z.array(z.looseObject({ id: z.string(), type: z.string() })).optional(),
    disabled: z.boolean(),
    deleted: z.boolean(),
    source: z.string().optional().describe("The YAML source (with source=true, and on create/update)"),
  })
  .describe("A flow revision");

export const LogEntrySchema = z.looseObject({
  namespace: z.string(),
  flowId: z.string(),
  executionId: z.string().optional(),
  taskId: z.string().optional(),
  taskRunId: z.string().optional(),
  attemptNumber: z.number().int().optional(),
  triggerId: z.string().optional(),
  level: z.enum(LOG_LEVELS),
  message: z.string(),
  timestamp: z.string(),
  thread: z.string().optional(),
});

export const BulkResponseSchema = z.object({ count: z.number().int() });

export const IdWithNamespaceSchema = z.object({ namespace: z.string(), id: z.string() });

export const ValidateResultSchema = z.object({
  index: z.number().int(),
  flow: z.string().optional(),
  namespace: z.string().optional(),
  constraints: z.string().optional().describe("Every problem, one per line, with its YAML path and line"),
  issues: z
    .array(
      z.object({ path: z.string(), message: z.string(), line: z.number().optional(), column: z.number().optional() }),
    )
    .optional(),
  outdated: z.boolean(),
  deprecationPaths: z.array(z.string()),
  warnings: z.array(z.string()),
  infos: z.array(z.string()),
});

export const KvEntrySchema = z.object({
  key: z.string(),
  creationDate: z.string(),
  updateDate: z.string(),
  expirationDate: z.string().nullable(),
});
export const KvValueSchema = z.object({ type: z.enum(KV_TYPES), value: z.unknown() });

export const FileAttributesSchema = z.object({
  fileName: z.string(),
  type: z.enum(["File", "Directory"]),
  size: z.number().int(),
  lastModifiedTime: z.number().int().optional(),
  creationTime: z.number().int().optional(),
});

export const FileMetasSchema = z.object({ size: z.number().int() });

export const FilePreviewSchema = z.object({
  extension: z.string(),
  type: z.enum(["TEXT", "LIST", "IMAGE", "MARKDOWN", "PDF"]),
  content: z.unknown(),
  maxLine: z.number().int(),
  truncated: z.boolean(),
});

/** Common error responses, to spread into a route's `response`. */
export const errors = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [s, ErrorSchema]));
