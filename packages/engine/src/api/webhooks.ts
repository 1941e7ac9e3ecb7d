/**
 * The Webhook trigger as the REST API calls it: find the flow and the webhook whose rendered key
 * matches, test its conditions against the request, and start an execution (or not).
 */
import { SakerError } from "@saker/sdk";
import type { Execution } from "../model/execution.ts";
import { allConditionsHold, createConditionContext, describeFailure } from "../scheduler/conditionContext.ts";
import { webhookVariables, type WebhookRequest } from "../scheduler/webhookRequest.ts";
import type { Instance } from "../runtime/instance.ts";
import { WEBHOOK } from "../runtime/triggers/flowTriggers.ts";
import { buildTriggeredExecution, triggerLog } from "../runtime/triggers/triggeredExecution.ts";

export type WebhookOutcome =
  /** Conditions not met: no execution (HTTP 204). */
  | { started: false }
  | { started: true; execution: Execution; wait: boolean; returnOutputs: boolean; responseContentType?: string };

const notFound = (message: string) => new SakerError("WEBHOOK_NOT_FOUND", message);

export async function handleWebhook(
  instance: Instance,
  namespace: string,
  flowId: string,
  key: string,
  request: WebhookRequest,
): Promise<WebhookOutcome> {
  const flow = instance.flows.latestGraph(namespace, flowId)?.flow;
  if (!flow) throw notFound(`Flow not found: '${namespace}/${flowId}'`);
  if (flow.disabled) throw new SakerError("FLOW_DISABLED", `Flow '${namespace}/${flowId}' is disabled`);
  const vars = instance.variables({ flow }, false);
  // The key may read a secret (`{{ secret('WEBHOOK_KEY') }}`).
  const services = instance.renderServices(namespace, "", instance.secretGuard.masker(), []);
  let found: (typeof flow.triggers & object)[number] | undefined;
  for (const trigger of flow.triggers ?? []) {
    if (trigger.type !== WEBHOOK || trigger.disabled === true || typeof trigger.key !== "string") continue;
    const rendered = String(await instance.renderer.render(trigger.key, vars, false, services)).trim();
    if (rendered === key) {
      found = trigger;
      break;
    }
  }
  if (!found || typeof found.id !== "string")
    throw notFound(`Webhook not found: no webhook of '${namespace}/${flowId}' has this key`);
  const trigger = found as typeof found & { id: string };
  const state = await instance.backend.triggers.get(instance.config.tenantId, {
    namespace,
    flowId,
    triggerId: trigger.id,
  });
  if (state?.disabled) throw notFound(`Webhook not found: the trigger '${trigger.id}' is disabled`);
  const variables = webhookVariables(request);
  const conditions = Array.isArray(trigger.conditions) ? (trigger.conditions as Record<string, unknown>[]) : [];
  if (conditions.length > 0) {
    const env = { registry: instance.registry, renderer: instance.renderer };
    const ctx = createConditionContext(env, { flow, variables: { ...vars, trigger: variables } });
    const hold = await allConditionsHold(env, ctx, conditions, (failure) =>
      triggerLog(instance, flow, trigger.id, "WARN", describeFailure(failure)),
    );
    if (!hold) return { started: false };
  }
  const execution = await buildTriggeredExecution(instance, { flow, trigger, variables: { ...variables } });
  await instance.startExecutions([execution]);
  return {
    started: true,
    execution,
    wait: trigger.wait === true,
    returnOutputs: trigger.returnOutputs === true,
    ...(typeof trigger.responseContentType === "string" ? { responseContentType: trigger.responseContentType } : {}),
  };
}

/** The webhook endpoint's engine side, async. */
export class WebhooksApi {
  constructor(private readonly instance: Instance) {}

  async handle(namespace: string, flowId: string, key: string, request: WebhookRequest): Promise<WebhookOutcome> {
    return await handleWebhook(this.instance, namespace, flowId, key, request);
  }
}
