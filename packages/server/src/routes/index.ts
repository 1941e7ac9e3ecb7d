/**
 * The route table, mounted twice: on `/api/v1` and on `/api/v1/{tenant}` (`/api/v1/main`).
 */
import type { AnyRoute } from "../http/route.ts";
import { clusterRoutes } from "./cluster.ts";
import { configRoutes } from "./configs.ts";
import { executionActionRoutes } from "./executionActions.ts";
import { executionEvalRoutes } from "./executionEval.ts";
import { executionFileRoutes } from "./executionFiles.ts";
import { executionFollowRoutes } from "./executionFollow.ts";
import { executionRoutes } from "./executions.ts";
import { executionBulkRoutes } from "./executionsBulk.ts";
import { dependencyRoutes } from "./dependencies.ts";
import { flowRoutes } from "./flows.ts";
import { graphRoutes } from "./graphs.ts";
import { flowBulkRoutes } from "./flowsBulk.ts";
import { kvRoutes } from "./kv.ts";
import { logRoutes } from "./logs.ts";
import { metricRoutes } from "./metrics.ts";
import { namespaceFileRoutes } from "./namespaceFiles.ts";
import { namespaceRoutes } from "./namespaces.ts";
import { notServedRoutes } from "./notServed.ts";
import { pluginRoutes } from "./plugins.ts";
import { statsRoutes } from "./stats.ts";
import { triggerRoutes } from "./triggers.ts";
import { webhookRoutes } from "./webhooks.ts";

export const API_ROUTES: readonly AnyRoute[] = [
  ...flowRoutes,
  ...flowBulkRoutes,
  ...graphRoutes,
  ...dependencyRoutes,
  ...executionRoutes,
  ...executionActionRoutes,
  ...executionEvalRoutes,
  ...executionBulkRoutes,
  ...executionFileRoutes,
  ...executionFollowRoutes,
  ...logRoutes,
  ...metricRoutes,
  ...statsRoutes,
  ...namespaceRoutes,
  ...namespaceFileRoutes,
  ...kvRoutes,
  ...pluginRoutes,
  ...webhookRoutes,
  ...triggerRoutes,
  ...configRoutes,
  ...clusterRoutes,
  // Kestra's other literal paths answer 501 rather than reach a generic route (see notServed.ts).
  ...notServedRoutes,
];
