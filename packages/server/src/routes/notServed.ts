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
  leftOut:
    "a feature Saker leaves out (blueprints, dashboards, deprecated templates, task-run search, usage reporting)",
  taskRunStats:
    "daily task-run statistics need task-run search, which Saker leaves out (Kestra's open-source server does not serve them either)",
  config: "Saker's users are set in the configuration (server.basicAuth.users), not through the API",
  queue:
    "taking an execution out of the concurrency queue by hand is not implemented yet (it leaves the queue when a slot frees up)",
  pause: "pausing a running execution from outside is not implemented yet (a Pause task pauses it)",
  state: "changing a task run's state by hand is not supported",
  zip: "Saker reads and writes no zip archives: export a flow with GET /flows/{namespace}/{id} (Accept: application/x-yaml), import several with POST /flows/bulk",
  notYet: "not implemented yet",
} as const;

type Reason = keyof typeof REASONS;

/** Method, path (relative to `/api/v1`, parameters as `:name`), reason. */
const NOT_SERVED: ReadonlyArray<readonly [HTTPMethods, string, Reason]> = [
  ["GET", "/blueprints/community", "leftOut"],
  ["GET", "/blueprints/community/tags", "leftOut"],
  ["GET", "/blueprints/community/:id", "leftOut"],
  ["GET", "/blueprints/community/:id/flow", "leftOut"],
  ["GET", "/blueprints/community/:id/graph", "leftOut"],
  ["GET", "/dashboards", "leftOut"],
  ["POST", "/dashboards", "leftOut"],
  ["POST", "/dashboards/validate", "leftOut"],
  ["GET", "/dashboards/:id", "leftOut"],
  ["PUT", "/dashboards/:id", "leftOut"],
  ["DELETE", "/dashboards/:id", "leftOut"],
  ["POST", "/dashboards/:id/charts/:chartId", "leftOut"],
  ["POST", "/executions/:executionId/state", "state"],
  ["POST", "/executions/:executionId/change-status", "state"],
  ["POST", "/executions/change-status/by-ids", "state"],
  ["POST", "/executions/change-status/by-query", "state"],
  ["POST", "/executions/:executionId/pause", "pause"],
  ["POST", "/executions/pause/by-ids", "pause"],
  ["POST", "/executions/pause/by-query", "pause"],
  ["POST", "/executions/:executionId/unqueue", "queue"],
  ["POST", "/executions/unqueue/by-ids", "queue"],
  ["POST", "/executions/unqueue/by-query", "queue"],
  ["POST", "/executions/:executionId/force-run", "queue"],
  ["POST", "/executions/force-run/by-ids", "queue"],
  ["POST", "/executions/force-run/by-query", "queue"],
  ["PATCH", "/flows/:namespace/:id/:taskId", "notYet"],
  ["GET", "/flows/source", "notYet"],
  ["POST", "/flows/validate/task", "notYet"],
  ["POST", "/flows/validate/trigger", "notYet"],
  ["GET", "/flows/export/by-query", "zip"],
  ["POST", "/flows/export/by-ids", "zip"],
  ["POST", "/flows/import", "zip"],
  ["GET", "/usages/all", "leftOut"],
  ["POST", "/basicAuth", "config"],
  ["GET", "/namespaces/:namespace/files/search", "notYet"],
  ["GET", "/namespaces/:namespace/files/export", "notYet"],
  ["POST", "/stats/taskruns/daily", "taskRunStats"],
  ["GET", "/taskruns/search", "leftOut"],
  ["GET", "/taskruns/maxTaskRunSetting", "leftOut"],
  ["GET", "/templates/search", "leftOut"],
  ["GET", "/templates/distinct-namespaces", "leftOut"],
  ["POST", "/templates", "leftOut"],
  ["POST", "/templates/validate", "leftOut"],
  ["POST", "/templates/import", "leftOut"],
  ["GET", "/templates/export/by-query", "leftOut"],
  ["POST", "/templates/export/by-ids", "leftOut"],
  ["DELETE", "/templates/delete/by-query", "leftOut"],
  ["DELETE", "/templates/delete/by-ids", "leftOut"],
  ["POST", "/templates/:namespace", "leftOut"],
  ["GET", "/templates/:namespace/:id", "leftOut"],
  ["PUT", "/templates/:namespace/:id", "leftOut"],
  ["DELETE", "/templates/:namespace/:id", "leftOut"],
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
      throw new ApiError(501, "NOT_IMPLEMENTED", `Saker does not serve ${shown}: ${REASONS[reason]}`, {
        details: { route: shown, reason },
      });
    },
  });
}

export const notServedRoutes: readonly AnyRoute[] = NOT_SERVED.map(([method, url, reason]) =>
  notServed(method, url, reason),
);
