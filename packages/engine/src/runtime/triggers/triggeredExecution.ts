/**
 * Building the execution a trigger starts: `trigger = {id, type, variables}`, the trigger's
 * `inputs` rendered against the flow and the trigger variables, its `labels` added, and a log
 * line on the trigger when it cannot start one.
 */
import { errorMessage, isSakerError } from "@saker/sdk";
import type { LogEntry } from "../../executor/types.ts";
import { parseLabels } from "../../model/labels.ts";
import type { Execution, Label } from "../../model/execution.ts";
import type { Flow, PluginNode } from "../../model/flow.ts";
import { NOTIFY } from "../../backend/notifier.ts";
import type { RoleContext } from "../roleContext.ts";

export interface TriggeredRequest {
  flow: Flow;
  trigger: PluginNode & { id: string };
  variables: Record<string, unknown>;
  /** Variables the trigger's `inputs` are rendered with (default: the flow's, plus `trigger`). */
  renderVariables?: Record<string, unknown>;
  scheduleDate?: string;
  id?: string;
  /** Inputs on top of the trigger's (a backfill's). */
  inputs?: Record<string, unknown>;
  /** Labels after the trigger's (a backfill's, a polled event's). */
  labels?: readonly Label[] | Record<string, string>;
  /** A required input the trigger does not give is left out (Flow triggers, as in Kestra). */
  allowMissingRequired?: boolean;
}

export async function buildTriggeredExecution(
  role: Pick<RoleContext, "renders" | "renderer" | "secretGuard" | "admission">,
  request: TriggeredRequest,
): Promise<Execution> {
  const { flow, trigger } = request;
  const vars = request.renderVariables ?? { ...role.renders.variables({ flow }, false), trigger: request.variables };
  const services = role.renders.renderServices(flow.namespace, "", role.secretGuard.masker(), []);
  const declared =
    trigger.inputs && typeof trigger.inputs === "object"
      ? ((await role.renderer.renderValue(trigger.inputs, vars, services)) as Record<string, unknown>)
      : undefined;
  const inputs = request.inputs ? { ...declared, ...request.inputs } : declared;
  const labels = [
    ...(trigger.labels === undefined ? [] : parseLabels(trigger.labels)),
    ...(request.labels === undefined ? [] : parseLabels(request.labels)),
  ];
  return role.admission.buildExecution(flow, {
    ...(request.id ? { id: request.id } : {}),
    ...(inputs ? { inputs } : {}),
    ...(labels.length ? { labels } : {}),
    trigger: { id: trigger.id, type: trigger.type, variables: request.variables },
    ...(request.scheduleDate ? { scheduleDate: request.scheduleDate } : {}),
    ...(request.allowMissingRequired ? { allowMissingRequired: true } : {}),
  });
}

/** A log line on a trigger (shown with the flow's logs, `triggerId` set). */
export function triggerLog(
  role: Pick<RoleContext, "backend" | "report">,
  flow: Flow,
  triggerId: string,
  level: LogEntry["level"],
  message: string,
): void {
  const entry: LogEntry = {
    namespace: flow.namespace,
    flowId: flow.id,
    triggerId,
    level,
    message,
    timestamp: new Date().toISOString(),
  };
  // A trigger log is not worth stopping a trigger for (a full disk is reported by itself).
  void role.backend.logs
    .append([entry])
    .catch((error: unknown) =>
      role.report.loopError(`trigger log of ${flow.namespace}/${flow.id}.${triggerId} not saved`, error),
    );
  role.backend.notifier.notify(NOTIFY.log, entry);
}

export function describe(error: unknown): string {
  return isSakerError(error) ? error.message : errorMessage(error);
}
