/**
 * Polling triggers from plugins (`triggerKind: "polling"`, e.g. the JDBC and HTTP triggers):
 * evaluated once every `interval`; an event becomes one execution whose `trigger` variables are
 * the event's. Files the evaluation stores go under the execution it will start.
 */
import { parseDuration, type AnyTriggerDefinition, type TriggerContext, type TriggerEvent } from "@saker/sdk";
import { friendlyId } from "../../model/ids.ts";
import { COMMON_TRIGGER_KEYS, renderProperties } from "../../plugins/properties.ts";
import type { TriggerState } from "../../repository/sqlite/triggerStore.ts";
import { SecretMasker } from "../../secrets/masker.ts";
import { executionPrefix, triggerPrefix } from "../../storage/paths.ts";
import { createKvStore } from "../../worker/kvStore.ts";
import { createTaskLogger } from "../../worker/taskLogger.ts";
import { createTaskStorage } from "../../worker/taskStorage.ts";
import type { Instance } from "../instance.ts";
import type { DeclaredTrigger } from "./flowTriggers.ts";
import { buildTriggeredExecution, describe, triggerLog } from "./triggeredExecution.ts";
import type { TickResult } from "./scheduleTick.ts";

const DEFAULT_INTERVAL_MS = 60_000;

export function pollingDefinition(instance: Instance, type: string, version?: string): AnyTriggerDefinition | undefined {
  try {
    const registered = instance.registry.resolve(type, version);
    const definition = registered.definition as AnyTriggerDefinition;
    return registered.nodeKind === "trigger" && definition.triggerKind === "polling" && definition.evaluate ? definition : undefined;
  } catch {
    return undefined;
  }
}

export function intervalOf(trigger: DeclaredTrigger["trigger"]): number {
  return typeof trigger.interval === "string" ? parseDuration(trigger.interval) : typeof trigger.interval === "number" ? trigger.interval : DEFAULT_INTERVAL_MS;
}

/** Evaluates the trigger now; the state's `nextDate` moves one interval on, whatever the outcome. */
export async function pollingTick(instance: Instance, declared: DeclaredTrigger, definition: AnyTriggerDefinition, state: TriggerState, now: Date, signal: AbortSignal): Promise<TickResult> {
  const { flow, trigger } = declared;
  const next: TriggerState = { ...state, nextDate: new Date(now.getTime() + intervalOf(trigger)).toISOString() };
  const executionId = friendlyId();
  const masker = new SecretMasker();
  const services = instance.renderServices(flow.namespace, executionId, masker, []);
  const vars = instance.variables({ flow }, false);
  const renderValue = (value: unknown, extra?: Record<string, unknown>) => instance.renderer.renderValue(value, extra ? { ...vars, ...extra } : vars, services);
  const ctx: TriggerContext = {
    flow: { id: flow.id, namespace: flow.namespace, ...(flow.revision !== undefined ? { revision: flow.revision } : {}) },
    trigger: { id: trigger.id, type: trigger.type },
    logger: createTaskLogger({ namespace: flow.namespace, flowId: flow.id, triggerId: trigger.id }, masker, (entry) => {
      instance.logs.append([entry]);
      instance.events.emit("log", entry);
    }),
    ...(state.lastDate ? { lastDate: state.lastDate } : {}),
    render: async (template, extra) => String(await instance.renderer.render(template, extra ? { ...vars, ...extra } : vars, false, services)),
    renderTyped: (template, extra) => instance.renderer.render(template, extra ? { ...vars, ...extra } : vars, true, services),
    renderValue,
    secret: (key) => services.secret(key),
    signal,
    storage: createTaskStorage(instance.storage, {
      namespace: flow.namespace,
      writePrefix: triggerPrefix(flow.namespace, flow.id, executionId, trigger.id),
      readPrefixes: [executionPrefix(flow.namespace, flow.id, executionId)],
    }),
    kv: (namespace) => createKvStore(instance.kv, instance.config.tenantId, namespace ?? flow.namespace),
  };
  let event: TriggerEvent | undefined;
  try {
    const keys = new Set([...COMMON_TRIGGER_KEYS].filter((k) => k !== "interval"));
    const props = await renderProperties(definition.properties, trigger, (value) => renderValue(value), keys);
    event = await definition.evaluate!(props as never, ctx);
  } catch (error) {
    triggerLog(instance, flow, trigger.id, "ERROR", masker.mask(`Evaluation failed: ${describe(error)}`));
    return { executions: [], state: next };
  }
  if (!event) return { executions: [], state: next };
  const labels = event.labels ? [...Object.entries(event.labels).map(([key, value]) => ({ key, value }))] : undefined;
  const withLabels = labels ? { ...trigger, labels: [...(Array.isArray(trigger.labels) ? trigger.labels : Object.entries((trigger.labels as object) ?? {}).map(([key, value]) => ({ key, value }))), ...labels] } : trigger;
  try {
    const execution = await buildTriggeredExecution(instance, { flow, trigger: withLabels, variables: event.variables, id: executionId });
    return { executions: [execution], state: { ...next, lastDate: now.toISOString(), executionId } };
  } catch (error) {
    triggerLog(instance, flow, trigger.id, "ERROR", `Unable to start an execution: ${describe(error)}`);
    return { executions: [], state: next };
  }
}
