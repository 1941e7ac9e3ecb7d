/**
 * Executions: create (multipart inputs, FILE inputs as file parts), get, search, delete, labels.
 * Kestra's `ExecutionController` paths and shapes.
 */
import { isTerminated, z } from "@saker/sdk";
import { ApiError, badRequest, conflict, notFound } from "../http/errors.ts";
import type { EngineApi, Execution, Instance } from "@saker/engine";
import { legacyFilters, parseFilterParams, type Filter } from "../http/filters.ts";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { ServerContext } from "../context.ts";
import { formInputs, readForm, type FormContent } from "../http/multipart.ts";
import { multi, pagedSchema, pagingShape } from "../http/paging.ts";
import { defineRoute, type AnyRoute } from "../http/route.ts";
import { errors, ExecutionSchema, FlowSchema, LabelSchema } from "../openapi/schemas.ts";
import { flowJson, storedFlow } from "./flowSupport.ts";
import {
  clientGone,
  ExecutionParams,
  requestLabels,
  storedExecution,
  validateInputsResponse,
  ValidateInputsSchema,
} from "./executionSupport.ts";

const TAGS = ["Executions"];
const booleanQuery = (fallback: boolean) =>
  z
    .enum(["true", "false"])
    .default(fallback ? "true" : "false")
    .transform((v) => v === "true");

const create = defineRoute({
  method: "POST",
  url: "/executions/:namespace/:id",
  summary: "Create an execution of a flow",
  description:
    "Inputs are multipart/form-data fields; FILE inputs are file parts named by the input id. A JSON object of inputs is accepted too.",
  tags: TAGS,
  consumes: ["multipart/form-data", "application/x-www-form-urlencoded", "application/json"],
  bodyOptional: true,
  bodyDoc: {
    content: {
      "multipart/form-data": {
        schema: {
          type: "object",
          additionalProperties: true,
          description: "One field per input; file parts for FILE inputs",
        },
      },
    },
  },
  params: z.object({ namespace: z.string(), id: z.string() }),
  query: z.looseObject({
    labels: multi().describe("Labels as key:value (repeatable)"),
    revision: z.coerce.number().int().min(1).optional().describe("The flow revision; the latest by default"),
    scheduleDate: z.iso.datetime({ offset: true }).optional().describe("Start the execution at this date"),
    wait: booleanQuery(false).describe("Answer once the execution is finished (or paused)"),
  }),
  response: { 200: ExecutionSchema, ...errors(400, 404, 409, 413, 422) },
  async handler({ params, query, request, reply, ctx }) {
    const instance = ctx.instance;
    const labels = requestLabels(query.labels);
    const inputs = formInputs(await readFormOfFlow(ctx, params.namespace, params.id, query.revision, request));
    const execution = await instance.createExecution(
      params.namespace,
      params.id,
      { inputs, labels, ...(query.scheduleDate ? { scheduleDate: new Date(query.scheduleDate).toISOString() } : {}) },
      query.revision,
    );
    if (!query.wait) return execution;
    await ctx.api.executions.untilSettledOrAborted(execution.id, clientGone(reply.raw));
    return await sendStoredExecution(ctx, reply, execution.id, false);
  },
});

/**
 * The form of a request to start a flow, a missing flow answering 404 before any error of the
 * body. A multipart body is read from the socket, so the flow is looked up before reading it;
 * other bodies were parsed already, and creating the execution looks the flow up: it is looked
 * up here only when the body is refused, not twice per request.
 */
async function readFormOfFlow(
  ctx: ServerContext,
  namespace: string,
  flowId: string,
  revision: number | undefined,
  request: FastifyRequest,
): Promise<FormContent> {
  const instance = ctx.instance;
  if (request.isMultipart()) {
    instance.flows.get(namespace, flowId, revision);
    return await readForm(request, ctx.maxRequestSize);
  }
  try {
    return await readForm(request, ctx.maxRequestSize);
  } catch (error) {
    instance.flows.get(namespace, flowId, revision);
    throw error;
  }
}

/**
 * Answers with an execution's stored JSON as it is unless it holds a secret: it is not parsed and
 * serialised again. A deleted one is a 404 when `hideDeleted`.
 */
async function sendStoredExecution(ctx: ServerContext, reply: FastifyReply, id: string, hideDeleted: boolean) {
  const stored = await ctx.api.executions.jsonText(id);
  if (!stored || (hideDeleted && stored.deleted)) throw notFound("EXECUTION_NOT_FOUND", `Execution '${id}' not found`);
  return reply.type("application/json; charset=utf-8").send(ctx.instance.secretGuard.displayJson(stored.json));
}

const validate = defineRoute({
  method: "POST",
  url: "/executions/:namespace/:id/validate",
  summary: "Check the inputs of a new execution without creating it",
  description:
    "Same request as creating an execution. Answers each input of the flow with its typed value (or default), whether it is enabled (`dependsOn`) and its errors (Kestra's ApiValidateExecutionInputsResponse); invalid inputs are reported there, not as an error status. Nothing is created or stored.",
  tags: TAGS,
  consumes: ["multipart/form-data", "application/x-www-form-urlencoded", "application/json"],
  bodyOptional: true,
  bodyDoc: create.bodyDoc!,
  params: z.object({ namespace: z.string(), id: z.string() }),
  query: z.looseObject({
    labels: multi().describe("Labels as key:value (repeatable)"),
    revision: z.coerce.number().int().min(1).optional().describe("The flow revision; the latest by default"),
    scheduleDate: z.iso.datetime({ offset: true }).optional(),
  }),
  response: { 200: ValidateInputsSchema, ...errors(400, 404, 409, 413) },
  async handler({ params, query, request, ctx }) {
    const instance = ctx.instance;
    const labels = requestLabels(query.labels);
    instance.flows.get(params.namespace, params.id, query.revision);
    const inputs = formInputs(await readForm(request, ctx.maxRequestSize));
    const checks = await instance.checkExecutionInputs(params.namespace, params.id, { inputs, labels }, query.revision);
    return validateInputsResponse(instance, params.id, params.namespace, checks);
  },
});

/** Kestra's older path for creating an execution. */
const createLegacy: AnyRoute = {
  ...create,
  url: "/executions/trigger/:namespace/:id",
  summary: "Create an execution of a flow (older path; same as POST /executions/{namespace}/{id})",
};

const get = defineRoute({
  method: "GET",
  url: "/executions/:executionId",
  summary: "Get an execution",
  tags: TAGS,
  params: ExecutionParams,
  response: { 200: ExecutionSchema, ...errors(404) },
  async handler({ params, reply, ctx }) {
    return await sendStoredExecution(ctx, reply, params.executionId, true);
  },
});

const flowOf = defineRoute({
  method: "GET",
  url: "/executions/:executionId/flow",
  summary: "The flow revision an execution runs",
  tags: TAGS,
  params: ExecutionParams,
  response: { 200: FlowSchema, ...errors(404) },
  async handler({ params, ctx }) {
    const { execution } = await storedExecution(ctx.api, params.executionId);
    return await flowJson(
      ctx.instance,
      await storedFlow(ctx.instance, execution.namespace, execution.flowId, execution.flowRevision),
      true,
    );
  },
});

export const SearchQuery = z.looseObject({
  ...pagingShape(10),
  q: z.string().optional(),
  namespace: z.string().optional().describe("A namespace and its children"),
  flowId: z.string().optional(),
  state: multi().describe("States (repeatable)"),
  labels: multi().describe("Labels as key:value (repeatable)"),
  startDate: z.iso.datetime({ offset: true, local: true }).optional(),
  endDate: z.iso.datetime({ offset: true, local: true }).optional(),
  timeRange: z.string().optional().describe("An ISO-8601 duration: executions started since"),
  triggerExecutionId: z
    .string()
    .optional()
    .describe("Executions started by this one (its subflows, or by a Flow trigger)"),
  childFilter: z.enum(["CHILD", "MAIN"]).optional().describe("CHILD: started by another execution; MAIN: not"),
});

/** The filters of an execution search: `filters[…]`, the older parameters, and `exact` ones a route adds. */
export function executionFilters(query: z.output<typeof SearchQuery>, exact: Filter[] = []): Filter[] {
  return [...parseFilterParams(query), ...legacyFilters(query), ...exact];
}

/** A page of execution summaries (no outputs): filtered, sorted and paged by the database. */
export async function searchExecutions(api: EngineApi, query: z.output<typeof SearchQuery>, exact: Filter[] = []) {
  return await api.executions.search({
    filters: executionFilters(query, exact),
    sort: query.sort?.length ? query.sort : ["state.startDate:desc"],
    page: query.page,
    size: query.size,
  });
}

const search = defineRoute({
  method: "GET",
  url: "/executions/search",
  summary: "Search executions",
  description:
    "Filters: `filters[namespace][PREFIX]=company`, `filters[flowId][EQUALS]=x`, `filters[state][IN]=FAILED,WARNING`, `filters[labels][EQUALS]=k:v`, `filters[startDate][GREATER_THAN_OR_EQUAL_TO]=…`, `filters[timeRange][EQUALS]=PT1H`, `filters[q][EQUALS]=text`; or the older parameters. Sorted by `state.startDate:desc` by default. Items leave out the outputs (of the execution and of its task runs), which can be large: `GET /executions/{executionId}` has them.",
  tags: TAGS,
  query: SearchQuery,
  response: { 200: pagedSchema(ExecutionSchema), ...errors(400) },
  async handler({ query, ctx }) {
    return await searchExecutions(ctx.api, query);
  },
});

const byFlow = defineRoute({
  method: "GET",
  url: "/executions",
  summary: "The executions of a flow",
  tags: TAGS,
  query: SearchQuery.extend({ namespace: z.string(), flowId: z.string() }),
  response: { 200: pagedSchema(ExecutionSchema), ...errors(400) },
  async handler({ query, ctx }) {
    const { namespace, flowId, ...rest } = query;
    return await searchExecutions(ctx.api, { ...rest, flowId }, [
      { field: "namespace", op: "EQUALS", values: [namespace] },
    ]);
  },
});

export const DeleteQuery = z.looseObject({
  deleteLogs: booleanQuery(true).describe("Delete its logs too"),
  deleteMetrics: booleanQuery(true).describe("Delete its metrics too"),
  deleteStorage: booleanQuery(true).describe("Delete its files in internal storage too"),
});

const remove = defineRoute({
  method: "DELETE",
  url: "/executions/:executionId",
  summary: "Delete a finished execution, with its logs, metrics and files by default",
  tags: TAGS,
  params: ExecutionParams,
  query: DeleteQuery,
  response: { 204: null, ...errors(404, 409) },
  async handler({ params, query, reply, ctx }) {
    const { execution, finished } = await storedExecution(ctx.api, params.executionId);
    if (!finished)
      throw conflict(
        "EXECUTION_NOT_FINISHED",
        `Execution '${execution.id}' is ${execution.state.current}; kill it before deleting it`,
      );
    await ctx.api.executions.delete(execution, query);
    reply.code(204);
  },
});

const labels = defineRoute({
  method: "POST",
  url: "/executions/:executionId/labels",
  summary: "Add or update labels of a terminated execution",
  description: "The given labels replace those with the same key; the others stay.",
  tags: TAGS,
  params: ExecutionParams,
  body: z.array(LabelSchema),
  response: { 200: ExecutionSchema, ...errors(400, 404, 409) },
  async handler({ params, body, ctx }) {
    return await setLabels(ctx.instance, params.executionId, body);
  },
});

/** The first given system label the execution does not carry already: only Saker sets those. */
export function foreignSystemLabel(
  execution: Execution,
  labels: readonly { key: string; value: string }[],
): { key: string; value: string } | undefined {
  return labels.find(
    (l) => l.key.startsWith("system.") && !execution.labels.some((e) => e.key === l.key && e.value === l.value),
  );
}

/**
 * Adds or replaces labels of a terminated execution (the given keys win, the others stay). The
 * execution's row is locked from the read to the commit: an edit of the same execution by
 * another process (another webserver) waits and merges into this one's labels, none is lost.
 */
export async function setLabels(
  instance: Pick<Instance, "backend" | "events">,
  executionId: string,
  body: readonly { key: string; value: string }[],
): Promise<Execution> {
  const updated = await instance.backend.transaction(async (tx) => {
    const loaded = await tx.executions.load(executionId, { lock: true });
    if (!loaded || loaded.stored.execution.deleted)
      throw notFound("EXECUTION_NOT_FOUND", `Execution '${executionId}' not found`);
    const stored = loaded.stored;
    const x = stored.execution;
    if (!isTerminated(x.state.current))
      throw conflict(
        "EXECUTION_NOT_TERMINATED",
        `Execution '${x.id}' is ${x.state.current}; labels can only be changed once it is terminated`,
      );
    const offending = foreignSystemLabel(x, body);
    if (offending)
      throw badRequest(
        `System labels can only be set by Saker itself, offending label: ${offending.key}=${offending.value}`,
        "body",
      );
    if (body.some((l) => l.key.trim() === ""))
      throw new ApiError(400, "BAD_REQUEST", "A label needs a key", { path: "body" });
    const given = new Map(body.map((l) => [l.key, l.value]));
    const merged = [
      ...body
        .filter((l, i) => body.findIndex((o) => o.key === l.key) === i)
        .map((l) => ({ key: l.key, value: given.get(l.key)! })),
      ...x.labels.filter((l) => !given.has(l.key)),
    ];
    const next = { ...x, labels: merged };
    await tx.executions.update(next, stored.executorState, stored.finished, loaded.runs);
    return next;
  });
  instance.events.emit("execution", updated);
  return updated;
}

const executedNamespaces = defineRoute({
  method: "GET",
  url: "/executions/namespaces",
  summary: "The namespaces that have executions",
  tags: TAGS,
  response: { 200: z.array(z.string()) },
  async handler({ ctx }) {
    return await ctx.api.executions.namespaces();
  },
});

const executedFlowIds = defineRoute({
  method: "GET",
  url: "/executions/namespaces/:namespace/flows",
  summary: "The ids of the flows of a namespace that have executions",
  tags: TAGS,
  params: z.object({ namespace: z.string() }),
  response: { 200: z.array(z.string()) },
  async handler({ params, ctx }) {
    return await ctx.api.executions.flowIds(params.namespace);
  },
});

const flowForExecution = defineRoute({
  method: "GET",
  url: "/executions/flows/:namespace/:flowId",
  summary: "A flow (its latest revision, or `revision`), as the execution form reads it (without its source)",
  tags: TAGS,
  params: z.object({ namespace: z.string(), flowId: z.string() }),
  query: z.looseObject({
    revision: z.coerce.number().int().min(1).optional().describe("The flow revision; the latest by default"),
  }),
  response: { 200: FlowSchema, ...errors(400, 404) },
  async handler({ params, query, ctx }) {
    return await flowJson(
      ctx.instance,
      await storedFlow(ctx.instance, params.namespace, params.flowId, query.revision),
      false,
    );
  },
});

export const executionRoutes: AnyRoute[] = [
  validate,
  create,
  createLegacy,
  get,
  flowOf,
  search,
  byFlow,
  remove,
  labels,
  executedNamespaces,
  executedFlowIds,
  flowForExecution,
];
