/**
 * Flows: create from YAML, update (a new revision), get as JSON or YAML, list, search, revisions,
 * delete. Kestra's `FlowController` paths and shapes.
 */
import { z } from "@saker/sdk";
import { ApiError, conflict } from "../http/errors.ts";
import { multi, pagedSchema, pagingShape } from "../http/paging.ts";
import { defineRoute, type AnyRoute } from "../http/route.ts";
import { errors, FlowSchema } from "../openapi/schemas.ts";
import { flowFilters, flowJson, flowsJson, storedFlow, yieldToOthers } from "./flowSupport.ts";

const TAGS = ["Flows"];
const YAML_TYPES = ["application/x-yaml", "application/yaml", "text/yaml", "text/plain"];
const FlowParams = z.object({
  namespace: z.string().describe("The flow namespace"),
  id: z.string().describe("The flow id"),
});
const YamlBody = z.string().min(1, "the flow YAML is empty").describe("The flow, as YAML");
const yamlBodyDoc = { content: Object.fromEntries(YAML_TYPES.map((t) => [t, { schema: { type: "string" } }])) };
const booleanQuery = z.enum(["true", "false"]).transform((v) => v === "true");

function wantsYaml(accept: string | undefined): boolean {
  return /(application\/(x-)?yaml|text\/yaml)/i.test(accept ?? "") && !/application\/json/i.test(accept ?? "");
}

const create = defineRoute({
  method: "POST",
  url: "/flows",
  summary: "Create a flow from its YAML source",
  tags: TAGS,
  consumes: YAML_TYPES,
  body: YamlBody,
  bodyDoc: yamlBodyDoc,
  response: { 200: FlowSchema, ...errors(409, 413, 422) },
  async handler({ body, ctx }) {
    const instance = ctx.instance;
    const flow = await ctx.api.flows.validate(body);
    const existing = await ctx.api.flows.stored(flow.namespace, flow.id);
    if (existing && !existing.deleted)
      throw conflict(
        "FLOW_ALREADY_EXISTS",
        `Flow '${flow.namespace}/${flow.id}' already exists; update it with PUT /flows/${flow.namespace}/${flow.id}`,
      );
    const stored = await ctx.api.flows.save(body, flow);
    await yieldToOthers();
    return await flowJson(instance, stored, true);
  },
});

const update = defineRoute({
  method: "PUT",
  url: "/flows/:namespace/:id",
  summary: "Update a flow: a changed source becomes a new revision",
  tags: TAGS,
  consumes: YAML_TYPES,
  params: FlowParams,
  body: YamlBody,
  bodyDoc: yamlBodyDoc,
  response: { 200: FlowSchema, ...errors(404, 413, 422) },
  async handler({ params, body, ctx }) {
    const instance = ctx.instance;
    await storedFlow(instance, params.namespace, params.id);
    const flow = await ctx.api.flows.validate(body);
    for (const key of ["namespace", "id"] as const) {
      if (flow[key] !== params[key]) {
        throw new ApiError(
          422,
          "FLOW_INVALID",
          `The flow's ${key} '${flow[key]}' differs from the URL's '${params[key]}'; a flow cannot be renamed by an update`,
          { path: key },
        );
      }
    }
    const stored = await ctx.api.flows.save(body, flow);
    await yieldToOthers();
    return await flowJson(instance, stored, true);
  },
});

const get = defineRoute({
  method: "GET",
  url: "/flows/:namespace/:id",
  summary: "Get a flow (JSON; the YAML source with `Accept: application/x-yaml`)",
  tags: TAGS,
  params: FlowParams,
  query: z.looseObject({
    source: booleanQuery.optional().describe("Include the YAML source in `source`"),
    revision: z.coerce.number().int().min(1).optional().describe("A revision; the latest by default"),
    allowDeleted: booleanQuery.optional().describe("Return a deleted flow"),
  }),
  response: { 200: FlowSchema, ...errors(404) },
  async handler({ params, query, request, reply, ctx }) {
    const stored = await storedFlow(ctx.instance, params.namespace, params.id, query.revision, query.allowDeleted);
    if (wantsYaml(request.headers.accept)) return reply.type("application/x-yaml; charset=utf-8").send(stored.source);
    return await flowJson(ctx.instance, stored, query.source === true);
  },
});

const byNamespace = defineRoute({
  method: "GET",
  url: "/flows/:namespace",
  summary: "List the flows of a namespace (not its children)",
  tags: TAGS,
  params: z.object({ namespace: z.string() }),
  response: { 200: z.array(FlowSchema) },
  async handler({ params, ctx }) {
    const flows = await ctx.api.flows.ofNamespace(params.namespace);
    return await flowsJson(
      ctx.instance,
      await Promise.all(flows.map((f) => storedFlow(ctx.instance, f.namespace, f.id, f.revision))),
      false,
    );
  },
});

const search = defineRoute({
  method: "GET",
  url: "/flows/search",
  summary: "Search flows",
  description:
    "Filters: `filters[namespace][PREFIX]=company`, `filters[id][EQUALS]=x`, `filters[labels][EQUALS]=k:v`, `filters[q][EQUALS]=text`; or the older `q`, `namespace` (prefix), `labels=k:v`.",
  tags: TAGS,
  query: z.looseObject({
    ...pagingShape(10),
    q: z.string().optional(),
    namespace: z.string().optional(),
    labels: multi(),
  }),
  response: { 200: pagedSchema(FlowSchema), ...errors(400) },
  async handler({ query, ctx }) {
    // Filtered, sorted and paged by the database on the summaries; only the page's flows are read whole.
    const page = await ctx.api.flows.search({
      filters: flowFilters(query),
      sort: query.sort ?? [],
      page: query.page,
      size: query.size,
    });
    return {
      total: page.total,
      results: await flowsJson(
        ctx.instance,
        await Promise.all(page.results.map((f) => storedFlow(ctx.instance, f.namespace, f.id, f.revision))),
        false,
      ),
    };
  },
});

const revisions = defineRoute({
  method: "GET",
  url: "/flows/:namespace/:id/revisions",
  summary: "Every revision of a flow, with its source",
  tags: TAGS,
  params: FlowParams,
  response: { 200: z.array(FlowSchema), ...errors(404) },
  async handler({ params, ctx }) {
    const all = await ctx.api.flows.revisions(params.namespace, params.id);
    if (all.length === 0)
      throw new ApiError(404, "FLOW_NOT_FOUND", `Flow '${params.namespace}/${params.id}' not found`);
    return await flowsJson(ctx.instance, all, true);
  },
});

const remove = defineRoute({
  method: "DELETE",
  url: "/flows/:namespace/:id",
  summary: "Delete a flow (its revisions are kept, a deleted revision is added)",
  tags: TAGS,
  params: FlowParams,
  response: { 204: null, ...errors(404) },
  async handler({ params, reply, ctx }) {
    if (!(await ctx.api.flows.delete(params.namespace, params.id)))
      throw new ApiError(404, "FLOW_NOT_FOUND", `Flow '${params.namespace}/${params.id}' not found`);
    reply.code(204);
  },
});

const task = defineRoute({
  method: "GET",
  url: "/flows/:namespace/:id/tasks/:taskId",
  summary: "The definition of one task of a flow",
  tags: TAGS,
  params: FlowParams.extend({ taskId: z.string().describe("The task id") }),
  query: z.looseObject({
    revision: z.coerce.number().int().min(1).optional().describe("The flow revision; the latest by default"),
  }),
  response: { 200: z.looseObject({ id: z.string(), type: z.string() }), ...errors(404) },
  async handler({ params, query, ctx }) {
    const stored = await storedFlow(ctx.instance, params.namespace, params.id, query.revision);
    const found = ctx.instance.flows.graph(params.namespace, params.id, stored.revision).findTask(params.taskId);
    if (!found)
      throw new ApiError(
        404,
        "TASK_NOT_FOUND",
        `Task '${params.taskId}' not found in flow '${params.namespace}/${params.id}'`,
      );
    return found;
  },
});

export const flowRoutes: AnyRoute[] = [create, update, get, byNamespace, search, revisions, remove, task];
