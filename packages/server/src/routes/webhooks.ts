/**
 * The webhook trigger endpoint, `GET|POST|PUT /executions/webhook/{namespace}/{flowId}/{key}`. It
 * needs no credentials (the key protects it). Answers as Kestra does: 200 and the execution (or,
 * with `wait` and `returnOutputs`, the flow's outputs), 204 when the trigger's conditions are not
 * met, 404 for an unknown flow or key, 409 for a disabled flow.
 */
import { z } from "@saker/sdk";
import { defineRoute, type AnyRoute } from "../http/route.ts";
import { rawBodyOf } from "../http/rawBody.ts";
import { errors, ExecutionSchema } from "../openapi/schemas.ts";

const WebhookParams = z.object({
  namespace: z.string().describe("The flow's namespace"),
  id: z.string().describe("The flow id"),
  key: z.string().describe("The webhook key"),
});

/** How long a `wait: true` webhook call may hold the connection. */
const WAIT_LIMIT_MS = 5 * 60_000;

const webhook = (method: "GET" | "POST" | "PUT"): AnyRoute =>
  defineRoute({
    method,
    url: "/executions/webhook/:namespace/:id/:key",
    summary: `Start an execution from a webhook (${method})`,
    description:
      "The body (any content type), headers and query parameters become `trigger.body`, `trigger.headers` and `trigger.parameters`.",
    tags: ["Executions"],
    public: true,
    params: WebhookParams,
    bodyOptional: true,
    response: { 200: ExecutionSchema, 204: null, ...errors(404, 409) },
    async handler({ params, request, reply, ctx }) {
      const outcome = await ctx.api.webhooks.handle(params.namespace, params.id, params.key, {
        body: rawBodyOf(request),
        headers: request.headers,
        query: request.query as Record<string, string | string[]>,
      });
      if (!outcome.started) {
        reply.code(204);
        return undefined;
      }
      if (!outcome.wait) return outcome.execution;
      const ended = await ctx.api.executions.waitForEnd(outcome.execution.id, WAIT_LIMIT_MS);
      if (!outcome.returnOutputs) return ended;
      if (outcome.responseContentType) reply.type(outcome.responseContentType);
      return ended.outputs ?? {};
    },
  });

export const webhookRoutes: AnyRoute[] = [webhook("GET"), webhook("POST"), webhook("PUT")];
