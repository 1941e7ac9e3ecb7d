/**
 * Which triggers exist: every trigger of the latest revision of every enabled flow, read from
 * the compiled (cached) flow graph so a scheduler tick does not parse YAML again.
 */
import type { Flow, PluginNode } from "../../model/flow.ts";
import type { Instance } from "../instance.ts";

export const SCHEDULE = "io.kestra.plugin.core.trigger.Schedule";
export const SCHEDULE_ON_DATES = "io.kestra.plugin.core.trigger.ScheduleOnDates";
export const WEBHOOK = "io.kestra.plugin.core.trigger.Webhook";
export const FLOW = "io.kestra.plugin.core.trigger.Flow";

export interface DeclaredTrigger {
  flow: Flow;
  trigger: PluginNode & { id: string };
}

/** The triggers of enabled flows, `type` optionally restricted; disabled triggers left out. */
export function declaredTriggers(instance: Instance, types?: (type: string) => boolean): DeclaredTrigger[] {
  const found: DeclaredTrigger[] = [];
  for (const stored of instance.flows.all()) {
    if (stored.deleted || stored.disabled) continue;
    let flow: Flow;
    try {
      flow = instance.flows.graph(stored.namespace, stored.id, stored.revision).flow;
    } catch {
      continue;
    }
    if (flow.disabled) continue;
    for (const trigger of flow.triggers ?? []) {
      if (trigger.disabled === true || typeof trigger.id !== "string") continue;
      if (types && !types(trigger.type)) continue;
      found.push({ flow, trigger: trigger as PluginNode & { id: string } });
    }
  }
  return found;
}

/** The trigger `triggerId` of the latest revision of a flow, or undefined. */
export function findTrigger(instance: Instance, namespace: string, flowId: string, triggerId: string): DeclaredTrigger | undefined {
  const loaded = instance.flows.find(namespace, flowId);
  if (!loaded) return undefined;
  const flow = instance.flows.graph(namespace, flowId, loaded.stored.revision).flow;
  const trigger = (flow.triggers ?? []).find((t) => t.id === triggerId);
  return trigger ? { flow, trigger: trigger as PluginNode & { id: string } } : undefined;
}

export function triggerKey(d: DeclaredTrigger) {
  return { namespace: d.flow.namespace, flowId: d.flow.id, triggerId: d.trigger.id };
}
