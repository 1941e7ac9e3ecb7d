/** `execution.PurgeExecutions`: deletes old executions with their logs, metrics and files. */
import { defineTask, NonRetryableError, STATE_TYPES, z } from "@saker/sdk";
import { engineOf } from "../../plugins/engineServices.ts";
import { executionPrefix } from "../../storage/paths.ts";
import { parseInstant } from "./target.ts";

export const PurgeExecutions = defineTask({
  type: "io.kestra.plugin.core.execution.PurgeExecutions",
  aliases: ["io.kestra.core.tasks.storages.Purge", "io.kestra.plugin.core.storage.Purge"],
  title: "Delete old executions",
  description:
    "Deletes the ended executions started up to `endDate` (and from `startDate`) of the flow `namespace`/`flowId`, of the namespace `namespace` and those below it, or of every flow; optionally only in `states`. Their logs, metrics and stored files go too unless told otherwise. Executions still running are left alone.",
  examples: [
    {
      title: "Executions older than a month",
      code: "id: purge\ntype: io.kestra.plugin.core.execution.PurgeExecutions\nendDate: \"{{ now() | dateAdd(-1, 'MONTHS') }}\"\nstates:\n  - SUCCESS",
    },
  ],
  properties: z.object({
    namespace: z.string().optional().describe("A namespace (with the namespaces below it unless `flowId` is set)."),
    flowId: z.string().optional().describe("A flow of `namespace`."),
    startDate: z.string().optional().describe("Only executions started from this date (ISO-8601)."),
    endDate: z.string().describe("Only executions started up to this date (ISO-8601)."),
    states: z.array(z.enum(STATE_TYPES)).optional().describe("Only executions in these states."),
    purgeExecution: z.boolean().default(true).describe("Delete the executions themselves."),
    purgeLog: z.boolean().default(true).describe("Delete their logs."),
    purgeMetric: z.boolean().default(true).describe("Delete their metrics."),
    purgeStorage: z.boolean().default(true).describe("Delete their files in internal storage."),
    batchSize: z
      .number()
      .int()
      .min(1)
      .default(100)
      .describe("Accepted for Kestra compatibility: Saker deletes execution by execution."),
  }),
  outputs: z.object({
    executionsCount: z.number(),
    logsCount: z.number(),
    storagesCount: z.number(),
    metricsCount: z.number(),
  }),
  async run(props, ctx) {
    const engine = engineOf(ctx);
    if (props.flowId !== undefined && props.namespace === undefined)
      throw new NonRetryableError("`flowId` needs the `namespace` of the flow");
    const executions = (
      await engine.executions.search({
        tenantId: engine.tenantId,
        ...(props.namespace !== undefined
          ? { namespace: props.namespace, exactNamespace: props.flowId !== undefined }
          : {}),
        ...(props.flowId !== undefined ? { flowId: props.flowId } : {}),
        ...(props.states ? { states: props.states } : {}),
        ...(props.startDate !== undefined ? { startDate: parseInstant(props.startDate, "startDate") } : {}),
        endDate: parseInstant(props.endDate, "endDate"),
        finished: true,
        size: Number.MAX_SAFE_INTEGER,
      })
    ).results.filter((x) => x.id !== ctx.execution.id);
    const counts = { executionsCount: 0, logsCount: 0, storagesCount: 0, metricsCount: 0 };
    for (const x of executions) {
      if (props.purgeLog) counts.logsCount += await engine.logs.deleteByExecution(x.id);
      if (props.purgeMetric) counts.metricsCount += await engine.metrics.deleteByExecution(x.id);
      if (props.purgeStorage)
        counts.storagesCount += await engine.storage.deletePrefix(executionPrefix(x.namespace, x.flowId, x.id));
      if (props.purgeExecution && (await engine.executions.delete(x.id))) counts.executionsCount++;
    }
    ctx.logger.info(
      "Purged {} execution(s), {} log(s), {} metric(s), {} file(s)",
      counts.executionsCount,
      counts.logsCount,
      counts.metricsCount,
      counts.storagesCount,
    );
    return counts;
  },
});
