/** `Toggle`: enables or disables a trigger of a flow (this one by default). */
import { SakerError, defineTask, z } from "@saker/sdk";
import { engineOf } from "../../plugins/engineServices.ts";

export const Toggle = defineTask({
  type: "io.kestra.plugin.core.trigger.Toggle",
  aliases: ["io.kestra.core.tasks.trigger.Toggle"],
  title: "Enable or disable a trigger",
  description:
    "Enables (`enabled: true`) or disables (`enabled: false`, the default) the trigger `trigger` of the flow `namespace`/`flowId` (the current flow by default).",
  examples: [
    {
      title: "Disable this flow's schedule",
      code: "id: stop_schedule\ntype: io.kestra.plugin.core.trigger.Toggle\ntrigger: daily\nenabled: false",
    },
  ],
  properties: z.object({
    namespace: z.string().optional().describe("The namespace of the flow; the current one by default."),
    flowId: z.string().optional().describe("The flow; the current one by default."),
    trigger: z.string().describe("The id of the trigger to toggle."),
    enabled: z.boolean().default(false).describe("Enable (true) or disable (false) the trigger."),
  }),
  async run(props, ctx) {
    const engine = engineOf(ctx);
    const namespace = props.namespace ?? ctx.flow.namespace;
    const flowId = props.flowId ?? ctx.flow.id;
    const found = await engine.flows.find(namespace, flowId);
    if (!found)
      throw new SakerError(
        "FLOW_NOT_FOUND",
        `Unable to find flow ${namespace}.${flowId}. Make sure the flow exists and the current execution is authorized to access it.`,
      );
    if (!(found.flow.triggers ?? []).some((t) => t.id === props.trigger)) {
      throw new SakerError(
        "TRIGGER_NOT_FOUND",
        `Unable to find trigger ${props.trigger} for the flow ${namespace}.${flowId}`,
      );
    }
    const state = await engine.triggers.setDisabled(
      engine.tenantId,
      { namespace, flowId, triggerId: props.trigger },
      !props.enabled,
    );
    ctx.logger.info(
      "Trigger {} of flow {}.{} is now {}",
      props.trigger,
      namespace,
      flowId,
      state.disabled ? "disabled" : "enabled",
    );
    return {};
  },
});
