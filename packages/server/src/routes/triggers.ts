/**
 * Triggers and backfills on Kestra's paths: search, a flow's triggers, update (enable, disable,
 * start a backfill), unlock and restart, pause/unpause/delete a backfill, and enable or disable,
 * unlock or change backfills in bulk by list or by query.
 */
import { isSakerError, z } from "@saker/sdk";
import type { TriggerFilter, TriggerSort } from "@saker/engine";
import { badRequest } from "../http/errors.ts";
import { parseFilterParams, refuseUnknownParams } from "../http/filters.ts";
import { paginate, pagedSchema, pagingShape } from "../http/paging.ts";
import { defineRoute, type AnyRoute } from "../http/route.ts";
import { BulkResponseSchema, errors, LabelSchema } from "../openapi/schemas.ts";

const TAGS = ["Triggers"];

const TriggerSchema = z.looseObject({
  namespace: z.string(),
  flowId: z.string(),
  triggerId: z.string(),
  disabled: z.boolean().optional(),
  date: z.string().optional(),
  nextExecutionDate: z.string().optional(),
  backfill: z
    .looseObject({
      start: z.string(),
      end: z.string().optional(),
      currentDate: z.string().optional(),
      paused: z.boolean().optional(),
    })
    .optional(),
});

const TriggerKeyBody = z.looseObject({ namespace: z.string(), flowId: z.string(), triggerId: z.string() });

const TriggerUpdateBody = TriggerKeyBody.extend({
  disabled: z.boolean().optional().describe("Disable (true) or enable (false) the trigger"),
  backfill: z
    .object({
      start: z.string().describe("First date (ISO-8601)"),
      end: z.string().nullish().describe("Last date (default: now)"),
      inputs: z.record(z.string(), z.unknown()).nullish(),
      labels: z.array(LabelSchema).nullish(),
      paused: z.boolean().optional(),
    })
    .nullish()
    .describe("Start a backfill of a Schedule trigger"),
});

const TriggerParams = z.object({ namespace: z.string(), flowId: z.string(), triggerId: z.string() });

/** The parameters a trigger search and a bulk action by query take. */
const TriggerQuery = z.looseObject({
  q: z.string().optional(),
  namespace: z.string().optional().describe("A namespace and those below it"),
  flowId: z.string().optional(),
});

/**
 * The triggers a query selects: `q`, `namespace`, `flowId`, or the same as `filters[…]`
 * (`namespace` EQUALS, PREFIX or STARTS_WITH, `flowId` EQUALS, `q` EQUALS or CONTAINS). Any other
 * parameter or filter is refused: ignored, it would widen an action to every trigger.
 */
function triggerFilter(query: Record<string, unknown>, known: readonly string[]): TriggerFilter {
  refuseUnknownParams(query, [...Object.keys(TriggerQuery.shape), ...known]);
  const filter: TriggerFilter = {};
  if (typeof query.namespace === "string" && query.namespace) filter.namespace = query.namespace;
  if (typeof query.flowId === "string" && query.flowId) filter.flowId = query.flowId;
  if (typeof query.q === "string" && query.q) filter.q = query.q;
  for (const f of parseFilterParams(query)) {
    const value = f.values[0] ?? "";
    const at = `query.filters[${f.field}][${f.op}]`;
    if (f.values.length !== 1) throw badRequest(`Filter ${at} takes one value`, at);
    if (f.field === "namespace" && (f.op === "EQUALS" || f.op === "PREFIX" || f.op === "STARTS_WITH")) {
      filter.namespace = value;
      if (f.op === "EQUALS") filter.namespaceExact = true;
    } else if (f.field === "flowId" && f.op === "EQUALS") filter.flowId = value;
    else if (f.field === "q" && (f.op === "EQUALS" || f.op === "CONTAINS")) filter.q = value;
    else
      throw badRequest(
        `Unknown trigger filter '${f.field}' ${f.op}: expected namespace (EQUALS, PREFIX, STARTS_WITH), flowId (EQUALS) or q (EQUALS, CONTAINS)`,
        at,
      );
  }
  return filter;
}

const SORTABLE = new Set(["namespace", "flowId", "triggerId"]);

/** `field:asc|desc` orders of a trigger search; another field answers 400. */
function triggerSort(sort: readonly string[] | undefined): TriggerSort[] {
  return (sort ?? [])
    .flatMap((s) => s.split(","))
    .filter(Boolean)
    .map((s) => {
      const [field = "", direction = "asc"] = s.split(":");
      if (!SORTABLE.has(field) || !["asc", "desc"].includes(direction.toLowerCase()))
        throw badRequest(
          `Invalid sort '${s}': expected namespace, flowId or triggerId, then :asc or :desc`,
          "query.sort",
        );
      return { field: field as TriggerSort["field"], desc: direction.toLowerCase() === "desc" };
    });
}

const search = defineRoute({
  method: "GET",
  url: "/triggers/search",
  summary: "Search triggers",
  tags: TAGS,
  query: TriggerQuery.extend(pagingShape(10)),
  response: { 200: pagedSchema(z.looseObject({ triggerContext: TriggerSchema, abstractTrigger: z.looseObject({}) })) },
  async handler({ query, ctx }) {
    const filter = triggerFilter(query, Object.keys(pagingShape(10)));
    return await ctx.api.triggers.search(filter, { page: query.page, size: query.size, sort: triggerSort(query.sort) });
  },
});

const ofFlow = defineRoute({
  method: "GET",
  url: "/triggers/:namespace/:flowId",
  summary: "The triggers of a flow",
  tags: TAGS,
  params: z.object({ namespace: z.string(), flowId: z.string() }),
  query: z.looseObject({ ...pagingShape(10) }),
  response: { 200: pagedSchema(TriggerSchema) },
  async handler({ params, query, ctx }) {
    const found = (await ctx.api.triggers.list({ namespace: params.namespace, flowId: params.flowId })).filter(
      (t) => t.triggerContext.namespace === params.namespace,
    );
    return paginate(
      found.map((t) => t.triggerContext),
      query.page,
      query.size,
    );
  },
});

const update = defineRoute({
  method: "PUT",
  url: "/triggers",
  summary: "Update a trigger: enable or disable it, or start a backfill",
  tags: TAGS,
  body: TriggerUpdateBody,
  response: { 200: TriggerSchema, ...errors(400, 404, 409) },
  async handler({ body, ctx }) {
    const key = { namespace: body.namespace, flowId: body.flowId, triggerId: body.triggerId };
    let result = await ctx.api.triggers.get(key);
    if (body.disabled !== undefined) result = await ctx.api.triggers.setDisabled(key, body.disabled);
    if (body.backfill && !result.backfill) {
      result = await ctx.api.triggers.startBackfill(key, {
        start: body.backfill.start,
        ...(body.backfill.end ? { end: body.backfill.end } : {}),
        ...(body.backfill.inputs ? { inputs: body.backfill.inputs } : {}),
        ...(body.backfill.labels ? { labels: body.backfill.labels } : {}),
        ...(body.backfill.paused !== undefined ? { paused: body.backfill.paused } : {}),
      });
    }
    return result;
  },
});

const keyAction = (
  url: string,
  summary: string,
  act: (ctx: Parameters<AnyRoute["handler"]>[0]["ctx"], key: z.output<typeof TriggerParams>) => Promise<unknown>,
): AnyRoute =>
  defineRoute({
    method: "POST",
    url,
    summary,
    tags: TAGS,
    params: TriggerParams,
    response: { 200: TriggerSchema, ...errors(404) },
    async handler({ params, ctx }) {
      return await act(ctx, params);
    },
  });

const backfillAction = (method: "PUT" | "POST", change: "pause" | "unpause" | "delete"): AnyRoute =>
  defineRoute({
    method,
    url: `/triggers/backfill/${change}`,
    summary: `${change[0]!.toUpperCase()}${change.slice(1)} the backfill of a trigger`,
    tags: TAGS,
    body: TriggerKeyBody,
    response: { 200: TriggerSchema, ...errors(404) },
    async handler({ body, ctx }) {
      return await ctx.api.triggers.changeBackfill(
        { namespace: body.namespace, flowId: body.flowId, triggerId: body.triggerId },
        change,
      );
    },
  });

const disableByTriggers = defineRoute({
  method: "POST",
  url: "/triggers/set-disabled/by-triggers",
  summary: "Enable or disable a list of triggers",
  tags: TAGS,
  body: z.object({ triggers: z.array(TriggerKeyBody), disabled: z.boolean() }),
  response: { 200: BulkResponseSchema, ...errors(404) },
  async handler({ body, ctx }) {
    for (const t of body.triggers)
      await ctx.api.triggers.setDisabled(
        { namespace: t.namespace, flowId: t.flowId, triggerId: t.triggerId },
        body.disabled,
      );
    return { count: body.triggers.length };
  },
});

const disableByQuery = defineRoute({
  method: "POST",
  url: "/triggers/set-disabled/by-query",
  summary: "Enable or disable the triggers matching a query",
  tags: TAGS,
  query: TriggerQuery.extend({
    disabled: z
      .enum(["true", "false"])
      .transform((v) => v === "true")
      .describe("Disable (true) or enable (false)"),
  }),
  response: { 200: BulkResponseSchema },
  async handler({ query, ctx }) {
    const keys = await ctx.api.triggers.matching(triggerFilter(query, ["disabled", ...Object.keys(pagingShape(10))]));
    for (const key of keys) await ctx.api.triggers.setDisabled(key, query.disabled);
    return { count: keys.length };
  },
});

type TriggerKey = z.output<typeof TriggerParams>;
type Ctx = Parameters<AnyRoute["handler"]>[0]["ctx"];

/** Acts on each trigger; as in Kestra, a trigger that cannot take the action is skipped, not counted. */
async function countActed(
  keys: readonly TriggerKey[],
  act: (key: TriggerKey) => Promise<unknown>,
): Promise<{ count: number }> {
  let count = 0;
  for (const key of keys) {
    try {
      await act(key);
      count++;
    } catch (error) {
      if (!isSakerError(error)) throw error;
    }
  }
  return { count };
}

/** `{action}/by-triggers` (a JSON array of triggers) and `{action}/by-query` (`q`, `namespace`, `flowId`). */
function bulkTriggerRoutes(
  path: string,
  summary: string,
  act: (ctx: Ctx, key: TriggerKey) => Promise<unknown>,
): AnyRoute[] {
  return [
    defineRoute({
      method: "POST",
      url: `/triggers/${path}/by-triggers`,
      summary: `${summary}: a list of triggers (those that cannot take it are skipped)`,
      tags: TAGS,
      body: z.array(TriggerKeyBody),
      response: { 200: BulkResponseSchema, ...errors(400) },
      async handler({ body, ctx }) {
        return await countActed(
          body.map((t) => ({ namespace: t.namespace, flowId: t.flowId, triggerId: t.triggerId })),
          (key) => act(ctx, key),
        );
      },
    }),
    defineRoute({
      method: "POST",
      url: `/triggers/${path}/by-query`,
      summary: `${summary}: the triggers matching a query (those that cannot take it are skipped)`,
      tags: TAGS,
      query: TriggerQuery,
      response: { 200: BulkResponseSchema },
      async handler({ query, ctx }) {
        // paging parameters (Kestra's clients send them) do not narrow an action
        const listed = await ctx.api.triggers.list(triggerFilter(query, Object.keys(pagingShape(10))));
        const keys = listed.map((l) => ({
          namespace: l.triggerContext.namespace,
          flowId: l.triggerContext.flowId,
          triggerId: l.triggerContext.triggerId,
        }));
        return await countActed(keys, (key) => act(ctx, key));
      },
    }),
  ];
}

export const triggerRoutes: AnyRoute[] = [
  ...bulkTriggerRoutes("unlock", "Unlock triggers", (ctx, key) => ctx.api.triggers.unlock(key)),
  ...bulkTriggerRoutes("backfill/pause", "Pause the backfills of triggers", (ctx, key) =>
    ctx.api.triggers.changeBackfill(key, "pause"),
  ),
  ...bulkTriggerRoutes("backfill/unpause", "Resume the backfills of triggers", (ctx, key) =>
    ctx.api.triggers.changeBackfill(key, "unpause"),
  ),
  ...bulkTriggerRoutes("backfill/delete", "Delete the backfills of triggers", (ctx, key) =>
    ctx.api.triggers.changeBackfill(key, "delete"),
  ),
  search,
  ofFlow,
  update,
  keyAction(
    "/triggers/:namespace/:flowId/:triggerId/unlock",
    "Unlock a trigger (evaluate it again at the next tick)",
    (ctx, key) => ctx.api.triggers.unlock(key),
  ),
  keyAction(
    "/triggers/:namespace/:flowId/:triggerId/restart",
    "Restart a trigger (evaluate it again at the next tick)",
    (ctx, key) => ctx.api.triggers.unlock(key),
  ),
  backfillAction("PUT", "pause"),
  backfillAction("PUT", "unpause"),
  backfillAction("POST", "delete"),
  disableByTriggers,
  disableByQuery,
];
