import { SakerError, z } from "@saker/sdk";
import type { Label } from "../../model/execution.ts";
import { defineExecutorTask } from "../../plugins/engineTypes.ts";
import { isDataLimitError, parseJsonData } from "../../model/dataLimits.ts";

/** Reads labels given as a map, a list of `{key, value}`, or a JSON text of either. */
export function parseLabels(raw: unknown): Label[] {
  let value = raw;
  if (typeof value === "string") {
    try {
      value = parseJsonData(value, "labels");
    } catch (error) {
      if (isDataLimitError(error)) throw error;
      throw new SakerError(
        "PROPERTY_INVALID",
        `labels must be a map, a list of {key, value} or their JSON, got '${raw}'`,
      );
    }
  }
  if (Array.isArray(value)) {
    return value.map((item) => {
      const { key, value: v } = (item ?? {}) as Record<string, unknown>;
      if (typeof key !== "string") throw new SakerError("PROPERTY_INVALID", "each label needs a 'key'");
      return { key, value: v === undefined || v === null ? "" : String(v) };
    });
  }
  if (value && typeof value === "object")
    return Object.entries(value).map(([key, v]) => ({ key, value: v === null || v === undefined ? "" : String(v) }));
  throw new SakerError("PROPERTY_INVALID", "labels must be a map or a list of {key, value}");
}

/** Labels merged into `current`: a new value replaces the old one for the same key. */
export function mergeLabels(current: readonly Label[], added: readonly Label[]): Label[] {
  const keys = new Set(added.map((l) => l.key));
  return [...current.filter((l) => !keys.has(l.key)), ...added];
}

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
