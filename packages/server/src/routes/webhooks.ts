/**
 * The webhook trigger endpoint, `GET|POST|PUT /executions/webhook/{namespace}/{flowId}/{key}`: to
 * be written by the engine owner with the Webhook trigger. It needs no credentials (the key
 * protects it): basic auth already lets any route under `/api/v1/[tenant/]executions/webhook/`
 * through, and routes here should also say `public: true`. Answer as Kestra does: the execution
 * JSON (200), 404 for an unknown flow, webhook or key, 409 for a disabled flow (FLOW_DISABLED).
 */
import type { AnyRoute } from "../http/route.ts";

export const webhookRoutes: AnyRoute[] = [];
