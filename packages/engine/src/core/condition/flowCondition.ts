/** Deprecated conditions on the flow that owns the trigger: `FlowCondition`, `FlowNamespaceCondition`. */
import { defineCondition, z } from "@saker/sdk";

export const FlowCondition = defineCondition({
  type: "io.kestra.plugin.core.condition.FlowCondition",
  aliases: ["io.kestra.core.models.conditions.types.FlowCondition"],
  title: "Match the flow",
  description: "Deprecated: use `ExecutionFlow`. True when the flow evaluating the condition is `namespace`/`flowId`.",
  deprecated: true,
  properties: z.object({
    namespace: z.string().describe("The namespace of the flow."),
    flowId: z.string().describe("The flow id."),
  }),
  test({ namespace, flowId }, ctx) {
    return ctx.flow.namespace === namespace && ctx.flow.id === flowId;
  },
});

export const FlowNamespaceCondition = defineCondition({
  type: "io.kestra.plugin.core.condition.FlowNamespaceCondition",
  aliases: ["io.kestra.core.models.conditions.types.FlowNamespaceCondition"],
  title: "Match the namespace of the flow",
  description:
    "Deprecated: use `ExecutionNamespace`. True when the flow's namespace equals `namespace`, or starts with it with `prefix: true`.",
  deprecated: true,
  properties: z.object({
    namespace: z.string().describe("The namespace to match."),
    prefix: z.boolean().default(false).describe("Match namespaces starting with `namespace`."),
  }),
  test({ namespace, prefix }, ctx) {
    return prefix ? ctx.flow.namespace.startsWith(namespace) : ctx.flow.namespace === namespace;
  },
});
