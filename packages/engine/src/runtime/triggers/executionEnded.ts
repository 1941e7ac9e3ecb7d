/**
 * What happens when an execution ends, besides its parent: `Flow` triggers listening to it are
 * evaluated (states, conditions, preconditions windows) and may start executions; and the
 * trigger that started it is disabled if its `stopAfter` lists the final state. A state change
 * that does not end the execution (RUNNING, PAUSED, ...) only evaluates the `Flow` triggers.
 */
import type { Execution } from "../../model/execution.ts";
import { viewExecution } from "../../model/executionView.ts";
import { createConditionContext } from "../../scheduler/conditionContext.ts";
import { evaluateFlowTrigger, flowTriggerVariables, matchesStates } from "../../scheduler/flowTrigger.ts";
import type { TriggerRun } from "./triggerRun.ts";
import type { RoleContext } from "../roleContext.ts";
import { declaredTriggers, FLOW, findTrigger, triggerKey, type DeclaredTrigger } from "./flowTriggers.ts";
import { buildTriggeredExecution, describe, triggerLog } from "./triggeredExecution.ts";

function upstreamVariables(role: RoleContext, execution: Execution): Record<string, unknown> {
  try {
    const upstream = role.flows.graph(execution.namespace, execution.flowId, execution.flowRevision).flow;
    // values sealed for holding a secret are revealed for the conditions and the new inputs (SECRET inputs stay encrypted)
    return role.secretGuard.reveal(role.renders.variables({ flow: upstream, execution }, false));
  } catch {
    return { execution: { id: execution.id }, flow: { id: execution.flowId, namespace: execution.namespace } };
  }
}

/**
 * What the triggers of the latest flows say about ended executions and state changes, read once
 * for many of them (a batch of the scheduler's messages) instead of once per execution.
 */
export interface ExecutionListeners {
  /** The enabled Flow triggers of enabled flows (what {@link flowTriggerRuns} evaluates). */
  flowTriggers: DeclaredTrigger[];
  /**
   * No execution can start or change anything: no Flow trigger, and no trigger of any latest
   * flow (disabled ones too, as `findTrigger` sees them) with a `stopAfter` list, and no latest
   * flow that fails to compile (its trigger would be looked up, and fail, per execution).
   */
  quiet: boolean;
}

export function executionListeners(role: Pick<RoleContext, "flows">): ExecutionListeners {
  const flowTriggers = declaredTriggers(role, { types: (type) => type === FLOW });
  if (flowTriggers.length > 0) return { flowTriggers, quiet: false };
  for (const head of role.flows.heads()) {
    let triggers: unknown[];
    try {
      triggers = role.flows.graph(head.namespace, head.id, head.revision).flow.triggers ?? [];
    } catch {
      return { flowTriggers, quiet: false };
    }
    if (triggers.some((t) => Array.isArray((t as { stopAfter?: unknown }).stopAfter)))
      return { flowTriggers, quiet: false };
  }
  return { flowTriggers, quiet: true };
}

export async function onExecutionEnded(
  role: RoleContext,
  execution: Execution,
  now: Date,
  listeners?: ExecutionListeners,
): Promise<TriggerRun[]> {
  const runs: TriggerRun[] = [];
  const stopAfter = await stoppedTrigger(role, execution);
  if (stopAfter) runs.push(stopAfter);
  runs.push(...(await flowTriggerRuns(role, execution, now, listeners)));
  return runs;
}

/** An execution moved to a state that does not end it: only the Flow triggers listening to that state. */
export function onExecutionStateChanged(
  role: RoleContext,
  execution: Execution,
  now: Date,
  listeners?: ExecutionListeners,
): Promise<TriggerRun[]> {
  return flowTriggerRuns(role, execution, now, listeners);
}

async function flowTriggerRuns(
  role: RoleContext,
  execution: Execution,
  now: Date,
  listeners?: ExecutionListeners,
): Promise<TriggerRun[]> {
  const tenantId = role.config.tenantId;
  const runs: TriggerRun[] = [];
  const flowTriggers = listeners?.flowTriggers ?? declaredTriggers(role, { types: (type) => type === FLOW });
  if (flowTriggers.length === 0) return runs;
  const view = viewExecution(execution as unknown as Record<string, unknown>);
  const listening = flowTriggers.filter((d) => matchesStates(d.trigger, view));
  if (listening.length === 0) return runs;
  const env = { registry: role.registry, renderer: role.renderer };
  const upstreamVars = upstreamVariables(role, execution);
  const revealed = role.secretGuard.reveal(execution);
  for (const declared of listening) {
    const { flow, trigger } = declared;
    const key = triggerKey(declared);
    const state = (await role.backend.triggers.get(tenantId, key)) ?? { ...key };
    if (state.disabled) continue;
    const ctx = createConditionContext(env, {
      flow,
      execution: revealed as unknown as Record<string, unknown>,
      variables: upstreamVars,
    });
    const evaluation = await evaluateFlowTrigger({
      trigger,
      execution: revealed as unknown as Record<string, unknown>,
      test: ctx.test,
      render: ctx.render,
      windows: state.windows ?? {},
      now,
      onError: (message) => triggerLog(role, flow, trigger.id, "WARN", message),
    });
    const windowsChanged = JSON.stringify(evaluation.windows) !== JSON.stringify(state.windows ?? {});
    let next = windowsChanged ? { ...state, windows: evaluation.windows } : state;
    const executions: Execution[] = [];
    if (evaluation.fire) {
      const variables = flowTriggerVariables(execution as unknown as Record<string, unknown>);
      const renderVariables = {
        ...upstreamVars,
        flow: { id: flow.id, namespace: flow.namespace, revision: flow.revision },
        trigger: variables,
      };
      try {
        const started = await buildTriggeredExecution(role, {
          flow,
          trigger,
          variables,
          renderVariables,
          allowMissingRequired: true,
        });
        executions.push(started);
        next = { ...next, lastDate: now.toISOString(), executionId: started.id };
      } catch (error) {
        triggerLog(
          role,
          flow,
          trigger.id,
          "ERROR",
          `Unable to start an execution after ${execution.namespace}/${execution.flowId} ${execution.id}: ${describe(error)}`,
        );
      }
    }
    if (next !== state) runs.push({ key, before: state, after: next, executions });
  }
  return runs;
}

/** `stopAfter`: the trigger that started this execution, disabled when the final state is listed. */
async function stoppedTrigger(role: RoleContext, execution: Execution): Promise<TriggerRun | undefined> {
  if (!execution.trigger) return undefined;
  const declared = findTrigger(role, execution.namespace, execution.flowId, execution.trigger.id);
  // A subflow's trigger id is its parent's task id: only the trigger that really started it counts.
  if (!declared || declared.trigger.type !== execution.trigger.type) return undefined;
  const stopAfter = declared.trigger.stopAfter;
  if (!Array.isArray(stopAfter) || !stopAfter.includes(execution.state.current)) return undefined;
  const key = triggerKey(declared);
  triggerLog(
    role,
    declared.flow,
    declared.trigger.id,
    "INFO",
    `Trigger disabled: execution ${execution.id} ended ${execution.state.current} (stopAfter)`,
  );
  const before = (await role.backend.triggers.get(role.config.tenantId, key)) ?? key;
  return { key, before, after: { ...before, disabled: true }, executions: [] };
}
