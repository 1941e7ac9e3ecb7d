import { SakerError, z } from "@saker/sdk";
import { defineExecutorTask } from "../../plugins/engineTypes.ts";
import { mergeLabels, parseLabels } from "../../model/labels.ts";

export const Labels = defineExecutorTask({
  type: "io.kestra.plugin.core.execution.Labels",
  title: "Add labels to the execution",
  description:
    "Merges labels into the running execution; an existing key gets the new value. `system.*` keys are reserved.",
  properties: z.object({
    labels: z
      .union([
        z.record(z.string(), z.unknown()),
        z.array(z.object({ key: z.string(), value: z.unknown() })),
        z.string(),
      ])
      .describe("The labels."),
  }),
  async execute(ctx) {
    const labels = parseLabels(await ctx.renderValue(ctx.task.labels));
    const reserved = labels.filter((l) => l.key.startsWith("system."));
    if (reserved.length)
      throw new SakerError("PROPERTY_INVALID", `system labels can't be set: ${reserved.map((l) => l.key).join(", ")}`);
    return { state: "SUCCESS", labels: mergeLabels(ctx.execution.labels, labels) };
  },
});
