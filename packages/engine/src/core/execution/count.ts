/** `execution.Count`: counts executions per flow and keeps the flows whose count passes an expression. */
import { defineTask, NonRetryableError, raw, STATE_TYPES, z } from "@saker/sdk";
import { engineOf } from "../../plugins/engineServices.ts";
import { parseInstant } from "./target.ts";

const Result = z.object({ namespace: z.string(), flowId: z.string().nullable(), count: z.number() });

export const Count = defineTask({
  type: "io.kestra.plugin.core.execution.Count",
  aliases: ["io.kestra.core.tasks.executions.Counts"],
  title: "Count executions",
  description:
    "Counts the executions started between `startDate` and `endDate` (now by default) of each flow in `flows`, and of each namespace in `namespaces`, optionally only in `states`. `expression` is rendered with `count` for each result; the results where it renders `true` are kept.",
  examples: [
    {
      title: "Fail when a flow did not run today",
      code: 'id: count\ntype: io.kestra.plugin.core.execution.Count\nflows:\n  - namespace: company.team\n    flowId: daily\nstartDate: "{{ now() | dateAdd(-1, \'DAYS\') }}"\nexpression: "{{ count == 0 }}"',
    },
  ],
  properties: z.object({
    flows: z
      .array(z.object({ namespace: z.string(), flowId: z.string() }))
      .optional()
      .describe("The flows to count; or give `namespaces`."),
    namespaces: z.array(z.string()).optional().describe("Namespaces to count (exact), summed per namespace."),
    states: z.array(z.enum(STATE_TYPES)).optional().describe("Only executions in these states."),
    startDate: z.string().describe("Executions started from this date (ISO-8601)."),
    endDate: z.string().optional().describe("Executions started up to this date (ISO-8601); now by default."),
    expression: raw(z.string()).describe(
      "Rendered with `count` per result; `true` keeps the result, e.g. `{{ count == 0 }}`.",
    ),
  }),
  outputs: z.object({ results: z.array(Result), total: z.number() }),
  async run(props, ctx) {
    if (!props.flows && !props.namespaces)
      throw new NonRetryableError("You must provide a list of flows or namespaces");
    const engine = engineOf(ctx);
    const counted = await engine.executions.countByFlow({
      tenantId: engine.tenantId,
      ...(props.flows ? { flows: props.flows } : {}),
      ...(props.namespaces ? { namespaces: props.namespaces } : {}),
      ...(props.states ? { states: props.states } : {}),
      startDate: parseInstant(props.startDate, "startDate"),
      endDate: props.endDate === undefined ? new Date().toISOString() : parseInstant(props.endDate, "endDate"),
    });
    const candidates: z.output<typeof Result>[] = (props.flows ?? []).map((f) => ({
      ...f,
      count: counted.find((c) => c.namespace === f.namespace && c.flowId === f.flowId)?.count ?? 0,
    }));
    for (const namespace of new Set(props.namespaces ?? [])) {
      const rows = counted.filter((c) => c.namespace === namespace);
      if (rows.length) candidates.push({ namespace, flowId: null, count: rows.reduce((sum, c) => sum + c.count, 0) });
    }
    ctx.logger.trace("{} flows matching filters", candidates.length);
    const results: z.output<typeof Result>[] = [];
    for (const candidate of candidates)
      if ((await ctx.render(props.expression, { count: candidate.count })).trim() === "true") results.push(candidate);
    ctx.logger.debug("{} flows matching the expression", results.length);
    return { results, total: results.reduce((sum, r) => sum + r.count, 0) };
  },
});
