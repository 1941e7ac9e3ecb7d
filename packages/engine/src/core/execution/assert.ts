/** `execution.Assert`: fails the task when one of its conditions renders falsy. */
import { defineTask, errorMessage, raw, TaskError, z } from "@saker/sdk";
import { isTruthy } from "../../expression/index.ts";

export const Assert = defineTask({
  type: "io.kestra.plugin.core.execution.Assert",
  title: "Assert conditions on the execution's data",
  description:
    "Renders each of `conditions`; one that renders falsy (`''`, `0`, `-0`, `false`) or cannot be rendered is a failed assertion and is logged. The task fails when any assertion failed, with `errorMessage` appended. Counts the `success` and `failed` assertions as metrics.",
  examples: [
    {
      title: "Check an input",
      code: "id: check\ntype: io.kestra.plugin.core.execution.Assert\nconditions:\n  - \"{{ inputs.param == 'ok' }}\"\nerrorMessage: the input is not ok",
    },
  ],
  properties: z.object({
    // Rendered one by one by the task, so that a condition failing to render is a failed assertion.
    conditions: raw(z.array(z.string()).min(1)).describe("The assertions; each must render truthy."),
    errorMessage: z.string().optional().describe("Added to the failure message."),
  }),
  async run({ conditions, errorMessage: extra }, ctx) {
    let failed = 0;
    for (const condition of conditions) {
      try {
        const rendered = await ctx.render(condition);
        if (isTruthy(rendered)) continue;
        ctx.logger.error("Assertion `{}` failed!", condition);
      } catch (error) {
        ctx.logger.error("Assertion `{}` failed, failed to render `{}`", condition, errorMessage(error));
      }
      failed++;
    }
    ctx.metric({ name: "success", type: "counter", value: conditions.length - failed });
    ctx.metric({ name: "failed", type: "counter", value: failed });
    if (failed > 0)
      throw new TaskError(`${failed} assertion${failed > 1 ? "s" : ""} failed!${extra ? `\n${extra}` : ""}`);
    return {};
  },
});
