/**
 * `/metrics/*`: the metrics tasks emit (counters, and timers in milliseconds), by execution and
 * aggregated per flow, with Kestra's `MetricController` paths and shapes.
 */
import { z } from "@saker/sdk";
import { METRIC_AGGREGATIONS, METRIC_SORT_COLUMNS, type MetricSortColumn } from "@saker/engine";
import { badRequest } from "../http/errors.ts";
import { pagedSchema, pagingShape } from "../http/paging.ts";
import { defineRoute, type AnyRoute } from "../http/route.ts";
import { errors } from "../openapi/schemas.ts";
import { ExecutionParams, storedExecution } from "./executionSupport.ts";

const TAGS = ["Metrics"];
const DAY_MS = 24 * 3_600_000;

const MetricEntrySchema = z.object({
  namespace: z.string(),
  flowId: z.string(),
  taskId: z.string().optional(),
  executionId: z.string(),
  taskRunId: z.string().optional(),
  type: z.string().describe("counter or timer"),
  name: z.string(),
  value: z.number().describe("A counter's value, or a timer's duration in milliseconds"),
  timestamp: z.string(),
  tags: z.record(z.string(), z.string()).optional(),
  deleted: z.boolean(),
});

const AggregatesSchema = z.object({
  groupBy: z.string(),
  aggregations: z.array(z.object({ name: z.string().optional(), value: z.number(), date: z.string() })),
});

const FlowParams = z.object({ namespace: z.string(), flowId: z.string() });

/** `field:asc|desc` over the metric's fields (Kestra's `taskrunId` accepted for `taskRunId`). */
function metricSort(sort: readonly string[] | undefined): { column: MetricSortColumn; descending: boolean }[] {
  return (sort ?? [])
    .flatMap((s) => s.split(","))
    .filter((s) => s.trim() !== "")
    .map((s) => {
      const [rawField = "", dir = "asc"] = s.trim().split(":");
      const field = rawField === "taskrunId" ? "taskRunId" : rawField;
      if (!(field in METRIC_SORT_COLUMNS))
        throw badRequest(
          `Invalid sort field '${rawField}'; expected one of ${Object.keys(METRIC_SORT_COLUMNS).join(", ")}`,
          "query.sort",
        );
      if (!["asc", "desc"].includes(dir.toLowerCase()))
        throw badRequest(`Invalid sort direction '${dir}'; expected asc or desc`, "query.sort");
      return { column: field as MetricSortColumn, descending: dir.toLowerCase() === "desc" };
    });
}

const byExecution = defineRoute({
  method: "GET",
  url: "/metrics/:executionId",
  summary: "The metrics of an execution (of one task, or one task run, when given)",
  tags: TAGS,
  params: ExecutionParams,
  query: z.looseObject({ ...pagingShape(10), taskId: z.string().optional(), taskRunId: z.string().optional() }),
  response: { 200: pagedSchema(MetricEntrySchema), ...errors(400, 404) },
  async handler({ params, query, ctx }) {
    const instance = ctx.instance;
    await storedExecution(ctx.api, params.executionId);
    const page = await ctx.api.metrics.page({
      executionId: params.executionId,
      ...(query.taskId !== undefined ? { taskId: query.taskId } : {}),
      ...(query.taskRunId !== undefined ? { taskRunId: query.taskRunId } : {}),
      page: query.page,
      size: query.size,
      sort: metricSort(query.sort),
    });
    // Tags are the task's text (a URL, a table name): masked like any other way out.
    const masker = instance.secretGuard.masker();
    return { ...page, results: page.results.map((m) => (m.tags ? { ...m, tags: masker.maskValue(m.tags) } : m)) };
  },
});

const flowNames = defineRoute({
  method: "GET",
  url: "/metrics/names/:namespace/:flowId",
  summary: "The names of the metrics of a flow",
  tags: TAGS,
  params: FlowParams,
  response: { 200: z.array(z.string()) },
  async handler({ params, ctx }) {
    return await ctx.api.metrics.names(params.namespace, params.flowId);
  },
});

const taskNames = defineRoute({
  method: "GET",
  url: "/metrics/names/:namespace/:flowId/:taskId",
  summary: "The names of the metrics of a task of a flow",
  tags: TAGS,
  params: FlowParams.extend({ taskId: z.string() }),
  response: { 200: z.array(z.string()) },
  async handler({ params, ctx }) {
    return await ctx.api.metrics.names(params.namespace, params.flowId, params.taskId);
  },
});

const tasks = defineRoute({
  method: "GET",
  url: "/metrics/tasks/:namespace/:flowId",
  summary: "The ids of the tasks of a flow that have metrics (deleted or renamed tasks included)",
  tags: TAGS,
  params: FlowParams,
  response: { 200: z.array(z.string()) },
  async handler({ params, ctx }) {
    return await ctx.api.metrics.tasks(params.namespace, params.flowId);
  },
});

const AggregateQuery = z.looseObject({
  startDate: z.iso.datetime({ offset: true, local: true }).optional().describe("Default: 30 days before endDate"),
  endDate: z.iso.datetime({ offset: true, local: true }).optional().describe("Default: now"),
  aggregation: z.enum(METRIC_AGGREGATIONS).default("sum").describe("avg, sum, min or max"),
});

/** An ISO date-time of the query as an instant; one without an offset is UTC. */
function instant(text: string): number {
  return Date.parse(/(Z|[+-]\d{2}:?\d{2})$/i.test(text) ? text : `${text}Z`);
}

function aggregateRoute(url: string, withTask: boolean): AnyRoute {
  return defineRoute({
    method: "GET",
    url,
    summary: withTask
      ? "A metric of a task of a flow, aggregated per time bucket"
      : "A metric of a flow, aggregated per time bucket",
    description:
      "One value per bucket of the period (0 for an empty one); the bucket follows the length of the period as for /stats (UTC).",
    tags: TAGS,
    params: FlowParams.extend({ ...(withTask ? { taskId: z.string() } : {}), metric: z.string() }),
    query: AggregateQuery,
    response: { 200: AggregatesSchema, ...errors(400) },
    async handler({ params, query, ctx }) {
      const p = params as { namespace: string; flowId: string; taskId?: string; metric: string };
      const end = query.endDate ? instant(query.endDate) : Date.now();
      const start = query.startDate ? instant(query.startDate) : end - 30 * DAY_MS;
      if (start > end) throw badRequest("Start date must be before End Date", "query.startDate");
      if (end - start > 100 * 366 * DAY_MS)
        throw badRequest("The period between startDate and endDate is longer than 100 years", "query.startDate");
      return await ctx.api.metrics.aggregate({
        namespace: p.namespace,
        flowId: p.flowId,
        ...(p.taskId !== undefined ? { taskId: p.taskId } : {}),
        name: p.metric,
        startDate: new Date(start).toISOString(),
        endDate: new Date(end).toISOString(),
        aggregation: query.aggregation,
      });
    },
  });
}

export const metricRoutes: AnyRoute[] = [
  tasks,
  taskNames,
  flowNames,
  aggregateRoute("/metrics/aggregates/:namespace/:flowId/:metric", false),
  aggregateRoute("/metrics/aggregates/:namespace/:flowId/:taskId/:metric", true),
  byExecution,
];
