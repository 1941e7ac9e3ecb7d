/** `Webhook`: start an execution from an HTTP call. The REST API drives it (`scheduler/webhookRequest.ts` builds its variables). */
import { defineTrigger, z } from "@saker/sdk";
import { MULTIPLE_CONDITION_TYPE } from "../../scheduler/flowTriggerSchema.ts";
import { withValidation } from "./withValidation.ts";

const definition = defineTrigger({
  type: "io.kestra.plugin.core.trigger.Webhook",
  aliases: ["io.kestra.core.models.triggers.types.Webhook"],
  triggerKind: "engine",
  title: "Start an execution from a webhook URL",
  description:
    "Calls to `/api/v1/executions/webhook/{namespace}/{flowId}/{key}` (GET, POST or PUT) start an execution; it sees the request as `trigger.body` (a JSON object or array when the body parses, else the text), `trigger.headers` and `trigger.parameters` (each name to a list of values). The call gets 404 for an unknown flow or key, 204 when the conditions are not met, else 200 and the execution. The key is the only protection of the URL: keep it secret.",
  examples: [
    {
      title: "A webhook",
      code: "id: webhook\ntype: io.kestra.plugin.core.trigger.Webhook\nkey: 4wjtkzwVGBM9yKnjm3yv8r",
    },
    {
      title: "Only for some bodies",
      code: "id: webhook\ntype: io.kestra.plugin.core.trigger.Webhook\nkey: 4wjtkzwVGBM9yKnjm3yv8r\nconditions:\n  - type: io.kestra.plugin.core.condition.Expression\n    expression: \"{{ trigger.body.hello == 'world' }}\"",
    },
  ],
  properties: z.object({
    key: z.string().max(256).describe("The secret part of the webhook URL (rendered, trimmed)."),
    wait: z.boolean().default(false).describe("Answer the call only when the execution has ended."),
    returnOutputs: z.boolean().default(false).describe("With `wait`, answer with the flow's outputs."),
    responseContentType: z
      .string()
      .optional()
      .describe("With `wait` and `returnOutputs`, the content type of the answer."),
  }),
  outputs: z.object({
    body: z.unknown().describe("The request body: parsed JSON object or array, else the text."),
    headers: z.record(z.string(), z.array(z.string())).describe("The request headers."),
    parameters: z.record(z.string(), z.array(z.string())).describe("The query parameters."),
  }),
});

export const Webhook = withValidation(definition, (node) => {
  const conditions = Array.isArray(node.conditions) ? (node.conditions as Record<string, unknown>[]) : [];
  return conditions.flatMap((c, i) =>
    c.type === MULTIPLE_CONDITION_TYPE || c.type === "io.kestra.core.models.conditions.types.MultipleCondition"
      ? [`conditions[${i}]: a Webhook trigger cannot have a MultipleCondition`]
      : [],
  );
});
