import { defineTask, LOG_LEVELS, z } from "@saker/sdk";

const LINES_PER_TURN = 500;

export const Log = defineTask({
  type: "io.kestra.plugin.core.log.Log",
  title: "Log a message",
  description: "Writes one message (or each message of a list) to the execution's logs.",
  examples: [
    {
      title: "Log a greeting",
      code: "id: hello\ntype: io.kestra.plugin.core.log.Log\nmessage: Hello {{ inputs.name }}",
    },
  ],
  properties: z.object({
    message: z.union([z.string(), z.array(z.string())]).describe("The message, or a list of messages."),
    level: z.enum(LOG_LEVELS).default("INFO").describe("The log level."),
  }),
  async run({ message, level }, ctx) {
    const lines = [message].flat();
    for (const [i, line] of lines.entries()) {
      // A long list lets the server answer others between chunks.
      if (i > 0 && i % LINES_PER_TURN === 0) await new Promise((resolve) => setImmediate(resolve));
      ctx.logger.log(level, line);
    }
    return {};
  },
});
