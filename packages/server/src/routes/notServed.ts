/**
 * Kestra's literal paths that Saker does not serve, each registered explicitly so that it answers
 * 501 `NOT_IMPLEMENTED` naming the path. Without them a path such as `POST /executions/restart/by-ids`
 * would reach the generic `POST /executions/{namespace}/{id}` and start the flow `by-ids` of the
 * namespace `restart`: fastify prefers a static segment only when a route with that segment exists
 * for the same method. `test/security/routes.test.ts` walks Kestra's route list and checks that
 * every path reaches a route with its own template.
 */
import type { HTTPMethods } from "fastify";
import { ApiError } from "../http/errors.ts";
import { defineRoute, type AnyRoute } from "../http/route.ts";
import { errors } from "../openapi/schemas.ts";

/** Why a group of Kestra paths is not served; the key is shown in docs/rest-api.md. */
const REASONS = {
  enterprise: "a feature Saker leaves out (blueprints, dashboards, templates, metrics, statistics, usage reporting)",
  graph: "Saker has no topology or dependency graph",
  queue: "Saker runs every execution at once: nothing waits in a queue or for concurrency",
  state: "changing a task run's state by hand is not supported",
  zip: "Saker reads and writes no zip archives: export a flow with GET /flows/{namespace}/{id} (Accept: application/x-yaml), import several with POST /flows/bulk",
  notYet: "not implemented yet",
} as const;

type Reason = keyof typeof REASONS;

/** Method, path (relative to `/api/v1`, parameters as `:name`), reason. */
const NOT_SERVED: ReadonlyArray<readonly [HTTPMethods, string, Reason]> = [
  ["GET", "/blueprints/community", "enterprise"],
  ["GET", "/blueprints/community/tags", "enterprise"],
  ["GET", "/blueprints/community/:id", "enterprise"],
  ["GET", "/blueprints/community/:id/flow", "enterprise"],
  ["GET", "/blueprints/community/:id/graph", "enterprise"],
  ["GET", "/dashboards", "enterprise"],
  ["POST", "/dashboards", "enterprise"],
  ["POST", "/dashboards/validate", "enterprise"],
  ["GET", "/dashboards/:id", "enterprise"],
  ["PUT", "/dashboards/:id", "enterprise"],
  ["DELETE", "/dashboards/:id", "enterprise"],
  ["POST", "/dashboards/:id/charts/:chartId", "enterprise"],
  ["GET", "/executions/:executionId/graph", "graph"],
  ["POST", "/executions/:executionId/eval/:taskRunId", "notYet"],
  ["POST", "/executions/:namespace/:id/validate", "notYet"],
  ["POST", "/executions/:executionId/state", "state"],
  ["POST", "/executions/:executionId/change-status", "state"],
  ["POST", "/executions/change-status/by-ids", "state"],
  ["POST", "/executions/change-status/by-query", "state"],
  ["POST", "/executions/:executionId/resume/validate", "notYet"],
  ["POST", "/executions/:executionId/pause", "notYet"],
  ["POST", "/executions/pause/by-ids", "notYet"],
  ["POST", "/executions/pause/by-query", "notYet"],
  ["POST", "/executions/:executionId/unqueue", "queue"],
  ["POST", "/executions/unqueue/by-ids", "queue"],
  ["POST", "/executions/unqueue/by-query", "queue"],
  ["POST", "/executions/:executionId/force-run", "queue"],
  ["POST", "/executions/force-run/by-ids", "queue"],
  ["POST", "/executions/force-run/by-query", "queue"],
  ["GET", "/executions/flows/:namespace/:flowId", "notYet"],
  ["GET", "/flows/:namespace/:id/graph", "graph"],
  ["POST", "/flows/graph", "graph"],
  ["GET", "/flows/:namespace/:id/dependencies", "graph"],
  ["GET", "/flows/:namespace/:id/tasks/:taskId", "notYet"],
  ["PATCH", "/flows/:namespace/:id/:taskId", "notYet"],
  ["GET", "/flows/source", "notYet"],
  ["POST", "/flows/:namespace", "notYet"],
  ["POST", "/flows/validate/task", "notYet"],
  ["POST", "/flows/validate/trigger", "notYet"],
  ["GET", "/flows/export/by-query", "zip"],
  ["POST", "/flows/export/by-ids", "zip"],
  ["POST", "/flows/import", "zip"],
  ["GET", "/metrics/:executionId", "enterprise"],
  ["GET", "/metrics/names/:namespace/:flowId", "enterprise"],
  ["GET", "/metrics/names/:namespace/:flowId/:taskId", "enterprise"],
  ["GET", "/metrics/tasks/:namespace/:flowId", "enterprise"],
  ["GET", "/metrics/aggregates/:namespace/:flowId/:metric", "enterprise"],
  ["GET", "/metrics/aggregates/:namespace/:flowId/:taskId/:metric", "enterprise"],
  ["GET", "/usages/all", "enterprise"],
  ["POST", "/basicAuth", "notYet"],
  ["GET", "/namespaces/:namespace/dependencies", "graph"],
  ["GET", "/namespaces/:namespace/files/search", "notYet"],
  ["GET", "/namespaces/:namespace/files/export", "notYet"],
  ["GET", "/plugins/inputs", "notYet"],
  ["GET", "/plugins/inputs/:type", "notYet"],
  ["GET", "/plugins/icons", "notYet"],
  ["GET", "/plugins/icons/groups", "notYet"],
  ["GET", "/plugins/groups/subgroups", "notYet"],
  ["POST", "/stats/summary", "enterprise"],
  ["POST", "/stats/executions/daily", "enterprise"],
  ["POST", "/stats/taskruns/daily", "enterprise"],
  ["POST", "/stats/executions/daily/group-by-flow", "enterprise"],
  ["POST", "/stats/executions/daily/group-by-namespace", "enterprise"],
  ["POST", "/stats/executions/latest/group-by-flow", "enterprise"],
  ["POST", "/stats/logs/daily", "enterprise"],
  ["GET", "/taskruns/search", "enterprise"],
  ["GET", "/taskruns/maxTaskRunSetting", "enterprise"],
  ["GET", "/templates/search", "enterprise"],
  ["GET", "/templates/distinct-namespaces", "enterprise"],
  ["POST", "/templates", "enterprise"],
  ["POST", "/templates/validate", "enterprise"],
  ["POST", "/templates/import", "enterprise"],
  ["GET", "/templates/export/by-query", "enterprise"],
  ["POST", "/templates/export/by-ids", "enterprise"],
  ["DELETE", "/templates/delete/by-query", "enterprise"],
  ["DELETE", "/templates/delete/by-ids", "enterprise"],
  ["POST", "/templates/:namespace", "enterprise"],
  ["GET", "/templates/:namespace/:id", "enterprise"],
  ["PUT", "/templates/:namespace/:id", "enterprise"],
  ["DELETE", "/templates/:namespace/:id", "enterprise"],
  ["POST", "/triggers/unlock/by-triggers", "notYet"],
  ["POST", "/triggers/unlock/by-query", "notYet"],
  ["POST", "/triggers/backfill/pause/by-triggers", "notYet"],
  ["POST", "/triggers/backfill/pause/by-query", "notYet"],
  ["POST", "/triggers/backfill/unpause/by-triggers", "notYet"],
  ["POST", "/triggers/backfill/unpause/by-query", "notYet"],
  ["POST", "/triggers/backfill/delete/by-triggers", "notYet"],
  ["POST", "/triggers/backfill/delete/by-query", "notYet"],
];

function notServed(method: HTTPMethods, url: string, reason: Reason): AnyRoute {
  const shown = `${method} /api/v1${url.replace(/:([A-Za-z]+)/g, "{$1}")}`;
  return defineRoute({
    method,
    url,
    summary: `Not served by Saker (Kestra's ${shown})`,
    description: `Answers 501: ${REASONS[reason]}.`,
    tags: ["Not served"],
    bodyOptional: true,
    response: errors(501),
    async handler() {
      throw new ApiError(501, "NOT_IMPLEMENTED", `Saker does not serve ${shown}: ${REASONS[reason]}`, { details: { route: shown, reason } });
    },
  });
}

export const notServedRoutes: readonly AnyRoute[] = NOT_SERVED.map(([method, url, reason]) => notServed(method, url, reason));
