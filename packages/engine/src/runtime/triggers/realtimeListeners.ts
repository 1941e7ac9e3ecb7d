/**
 * Realtime triggers (`triggerKind: "realtime"`, e.g. queue consumers): one listener per declared
 * trigger, started by the scheduler's tick, each event becoming an execution at once. A listener
 * stops when its trigger disappears, is disabled, or its flow gets a new revision (then a new one
 * starts); one that fails is logged on the trigger and started again after a pause.
 */
import { friendlyId } from "../../model/ids.ts";
import type { RoleContext } from "../roleContext.ts";
import { triggerKey, type DeclaredTrigger } from "./flowTriggers.ts";
import { pluginTrigger, triggerProperties } from "./pollingTick.ts";
import { createTriggerContext } from "./triggerContext.ts";
import { buildTriggeredExecution, describe, triggerLog } from "./triggeredExecution.ts";

const RESTART_AFTER_MS = 5_000;

interface Listener {
  controller: AbortController;
  done: Promise<void>;
}

export class RealtimeListeners {
  private readonly running = new Map<string, Listener>();
  private readonly retryAt = new Map<string, number>();

  constructor(private readonly role: RoleContext) {}

  /** Makes the running listeners match the realtime triggers given (enabled, latest revisions). */
  sync(triggers: readonly DeclaredTrigger[], now: number): void {
    const wanted = new Map<string, DeclaredTrigger>();
    for (const declared of triggers) {
      if (pluginTrigger(this.role, declared, "realtime"))
        wanted.set(
          `${declared.flow.namespace}/${declared.flow.id}@${declared.flow.revision}/${declared.trigger.id}`,
          declared,
        );
    }
    for (const [key, listener] of this.running) {
      if (!wanted.has(key)) {
        listener.controller.abort();
        this.running.delete(key);
      }
    }
    for (const [key, declared] of wanted) {
      if (this.running.has(key) || (this.retryAt.get(key) ?? 0) > now) continue;
      this.retryAt.delete(key);
      this.running.set(key, this.start(key, declared));
    }
  }

  get size(): number {
    return this.running.size;
  }

  async stopAll(): Promise<void> {
    for (const listener of this.running.values()) listener.controller.abort();
    await Promise.all([...this.running.values()].map((l) => l.done));
    this.running.clear();
  }

  private start(key: string, declared: DeclaredTrigger): Listener {
    const role = this.role;
    const controller = new AbortController();
    const tenantId = role.config.tenantId;
    const definition = pluginTrigger(role, declared, "realtime")!;
    const emit = async (event: { variables: Record<string, unknown>; labels?: Record<string, string> }) => {
      if (controller.signal.aborted) return;
      const execution = await buildTriggeredExecution(role, {
        ...declared,
        variables: event.variables,
        id: friendlyId(),
        ...(event.labels ? { labels: event.labels } : {}),
      });
      if (controller.signal.aborted) return;
      // Under the trigger row's lock: a trigger disabled meanwhile (by any process) starts nothing,
      // and its `disabled` is never overwritten by this write.
      let disabled = false;
      await role.backend.transaction(async (tx) => {
        await tx.triggers.update(tenantId, triggerKey(declared), (current) => {
          disabled = current.disabled === true;
          return disabled ? current : { ...current, lastDate: new Date().toISOString(), executionId: execution.id };
        });
        if (!disabled) await role.admission.queueExecutions(tx, [execution]);
      });
      if (!disabled) role.admission.announce([execution]);
    };
    const done = (async () => {
      const state = (await role.backend.triggers.get(tenantId, triggerKey(declared))) ?? triggerKey(declared);
      // Files a listener stores go under the trigger's own folder, not under one execution.
      const { ctx, masker, renderValue, cleanup } = createTriggerContext(
        role,
        declared,
        "realtime",
        state,
        controller.signal,
      );
      try {
        const props = await triggerProperties(definition, declared, (value) => renderValue(value));
        await definition.listen!(props as never, ctx, emit);
      } catch (error) {
        if (controller.signal.aborted) return;
        triggerLog(
          role,
          declared.flow,
          declared.trigger.id,
          "ERROR",
          masker.mask(`Listener failed, restarting in ${RESTART_AFTER_MS / 1000} s: ${describe(error)}`),
        );
        this.retryAt.set(key, Date.now() + RESTART_AFTER_MS);
      } finally {
        await cleanup();
        if (this.running.get(key)?.controller === controller) this.running.delete(key);
      }
    })();
    return { controller, done };
  }
}
