import { defineTask, z } from "@saker/sdk";

export const OutputValues = defineTask({
  type: "io.kestra.plugin.core.output.OutputValues",
  title: "Output values",
  description: "Renders a map of values and exposes it as `outputs.<id>.values`.",
  properties: z.object({
    values: z.record(z.string(), z.unknown()).default({}).describe("The values, rendered recursively."),
  }),
  outputs: z.object({ values: z.record(z.string(), z.unknown()) }),
  run: ({ values }) => ({ values }),
});
