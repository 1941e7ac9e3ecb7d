/**
 * Kestra's bulk actions on executions: `by-ids` (a JSON array of execution ids) and `by-query`
 * (the search filters of `GET /executions/search`). They answer `{"count": N}`.
 *
 * `by-ids` acts on all or none: when an id is unknown or its execution cannot take the action,
 * the answer is 400 `BULK_INVALID` listing every such id, and nothing is done. `by-query` acts
 * on the matching executions that can take the action and skips the others.
 */
import { isTerminated, z } from "@saker/sdk";
import type { EngineApi, Instance, StoredExecution } from "@saker/engine";
import { ApiError } from "../http/errors.ts";
import { refuseUnknownParams } from "../http/filters.ts";
import { defineRoute, type AnyRoute } from "../http/route.ts";
import { BulkResponseSchema as BulkResponse, errors, LabelSchema } from "../openapi/schemas.ts";
import { onResumeDefinitions } from "./executionActions.ts";
import { DeleteQuery, executionFilters, foreignSystemLabel, SearchQuery, setLabels } from "./executions.ts";

const TAGS = ["Executions"];
type Label = z.output<typeof LabelSchema>;

interface BulkAction<Q extends z.ZodType> {
  /** The path segment before `/by-ids` (empty for delete). */
  name: string;
  method: "POST" | "DELETE";
  summary: string;
  /** Parameters of the action (besides the search filters of `by-query`). */
  query: Q;
  /** Why this execution cannot take the action; undefined when it can. */
  refuse(stored: StoredExecution, instance: Instance): string | undefined;
  apply(api: EngineApi, stored: StoredExecution, query: z.output<Q>): Promise<unknown>;
}

async function refusalOf(
  api: EngineApi,
  id: string,
  refuse: (stored: StoredExecution, instance: Instance) => string | undefined,
): Promise<{ stored?: StoredExecution; reason?: string }> {
  const stored = await api.executions.stored(id);
  if (!stored || stored.execution.deleted) return { reason: "execution not found" };
  const reason = refuse(stored, api.instance);
  return reason ? { reason } : { stored };
}

/** Checks every id first; acts only when all of them can take the action. */
async function byIds(
  api: EngineApi,
  ids: readonly string[],
  action: Pick<BulkAction<z.ZodType>, "name" | "refuse">,
  apply: (stored: StoredExecution) => Promise<unknown> | unknown,
) {
  const checked: { id: string; stored?: StoredExecution; reason?: string }[] = [];
  for (const id of new Set(ids)) checked.push({ id, ...(await refusalOf(api, id, action.refuse)) });
  const invalids = checked.filter((c) => c.reason).map((c) => ({ executionId: c.id, message: c.reason! }));
  if (invalids.length > 0) {
    const named = invalids
      .slice(0, 5)
      .map((i) => `'${i.executionId}' (${i.message})`)
      .join(", ");
    throw new ApiError(
      400,
      "BULK_INVALID",
      `Invalid bulk ${action.name || "delete"}: nothing was done; ${invalids.length} execution(s) cannot take it: ${named}${invalids.length > 5 ? ", …" : ""}`,
      { path: "body", details: { invalids } },
    );
  }
  for (const c of checked) await apply(c.stored!);
  return { count: checked.length };
}

/** Acts on the matching executions that can take the action. */
async function byQuery(
  api: EngineApi,
  query: z.output<typeof SearchQuery>,
  refuse: BulkAction<z.ZodType>["refuse"],
  apply: (stored: StoredExecution) => Promise<unknown> | unknown,
) {
  const found = await api.executions.searchIds({
    filters: executionFilters(query),
    sort: query.sort?.length ? query.sort : ["state.startDate:desc"],
  });
  let count = 0;
  for (const id of found) {
    const { stored } = await refusalOf(api, id, refuse);
    if (!stored) continue;
    await apply(stored);
    count++;
  }
  return { count };
}

function bulkRoutes<Q extends z.ZodObject>(action: BulkAction<Q>): AnyRoute[] {
  const base = action.name ? `/executions/${action.name}` : "/executions";
  return [
    defineRoute({
      method: action.method,
      url: `${base}/by-ids`,
      summary: `${action.summary}, by ids`,
      description:
        "All or none: an unknown id, or an execution that cannot take the action, answers 400 BULK_INVALID listing them, and nothing is done.",
      tags: TAGS,
      query: action.query,
      body: z.array(z.string()).describe("Execution ids"),
      response: { 200: BulkResponse, ...errors(400) },
      async handler({ query, body, ctx }) {
        const api = ctx.api;
        return byIds(api, body, action as unknown as BulkAction<z.ZodType>, (stored) =>
          action.apply(api, stored, query as z.output<Q>),
        );
      },
    }),
    defineRoute({
      method: action.method,
      url: `${base}/by-query`,
      summary: `${action.summary}, for the executions matching the search filters`,
      description: "Takes the filters of GET /executions/search; executions that cannot take the action are skipped.",
      tags: TAGS,
      query: SearchQuery.extend(action.query.shape),
      response: { 200: BulkResponse, ...errors(400) },
      async handler({ query, ctx }) {
        const api = ctx.api;
        refuseUnknownParams(query as Record<string, unknown>, [
          ...Object.keys(SearchQuery.shape),
          ...Object.keys(action.query.shape),
        ]);
        return byQuery(api, query as z.output<typeof SearchQuery>, action.refuse, (stored) =>
          action.apply(api, stored, query as z.output<Q>),
        );
      },
    }),
  ];
}

const NoQuery = z.looseObject({});

const actions = [
  ...bulkRoutes({
    name: "",
    method: "DELETE",
    summary: "Delete finished executions, with their logs and files by default",
    query: DeleteQuery,
    refuse: (s) => (s.finished ? undefined : `execution is ${s.execution.state.current}, not finished`),
    apply: (api, s, query) => api.executions.delete(s.execution, query),
  }),
  ...bulkRoutes({
    name: "kill",
    method: "DELETE",
    summary: "Kill executions",
    query: NoQuery,
    refuse: (s) => (s.finished || isTerminated(s.execution.state.current) ? "execution already finished" : undefined),
    apply: (api, s) => api.executions.kill(s.execution.id),
  }),
  ...bulkRoutes({
    name: "restart",
    method: "POST",
    summary: "Restart failed executions from their failed task runs",
    query: NoQuery,
    refuse: (s) =>
      s.execution.state.current === "FAILED" ? undefined : `execution is ${s.execution.state.current}, not FAILED`,
    apply: (api, s) => api.executions.restart(s.execution.id),
  }),
  ...bulkRoutes({
    name: "resume",
    method: "POST",
    summary: "Resume paused executions (those whose Pause task asks for no onResume inputs)",
    query: NoQuery,
    refuse: (s, instance) =>
      s.execution.state.current !== "PAUSED"
        ? `execution is ${s.execution.state.current}, not PAUSED`
        : onResumeDefinitions(instance, s.execution).length > 0
          ? "execution waits for onResume inputs: resume it alone"
          : undefined,
    apply: (api, s) => api.executions.resume(s.execution.id),
  }),
  ...bulkRoutes({
    name: "replay",
    method: "POST",
    summary: "Replay executions as new ones, from scratch",
    query: z.looseObject({
      latestRevision: z
        .enum(["true", "false"])
        .default("false")
        .transform((v) => v === "true")
        .describe("Replay with the flow's latest revision instead of the execution's"),
    }),
    refuse: () => undefined,
    async apply(api, s, query) {
      const { namespace, flowId } = s.execution;
      const latest = query.latestRevision ? (await api.flows.stored(namespace, flowId))?.revision : undefined;
      return api.executions.replay(s.execution.id, undefined, latest);
    },
  }),
];

/** `labels/by-ids` takes `{executionsId, executionLabels}`; `labels/by-query` takes the labels as its body. */
const labelsByIds = defineRoute({
  method: "POST",
  url: "/executions/labels/by-ids",
  summary: "Add or replace labels of terminated executions, by ids",
  description: "All or none, as the other by-ids actions.",
  tags: TAGS,
  body: z.object({ executionsId: z.array(z.string()), executionLabels: z.array(LabelSchema) }),
  response: { 200: BulkResponse, ...errors(400) },
  async handler({ body, ctx }) {
    const instance = ctx.instance;
    return byIds(ctx.api, body.executionsId, { name: "labels", refuse: refuseLabels(body.executionLabels) }, (s) =>
      setLabels(instance, s.execution.id, body.executionLabels),
    );
  },
});

const labelsByQuery = defineRoute({
  method: "POST",
  url: "/executions/labels/by-query",
  summary: "Add or replace labels of the terminated executions matching the search filters",
  tags: TAGS,
  query: SearchQuery,
  body: z.array(LabelSchema),
  response: { 200: BulkResponse, ...errors(400) },
  async handler({ query, body, ctx }) {
    const instance = ctx.instance;
    refuseUnknownParams(query, Object.keys(SearchQuery.shape));
    return byQuery(ctx.api, query, refuseLabels(body), (s) => setLabels(instance, s.execution.id, body as Label[]));
  },
});

/** Why an execution cannot take these labels: not terminated, or a system label it does not carry (checked before any is changed). */
function refuseLabels(labels: readonly Label[]): (s: StoredExecution) => string | undefined {
  return (s) => {
    if (!isTerminated(s.execution.state.current)) return `execution is ${s.execution.state.current}, not terminated`;
    const offending = foreignSystemLabel(s.execution, labels);
    return offending ? `system label ${offending.key} can only be set by Saker itself` : undefined;
  };
}

export const executionBulkRoutes: AnyRoute[] = [...actions, labelsByIds, labelsByQuery];
