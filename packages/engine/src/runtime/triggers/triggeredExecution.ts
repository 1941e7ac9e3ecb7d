/**
 * Building the execution a trigger starts: `trigger = {id, type, variables}`, the trigger's
 * `inputs` rendered against the flow and the trigger variables, its `labels` added, and a log
 * line on the trigger when it cannot start one.
 */
import { errorMessage, isSakerError } from "@saker/sdk";
import type { LogEntry } from "../../executor/types.ts";
import { SecretMasker } from "../../secrets/masker.ts";
import type { Execution, Label } from "../../model/execution.ts";
import type { Flow, PluginNode } from "../../model/flow.ts";
import type { Instance } from "../instance.ts";

export interface TriggeredRequest {
  flow: Flow;
  trigger: PluginNode & { id: string };
  variables: Record<string, unknown>;
  /** Variables the trigger's `inputs` are rendered with (default: the flow's, plus `trigger`). */
  renderVariables?: Record<string, unknown>;
  scheduleDate?: string;
  id?: string;
}

function triggerLabels(labels: unknown): Label[] {
  if (Array.isArray(labels)) return labels.filter((l) => l && typeof l === "object").map((l) => ({ key: String(l.key), value: String(l.value) }));
  if (labels && typeof labels === "object") return Object.entries(labels).map(([key, value]) => ({ key, value: String(value) }));
  return [];
}

export async function buildTriggeredExecution(instance: Instance, request: TriggeredRequest): Promise<Execution> {
  const { flow, trigger } = request;
  const vars = request.renderVariables ?? { ...instance.variables({ flow }, false), trigger: request.variables };
  const services = instance.renderServices(flow.namespace, "", new SecretMasker(), []);
  const inputs = trigger.inputs && typeof trigger.inputs === "object" ? ((await instance.renderer.renderValue(trigger.inputs, vars, services)) as Record<string, unknown>) : undefined;
  const labels = triggerLabels(trigger.labels);
  return instance.buildExecution(flow, {
    ...(request.id ? { id: request.id } : {}),
    ...(inputs ? { inputs } : {}),
    ...(labels.length ? { labels } : {}),
    trigger: { id: trigger.id, type: trigger.type, variables: request.variables },
    ...(request.scheduleDate ? { scheduleDate: request.scheduleDate } : {}),
  });
}

/** A log line on a trigger (shown with the flow's logs, `triggerId` set). */
export function triggerLog(instance: Instance, flow: Flow, triggerId: string, level: LogEntry["level"], message: string): void {
  const entry: LogEntry = { namespace: flow.namespace, flowId: flow.id, triggerId, level, message, timestamp: new Date().toISOString() };
  instance.logs.append([entry]);
  instance.events.emit("log", entry);
}

export function describe(error: unknown): string {
  return isSakerError(error) ? error.message : errorMessage(error);
}
