/** `execution.Resume`: resumes a paused execution. */
import { defineTask, NonRetryableError, z } from "@saker/sdk";
import { engineOf } from "../../plugins/engineServices.ts";
import { targetExecution } from "./target.ts";

export const Resume = defineTask({
  type: "io.kestra.plugin.core.execution.Resume",
  title: "Resume a paused execution",
  description:
    "Resumes the paused execution `executionId` (the current one by default), passing `inputs` to the Pause task's `onResume` inputs. With `namespace` and `flowId`, the execution must belong to that flow.",
  examples: [
    {
      title: "Resume another execution",
      code: 'id: resume\ntype: io.kestra.plugin.core.execution.Resume\nexecutionId: "{{ inputs.executionId }}"\ninputs:\n  approved: true',
    },
  ],
  properties: z.object({
    namespace: z.string().optional().describe("The namespace of the execution's flow (with `flowId`)."),
    flowId: z.string().optional().describe("The execution's flow (with `namespace`)."),
    executionId: z.string().optional().describe("The execution to resume; the current one by default."),
    inputs: z.record(z.string(), z.unknown()).optional().describe("Values for the Pause task's `onResume` inputs."),
  }),
  async run(props, ctx) {
    const engine = engineOf(ctx);
    const target = targetExecution(ctx, props);
    const stored = await engine.executions.get(target.executionId);
    if (!stored || (stored.execution.tenantId !== undefined && stored.execution.tenantId !== engine.tenantId)) {
      throw new NonRetryableError(`No execution found for execution id ${target.executionId}`);
    }
    const x = stored.execution;
    if (props.namespace !== undefined && (x.namespace !== target.namespace || x.flowId !== target.flowId)) {
      throw new NonRetryableError(
        `Execution ${x.id} is not an execution of the flow ${target.namespace}.${target.flowId}`,
      );
    }
    if (x.state.current !== "PAUSED")
      throw new NonRetryableError(`Execution ${x.id} is not paused (state ${x.state.current})`);
    await engine.resume(x.id, props.inputs);
    ctx.logger.info("Execution {} resumed", x.id);
    return {};
  },
});
