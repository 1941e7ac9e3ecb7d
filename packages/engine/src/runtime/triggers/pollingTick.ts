/**
 * Polling triggers from plugins (`triggerKind: "polling"`, e.g. the JDBC and HTTP triggers):
 * evaluated once every `interval`; an event becomes one execution whose `trigger` variables are
 * the event's. Files the evaluation stores go under the execution it will start.
 */
import { parseDuration, type AnyTriggerDefinition, type TriggerEvent } from "@saker/sdk";
import { friendlyId } from "../../model/ids.ts";
import { COMMON_TRIGGER_KEYS, renderProperties } from "../../plugins/properties.ts";
import type { TriggerState } from "../../backend/records.ts";
import { createTriggerContext } from "./triggerContext.ts";
import type { RoleContext } from "../roleContext.ts";
import type { DeclaredTrigger } from "./flowTriggers.ts";
import { buildTriggeredExecution, describe, triggerLog } from "./triggeredExecution.ts";
import type { TickResult } from "./scheduleTick.ts";
import type { SecretMasker } from "../../secrets/masker.ts";

const DEFAULT_INTERVAL_MS = 60_000;

/** The plugin trigger of a node when it is of `kind` (polling or realtime), else undefined. */
export function pluginTrigger(
  role: RoleContext,
  declared: DeclaredTrigger,
  kind: "polling" | "realtime",
): AnyTriggerDefinition | undefined {
  try {
    const registered = role.registry.resolve(declared.trigger.type, declared.trigger.version);
    const definition = registered.definition as AnyTriggerDefinition;
    if (registered.nodeKind !== "trigger" || definition.triggerKind !== kind) return undefined;
    return (kind === "polling" ? definition.evaluate : definition.listen) ? definition : undefined;
  } catch {
    return undefined;
  }
}

/** The trigger's properties rendered and validated (`interval` kept when the plugin declares it). */
export function triggerProperties(
  definition: AnyTriggerDefinition,
  declared: DeclaredTrigger,
  renderValue: (value: unknown) => Promise<unknown>,
): Promise<unknown> {
  const keys = new Set([...COMMON_TRIGGER_KEYS].filter((k) => k !== "interval"));
  return renderProperties(definition.properties, declared.trigger, renderValue, keys);
}

export function intervalOf(trigger: DeclaredTrigger["trigger"]): number {
  return typeof trigger.interval === "string"
    ? parseDuration(trigger.interval)
    : typeof trigger.interval === "number"
      ? trigger.interval
      : DEFAULT_INTERVAL_MS;
}

/** Evaluates the trigger now; the state's `nextDate` moves one interval on, whatever the outcome. */
export async function pollingTick(
  role: RoleContext,
  declared: DeclaredTrigger,
  definition: AnyTriggerDefinition,
  state: TriggerState,
  now: Date,
  signal: AbortSignal,
): Promise<TickResult> {
  const { flow, trigger } = declared;
  const next: TriggerState = { ...state, nextDate: new Date(now.getTime() + intervalOf(trigger)).toISOString() };
  const executionId = friendlyId();
  const { ctx, masker, renderValue, cleanup } = createTriggerContext(role, declared, executionId, state, signal);
  let event: TriggerEvent | undefined;
  try {
    const props = await triggerProperties(definition, declared, (value) => renderValue(value));
    event = await definition.evaluate!(props as never, ctx);
  } catch (error) {
    triggerLog(role, flow, trigger.id, "ERROR", masker.mask(`Evaluation failed: ${describe(error)}`));
    return { executions: [], state: next };
  } finally {
    await cleanup();
  }
  if (!event) return { executions: [], state: next };
  try {
    const execution = await buildTriggeredExecution(role, {
      flow,
      trigger,
      variables: event.variables,
      id: executionId,
      ...(event.labels ? { labels: event.labels } : {}),
    });
    const onStarted = event.onStarted;
    return {
      executions: [execution],
      state: { ...next, lastDate: now.toISOString(), executionId },
      ...(onStarted ? { onStarted: () => afterStored(role, declared, executionId, masker, onStarted) } : {}),
    };
  } catch (error) {
    triggerLog(role, flow, trigger.id, "ERROR", masker.mask(`Unable to start an execution: ${describe(error)}`));
    return { executions: [], state: next };
  }
}

/** How long the scheduler waits for an event's `onStarted` before it goes on (it keeps running). */
const ON_STARTED_MS = 60_000;

/**
 * Runs an event's `onStarted` once its execution `executionId` is stored: a failure (a throw, a
 * rejection, or no answer within a minute) is logged on the trigger, masked as the evaluation's
 * own lines, and never fails the scheduler.
 */
async function afterStored(
  role: RoleContext,
  declared: DeclaredTrigger,
  executionId: string,
  masker: SecretMasker,
  onStarted: () => Promise<void>,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      (async () => onStarted())(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ON_STARTED_MS / 1000} s`)), ON_STARTED_MS);
        timer.unref();
      }),
    ]);
  } catch (error) {
    const line = `After its execution ${executionId} was stored: ${describe(error)}`;
    triggerLog(role, declared.flow, declared.trigger.id, "ERROR", masker.mask(line));
  } finally {
    clearTimeout(timer);
  }
}
