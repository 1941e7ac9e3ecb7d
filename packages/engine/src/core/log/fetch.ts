/** `log.Fetch` (an execution's logs as an ION file) and `log.PurgeLogs`. */
import { Readable } from "node:stream";
import { defineTask, LOG_LEVELS, z } from "@saker/sdk";
import { engineOf } from "../../plugins/engineServices.ts";
import { ionLinesOf } from "../../storage/ionLines.ts";
import { parseInstant, targetExecution } from "../execution/target.ts";
import { tempName } from "../storage/common.ts";

export const Fetch = defineTask({
  type: "io.kestra.plugin.core.log.Fetch",
  aliases: ["io.kestra.core.tasks.log.Fetch"],
  title: "Fetch the logs of an execution",
  description:
    "Stores the logs of this execution (or of `executionId`, in this flow unless `namespace` and `flowId` are given), from `level` up, optionally only those of `tasksId`, as an ION file with one log entry per line.",
  examples: [
    {
      title: "Logs of two tasks",
      code: "id: fetch\ntype: io.kestra.plugin.core.log.Fetch\nlevel: INFO\ntasksId:\n  - extract\n  - load",
    },
  ],
  properties: z.object({
    namespace: z
      .string()
      .optional()
      .describe("The namespace of the execution's flow (with `flowId` and `executionId`)."),
    flowId: z.string().optional().describe("The execution's flow (with `namespace` and `executionId`)."),
    executionId: z.string().optional().describe("The execution; the current one by default."),
    tasksId: z.array(z.string()).optional().describe("Only the logs of these tasks."),
    level: z.enum(LOG_LEVELS).default("INFO").describe("The minimum level."),
  }),
  outputs: z.object({
    uri: z.string().describe("The ION file of log entries."),
    size: z.number().describe("How many entries."),
  }),
  async run(props, ctx) {
    const engine = engineOf(ctx);
    const target = targetExecution(ctx, props);
    const query = {
      tenantId: engine.tenantId,
      executionId: target.executionId,
      namespace: target.namespace,
      flowId: target.flowId,
      minLevel: props.level,
    };
    const logs = await engine.logs.find({ ...query, ...(props.tasksId ? { taskIds: props.tasksId } : {}) });
    const entries = logs.map(({ seq: _seq, tenantId: _tenant, ...entry }) => entry);
    const uri = await ctx.storage.putFile(Readable.from(ionLinesOf(entries)), tempName(".ion"));
    return { uri, size: entries.length };
  },
});

export const PurgeLogs = defineTask({
  type: "io.kestra.plugin.core.log.PurgeLogs",
  title: "Delete old logs",
  description:
    "Deletes the logs up to `endDate` (and from `startDate`): of the flow `namespace`/`flowId`, of the namespace `namespace` and those below it, or of every flow; optionally only `logLevels`. Trigger logs are deleted too.",
  examples: [
    {
      title: "Logs older than a month",
      code: "id: purge\ntype: io.kestra.plugin.core.log.PurgeLogs\nendDate: \"{{ now() | dateAdd(-1, 'MONTHS') }}\"",
    },
  ],
  properties: z.object({
    namespace: z.string().optional().describe("A namespace (with the namespaces below it unless `flowId` is set)."),
    flowId: z.string().optional().describe("A flow of `namespace`."),
    logLevels: z.array(z.enum(LOG_LEVELS)).optional().describe("Only these levels; all by default."),
    startDate: z.string().optional().describe("Only logs from this date (ISO-8601)."),
    endDate: z.string().describe("Only logs up to this date (ISO-8601)."),
  }),
  outputs: z.object({ count: z.number().describe("How many log entries were deleted.") }),
  async run({ namespace, flowId, logLevels, startDate, endDate }, ctx) {
    const engine = engineOf(ctx);
    const count = await engine.logs.purge({
      tenantId: engine.tenantId,
      ...(namespace !== undefined ? { namespace } : {}),
      ...(flowId !== undefined ? { flowId } : {}),
      ...(logLevels ? { levels: logLevels } : {}),
      ...(startDate !== undefined ? { startDate: parseInstant(startDate, "startDate") } : {}),
      endDate: parseInstant(endDate, "endDate"),
    });
    ctx.logger.info("{} log entries purged", count);
    return { count };
  },
});
