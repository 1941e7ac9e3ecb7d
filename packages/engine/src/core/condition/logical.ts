/** Combinations of conditions: `Not` (none holds) and `Or` (one holds). */
import { conditions, defineCondition, z } from "@saker/sdk";

const nested = z.object({
  conditions: conditions().min(1).describe("The conditions to combine."),
});

export const Not = defineCondition({
  type: "io.kestra.plugin.core.condition.Not",
  aliases: ["io.kestra.core.models.conditions.types.NotCondition", "io.kestra.plugin.core.condition.NotCondition"],
  title: "Match when none of the conditions holds",
  description: "True when every one of `conditions` is false.",
  examples: [
    {
      title: "Not on weekends",
      code: "type: io.kestra.plugin.core.condition.Not\nconditions:\n  - type: io.kestra.plugin.core.condition.Weekend",
    },
  ],
  properties: nested,
  async test(props, ctx) {
    return (await ctx.test(props.conditions)).every((result) => !result);
  },
});

export const Or = defineCondition({
  type: "io.kestra.plugin.core.condition.Or",
  aliases: ["io.kestra.core.models.conditions.types.OrCondition", "io.kestra.plugin.core.condition.OrCondition"],
  title: "Match when one of the conditions holds",
  description: "True when at least one of `conditions` is true.",
  properties: nested,
  async test(props, ctx) {
    return (await ctx.test(props.conditions)).some(Boolean);
  },
});
