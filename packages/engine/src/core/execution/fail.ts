import { defineTask, NonRetryableError, TaskError, z } from "@saker/sdk";
import { isTruthy } from "../../expression/index.ts";

export const Fail = defineTask({
  type: "io.kestra.plugin.core.execution.Fail",
  title: "Fail the execution",
  description: "Fails, always or when `condition` is true, with `errorMessage`.",
  properties: z.object({
    condition: z.union([z.string(), z.boolean()]).optional().describe("Fail only when this renders truthy."),
    errorMessage: z.string().default("Task failure").describe("The failure message."),
  }),
  run({ condition, errorMessage }) {
    if (condition !== undefined && !isTruthy(String(condition))) return {};
    throw new TaskError(errorMessage);
  },
});

export { NonRetryableError };
