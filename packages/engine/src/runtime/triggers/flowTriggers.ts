/**
 * Which triggers exist: every trigger of the latest revision of every enabled flow, read from
 * the compiled (cached) flow graph so a scheduler tick does not parse YAML again.
 */
import type { Flow, PluginNode } from "../../model/flow.ts";
import type { RoleContext } from "../roleContext.ts";

export const SCHEDULE = "io.kestra.plugin.core.trigger.Schedule";
export const SCHEDULE_ON_DATES = "io.kestra.plugin.core.trigger.ScheduleOnDates";
export const WEBHOOK = "io.kestra.plugin.core.trigger.Webhook";
export const FLOW = "io.kestra.plugin.core.trigger.Flow";

export interface DeclaredTrigger {
  flow: Flow;
  trigger: PluginNode & { id: string };
}

export interface TriggerFilter {
  /** Only these types. */
  types?: (type: string) => boolean;
  /** A namespace and its children. */
  namespace?: string;
  flowId?: string;
  /** Also the triggers of disabled flows and those written `disabled: true` (listings). */
  includeDisabled?: boolean;
}

/** The triggers of the latest revision of every flow (of enabled flows and triggers by default). */
export function declaredTriggers(role: Pick<RoleContext, "flows">, filter: TriggerFilter = {}): DeclaredTrigger[] {
  const found: DeclaredTrigger[] = [];
  for (const head of role.flows.heads(filter.namespace)) {
    if ((head.disabled && !filter.includeDisabled) || (filter.flowId !== undefined && head.id !== filter.flowId))
      continue;
    let flow: Flow;
    try {
      flow = role.flows.graph(head.namespace, head.id, head.revision).flow;
    } catch {
      continue; // a flow that no longer compiles (a plugin removed) has no running triggers
    }
    if (flow.disabled && !filter.includeDisabled) continue;
    for (const trigger of flow.triggers ?? []) {
      if (typeof trigger.id !== "string" || (trigger.disabled === true && !filter.includeDisabled)) continue;
      if (filter.types && !filter.types(trigger.type)) continue;
      found.push({ flow, trigger: trigger as PluginNode & { id: string } });
    }
  }
  return found;
}

/** The trigger `triggerId` of the latest revision of a flow, or undefined. */
export function findTrigger(
  role: Pick<RoleContext, "flows">,
  namespace: string,
  flowId: string,
  triggerId: string,
): DeclaredTrigger | undefined {
  const flow = role.flows.latestGraph(namespace, flowId)?.flow;
  const trigger = flow?.triggers?.find((t) => t.id === triggerId);
  return flow && trigger ? { flow, trigger: trigger as PluginNode & { id: string } } : undefined;
}

export function triggerKey(d: DeclaredTrigger) {
  return { namespace: d.flow.namespace, flowId: d.flow.id, triggerId: d.trigger.id };
}
