import { defineTask, LOG_LEVELS, z } from "@saker/sdk";

export const Return = defineTask({
  type: "io.kestra.plugin.core.debug.Return",
  title: "Return a value",
  description: "Renders `format` and returns it as the `value` output; useful to debug expressions.",
  properties: z.object({ format: z.string().optional().describe("The text to render and return.") }),
  outputs: z.object({ value: z.string().optional() }),
  run({ format }, ctx) {
    ctx.logger.debug(format ?? "");
    return { value: format };
  },
});

export const Echo = defineTask({
  type: "io.kestra.plugin.core.debug.Echo",
  title: "Log a rendered text (deprecated: use Log)",
  deprecated: true,
  properties: z.object({
    format: z.string().describe("The text to render and log."),
    level: z.enum(LOG_LEVELS).default("INFO").describe("The log level."),
  }),
  run({ format, level }, ctx) {
    ctx.logger.log(level, format);
    return {};
  },
});
