/** Conditions on what the execution belongs to: `ExecutionFlow`, `ExecutionNamespace`, `ExecutionLabels`. */
import { defineCondition, z } from "@saker/sdk";
import { hasLabels, toLabels, viewExecution } from "../../model/executionView.ts";

export const ExecutionFlow = defineCondition({
  type: "io.kestra.plugin.core.condition.ExecutionFlow",
  aliases: [
    "io.kestra.core.models.conditions.types.ExecutionFlowCondition",
    "io.kestra.plugin.core.condition.ExecutionFlowCondition",
  ],
  title: "Match the flow of the execution",
  description: "True when the execution belongs to the flow `namespace`/`flowId`.",
  examples: [
    {
      title: "Executions of one flow",
      code: "type: io.kestra.plugin.core.condition.ExecutionFlow\nnamespace: company.team\nflowId: upstream",
    },
  ],
  properties: z.object({
    namespace: z.string().describe("The namespace of the flow."),
    flowId: z.string().describe("The flow id."),
  }),
  test({ namespace, flowId }, ctx) {
    const execution = viewExecution(ctx.execution);
    return execution.namespace === namespace && execution.flowId === flowId;
  },
});

export const NAMESPACE_COMPARISONS = ["EQUALS", "PREFIX", "SUFFIX"] as const;

export const ExecutionNamespace = defineCondition({
  type: "io.kestra.plugin.core.condition.ExecutionNamespace",
  aliases: [
    "io.kestra.core.models.conditions.types.ExecutionNamespaceCondition",
    "io.kestra.plugin.core.condition.ExecutionNamespaceCondition",
  ],
  title: "Match the namespace of the execution",
  description:
    "Compares the execution's namespace with `namespace`: equal (default), a prefix (`prefix: true` or `comparison: PREFIX`) or a suffix.",
  properties: z.object({
    namespace: z.string().describe("The namespace (or its start, or its end) to match."),
    comparison: z.enum(NAMESPACE_COMPARISONS).optional().describe("How to compare; takes precedence over `prefix`."),
    prefix: z
      .boolean()
      .default(false)
      .describe("Match namespaces starting with `namespace` (when `comparison` is not set)."),
  }),
  test({ namespace, comparison, prefix }, ctx) {
    const actual = viewExecution(ctx.execution).namespace;
    switch (comparison ?? (prefix ? "PREFIX" : "EQUALS")) {
      case "EQUALS":
        return actual === namespace;
      case "PREFIX":
        return actual.startsWith(namespace);
      case "SUFFIX":
        return actual.endsWith(namespace);
    }
  },
});

export const ExecutionLabels = defineCondition({
  type: "io.kestra.plugin.core.condition.ExecutionLabels",
  aliases: [
    "io.kestra.core.models.conditions.types.ExecutionLabelsCondition",
    "io.kestra.plugin.core.condition.ExecutionLabelsCondition",
  ],
  title: "Match the labels of the execution",
  description: "True when the execution carries every one of `labels` (same key and value).",
  properties: z.object({
    labels: z
      .union([z.record(z.string(), z.unknown()), z.array(z.object({ key: z.string(), value: z.unknown() }))])
      .describe("The labels to look for, as a map or a list of `{key, value}`."),
  }),
  test({ labels }, ctx) {
    return hasLabels(viewExecution(ctx.execution), toLabels(labels));
  },
});
