/**
 * `/stats/*`: what the dashboards of Kestra's UI read (Kestra's `StatsController`). Counts and
 * durations per time bucket are computed in SQL (`StatsStore`); the bucket size follows the
 * length of the period as Kestra's, in UTC. Without dates a period is the last 30 days.
 */
import { LOG_LEVELS, parseDuration, isDuration, z } from "@saker/sdk";
import { badRequest } from "../http/errors.ts";
import { defineRoute, type AnyRoute } from "../http/route.ts";
import { errors, ExecutionSchema } from "../openapi/schemas.ts";

const TAGS = ["Stats"];
const DEFAULT_DAYS = 30;
/** A longer period would be thousands of monthly buckets per flow. */
const MAX_PERIOD_MS = 100 * 366 * 24 * 3_600_000;
/** The namespace of Kestra's system flows (`scope: SYSTEM`), as `GET /configs` announces it. */
const SYSTEM_NAMESPACE = "system";

/** Kestra's `yyyy-MM-dd'T'HH:mm[:ss][.SSS][XXX]`; without an offset the instant is UTC. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/;
const dateTime = z
  .string()
  .refine(
    (v) => DATE_TIME.test(v) && !Number.isNaN(Date.parse(/[Zz]|[+-]\d{2}:?\d{2}$/.test(v.slice(16)) ? v : `${v}Z`)),
    {
      message: "expected a date-time such as 2024-05-01T10:00:00Z (yyyy-MM-ddTHH:mm[:ss][.SSS][offset])",
    },
  )
  .transform((v) => new Date(/[Zz]|[+-]\d{2}:?\d{2}$/.test(v.slice(16)) ? v : `${v}Z`).toISOString());

/** A value, a comma-separated list or a JSON list (the UI sends a query string's values as they are). */
const oneOrMany = <T extends z.ZodType>(item: T) =>
  z.preprocess(
    (v) =>
      typeof v === "string"
        ? v
            .split(",")
            .map((s) => s.trim())
            .filter((s) => s !== "")
        : v,
    z.array(item),
  );

const Period = {
  startDate: dateTime.nullish().describe("The start of the period (default: 30 days before its end)"),
  endDate: dateTime.nullish().describe("The end of the period (default: now)"),
  timeRange: z
    .string()
    .nullish()
    .describe("Saker: an ISO-8601 duration, the period before endDate when startDate is not given"),
};

const FlowFilter = z.object({ namespace: z.string().min(1), id: z.string().min(1) });

/** The period of a request: Kestra's defaults, a start before the end, not a century long. */
function period(body: { startDate?: string | null; endDate?: string | null; timeRange?: string | null }): {
  startDate: string;
  endDate: string;
} {
  const end = body.endDate ? Date.parse(body.endDate) : Date.now();
  let start: number;
  if (body.startDate) start = Date.parse(body.startDate);
  else if (body.timeRange) {
    if (!isDuration(body.timeRange))
      throw badRequest(
        `Invalid timeRange '${body.timeRange}': expected an ISO-8601 duration such as PT24H`,
        "body.timeRange",
      );
    start = end - parseDuration(body.timeRange);
  } else start = end - DEFAULT_DAYS * 24 * 3_600_000;
  if (start > end) throw badRequest("Start date must be before End Date", "body.startDate");
  if (end - start > MAX_PERIOD_MS)
    throw badRequest("The period between startDate and endDate is longer than 100 years", "body.startDate");
  return { startDate: new Date(start).toISOString(), endDate: new Date(end).toISOString() };
}

const definedOnly = <T extends Record<string, unknown>>(o: T) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null)) as {
    [K in keyof T]?: NonNullable<T[K]>;
  };

const DurationSchema = z.object({
  min: z.string().optional(),
  avg: z.string().optional(),
  max: z.string().optional(),
  sum: z.string().optional(),
  count: z.number().int(),
});
const DailyExecutionSchema = z.object({
  startDate: z.string(),
  duration: DurationSchema.describe("ISO-8601 durations (PT1.5S)"),
  executionCounts: z.record(z.string(), z.number().int()),
  groupBy: z.enum(["month", "week", "day", "hour", "minute"]),
});
const CountsSchema = z.object({ counts: z.record(z.string(), z.number().int()), total: z.number().int() });
const DailyLogSchema = z.object({
  timestamp: z.string(),
  counts: z.record(z.enum(LOG_LEVELS), z.number().int()),
  groupBy: z.string(),
});

const summary = defineRoute({
  method: "POST",
  url: "/stats/summary",
  summary: "How many flows and triggers (of one namespace when given)",
  tags: TAGS,
  bodyOptional: true,
  body: z.looseObject({ namespace: z.string().nullish(), ...Period }).default({}),
  response: { 200: z.object({ flows: z.number().int(), triggers: z.number().int() }), ...errors(400) },
  async handler({ body, ctx }) {
    return await ctx.api.stats.summary(body.namespace ?? undefined);
  },
});

const StatisticRequest = z.looseObject({
  q: z.string().nullish().describe("Text in the execution id, namespace or flow id"),
  scope: oneOrMany(z.enum(["USER", "SYSTEM"]))
    .nullish()
    .describe("USER: outside the system namespace; SYSTEM: in it"),
  namespace: z.string().nullish().describe("A namespace and those below it (exactly this namespace with flowId)"),
  flowId: z.string().nullish(),
  state: oneOrMany(z.string()).nullish().describe("Execution states"),
  ...Period,
});

const dailyExecutions = defineRoute({
  method: "POST",
  url: "/stats/executions/daily",
  summary: "Executions per time bucket: counts per state and durations",
  description:
    "One entry per bucket of the period (empty ones included). The bucket is a month over 365 days, a week over 180, a day over 1, an hour over 6 hours, else a minute (UTC). Durations are ISO-8601 (PT1.5S).",
  tags: TAGS,
  bodyOptional: true,
  body: StatisticRequest.default({}),
  response: { 200: z.array(DailyExecutionSchema), ...errors(400) },
  async handler({ body, ctx }) {
    const scope =
      body.scope && body.scope.length === 1 ? { systemNamespace: SYSTEM_NAMESPACE, only: body.scope[0]! } : undefined;
    return await ctx.api.stats.dailyExecutions({
      ...period(body),
      ...definedOnly({ namespace: body.namespace, flowId: body.flowId, q: body.q, states: body.state }),
      ...(scope ? { scope } : {}),
    });
  },
});

const ByFlowRequest = z.looseObject({
  q: z.string().nullish(),
  namespace: z.string().nullish(),
  flowId: z.string().nullish(),
  flows: z.array(FlowFilter).nullish().describe("Only these flows"),
  namespaceOnly: z.boolean().nullish().describe("Group by namespace only (under the flow key `*`)"),
  ...Period,
});

const dailyByFlow = defineRoute({
  method: "POST",
  url: "/stats/executions/daily/group-by-flow",
  summary: "Executions per time bucket, by namespace and flow",
  description: "`{namespace: {flowId: [daily statistics]}}` for the flows with executions in the period.",
  tags: TAGS,
  bodyOptional: true,
  body: ByFlowRequest.default({}),
  response: { 200: z.record(z.string(), z.record(z.string(), z.array(DailyExecutionSchema))), ...errors(400) },
  async handler({ body, ctx }) {
    return await ctx.api.stats.dailyExecutionsByFlow(
      {
        ...period(body),
        ...definedOnly({ namespace: body.namespace, flowId: body.flowId, q: body.q, flows: body.flows }),
      },
      body.namespaceOnly === true,
    );
  },
});

const byNamespace = defineRoute({
  method: "POST",
  url: "/stats/executions/daily/group-by-namespace",
  summary: "Executions of the period counted per namespace and state",
  tags: TAGS,
  bodyOptional: true,
  body: z.looseObject({ namespace: z.string().nullish().describe("Exactly this namespace"), ...Period }).default({}),
  response: { 200: z.record(z.string(), CountsSchema), ...errors(400) },
  async handler({ body, ctx }) {
    return await ctx.api.stats.countsByNamespace({
      ...period(body),
      ...definedOnly({ namespace: body.namespace }),
    });
  },
});

const latestByFlow = defineRoute({
  method: "POST",
  url: "/stats/executions/latest/group-by-flow",
  summary: "The execution of each flow that ended last",
  description: "Items leave out the outputs, as the other lists do. A flow without an ended execution has no item.",
  tags: TAGS,
  bodyOptional: true,
  body: z.looseObject({ flows: z.array(FlowFilter).nullish() }).default({}),
  response: { 200: z.array(ExecutionSchema), ...errors(400) },
  async handler({ body, ctx }) {
    const executions = await ctx.api.stats.latestByFlow(body.flows ?? []);
    return ctx.instance.secretGuard.display(executions);
  },
});

const dailyLogs = defineRoute({
  method: "POST",
  url: "/stats/logs/daily",
  summary: "Log lines per time bucket and level",
  tags: TAGS,
  bodyOptional: true,
  body: z
    .looseObject({
      q: z.string().nullish().describe("Text in the message"),
      namespace: z.string().nullish(),
      flowId: z.string().nullish(),
      logLevel: z.enum(LOG_LEVELS).nullish().describe("This level and those above it"),
      ...Period,
    })
    .default({}),
  response: { 200: z.array(DailyLogSchema), ...errors(400) },
  async handler({ body, ctx }) {
    return await ctx.api.stats.dailyLogs({
      ...period(body),
      ...definedOnly({ namespace: body.namespace, flowId: body.flowId, q: body.q, minLevel: body.logLevel }),
    });
  },
});

export const statsRoutes: AnyRoute[] = [summary, dailyExecutions, dailyByFlow, byNamespace, latestByFlow, dailyLogs];
