/**
 * The scheduler: every second it looks at the Schedule, ScheduleOnDates and polling triggers of
 * every enabled flow and starts the executions that fell due; and it consumes the `scheduler`
 * topic, where the executor posts every execution that ended, for Flow triggers and `stopAfter`.
 *
 * Trigger state (last date handled, next date, backfill, windows) is saved in the same
 * transaction as the executions it started, so a crash neither loses nor doubles a date.
 */
import type { StateType } from "@saker/sdk";
import type { Execution } from "../model/execution.ts";
import type { QueueMessage } from "../queue/queue.ts";
import type { TriggerState } from "../repository/sqlite/triggerStore.ts";
import { isDiskFull } from "../storage/diskFull.ts";
import { backoffMs } from "./diskWatch.ts";
import { LEASE_MS } from "./leases.ts";
import { onExecutionEnded, onExecutionStateChanged } from "./triggers/executionEnded.ts";
import {
  declaredTriggers,
  SCHEDULE,
  SCHEDULE_ON_DATES,
  triggerKey,
  type DeclaredTrigger,
} from "./triggers/flowTriggers.ts";
import { pluginTrigger, pollingTick } from "./triggers/pollingTick.ts";
import { RealtimeListeners } from "./triggers/realtimeListeners.ts";
import { scheduleSignature, scheduleTick } from "./triggers/scheduleTick.ts";
import { describe, triggerLog } from "./triggers/triggeredExecution.ts";
import { mergeTriggerState, type TriggerRun } from "./triggers/triggerRun.ts";
import type { Instance } from "./instance.ts";

/** How long an ended execution waits before its Flow triggers are evaluated again after an error. */
const RETRY_AFTER_MS = 5_000;

export type SchedulerMessage =
  | { type: "execution-ended"; executionId: string }
  /** The execution moved to `state` without ending; it may have moved on since. */
  | { type: "execution-state"; executionId: string; state: StateType };

export class SchedulerService {
  private clockRunning = false;
  private consuming = false;
  private wakeClock: (() => void) | undefined;
  private wakeConsumer: (() => void) | undefined;
  private consumer: Promise<void> | undefined;
  private clock: Promise<void> | undefined;
  private readonly polling = new Map<string, Promise<void>>();
  private readonly abort = new AbortController();
  /** Claimed messages a full disk kept from being handled. */
  private held: QueueMessage<SchedulerMessage>[] = [];
  /** Listeners of realtime triggers, kept in step with the flows at each tick. */
  readonly realtime: RealtimeListeners;

  constructor(private readonly instance: Instance) {
    this.realtime = new RealtimeListeners(instance);
  }

  /** Consumes ended executions (Flow triggers, stopAfter). */
  startConsumer(): void {
    if (this.consuming) return;
    this.consuming = true;
    const unsubscribe = this.instance.queue.onMessage("scheduler", () => this.wakeConsumer?.());
    this.consumer = this.consume().finally(unsubscribe);
  }

  /** Starts the clock: Schedule, ScheduleOnDates and polling triggers, once a second. */
  startClock(): void {
    if (this.clockRunning) return;
    this.clockRunning = true;
    this.clock = this.runClock();
  }

  async stop(): Promise<void> {
    this.clockRunning = false;
    this.consuming = false;
    this.abort.abort();
    this.wakeClock?.();
    this.wakeConsumer?.();
    await Promise.all([this.clock, this.consumer, ...this.polling.values()]);
    await this.realtime.stopAll();
  }

  private async runClock(): Promise<void> {
    while (this.clockRunning) {
      try {
        await this.tick(new Date());
      } catch (error) {
        this.instance.reportLoopError("scheduler tick failed", error);
      }
      if (!this.clockRunning) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1000 - (Date.now() % 1000) + 5);
        this.wakeClock = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** One pass over the clock-driven triggers (public for tests, which pass their own `now`). */
  async tick(now: Date): Promise<void> {
    const instance = this.instance;
    const tenantId = instance.config.tenantId;
    const listening: DeclaredTrigger[] = [];
    // Flows not parsed yet (all of them at startup, or after plugins changed) are parsed without
    // holding the event loop; the pass below then reads them from the cache.
    await instance.flows.prepareLatest();
    for (const declared of declaredTriggers(instance)) {
      const key = triggerKey(declared);
      const state: TriggerState = instance.triggers.get(tenantId, key) ?? { ...key };
      if (state.disabled) continue;
      listening.push(declared);
      try {
        if (declared.trigger.type === SCHEDULE || declared.trigger.type === SCHEDULE_ON_DATES) {
          // A changed schedule (new cron, zone or dates) is looked at again at once, not at the old next date.
          const unchanged = state.schedule === scheduleSignature(declared);
          const waiting =
            unchanged &&
            state.lastDate &&
            state.nextDate &&
            new Date(state.nextDate) > now &&
            !(state.backfill && !state.backfill.paused);
          if (waiting) continue;
          const result = await scheduleTick(instance, declared, state, now);
          this.commit([{ key, before: state, after: result.state, executions: result.executions }]);
          continue;
        }
        this.poll(declared, state, now);
      } catch (error) {
        triggerLog(
          instance,
          declared.flow,
          declared.trigger.id,
          "ERROR",
          `Trigger evaluation failed: ${describe(error)}`,
        );
      }
    }
    if (this.clockRunning) this.realtime.sync(listening, Date.now());
  }

  private poll(declared: DeclaredTrigger, state: TriggerState, now: Date): void {
    const definition = pluginTrigger(this.instance, declared, "polling");
    if (!definition) return;
    const id = `${declared.flow.namespace}/${declared.flow.id}/${declared.trigger.id}`;
    if (this.polling.has(id) || (state.nextDate && new Date(state.nextDate) > now)) return;
    const run = pollingTick(this.instance, declared, definition, state, now, this.abort.signal)
      .then((result) => {
        if (this.clockRunning)
          this.commit([
            { key: triggerKey(declared), before: state, after: result.state, executions: result.executions },
          ]);
      })
      .catch((error) => this.instance.reportLoopError(`polling trigger ${id} failed`, error))
      .finally(() => this.polling.delete(id));
    this.polling.set(id, run);
  }

  /**
   * Saves what trigger runs changed and starts their executions, in one transaction, with the
   * acknowledgement of the message they came from. A trigger disabled meanwhile starts nothing.
   */
  private commit(runs: readonly TriggerRun[], ack: number[] = []): void {
    const instance = this.instance;
    const tenantId = instance.config.tenantId;
    const started: Execution[] = [];
    instance.db.transaction(() => {
      for (const run of runs) {
        const current = instance.triggers.get(tenantId, run.key) ?? { ...run.key };
        if (current.disabled && run.executions.length > 0) continue;
        instance.triggers.put(tenantId, mergeTriggerState(current, run));
        instance.queueExecutions(run.executions);
        started.push(...run.executions);
      }
      instance.queue.ack(ack);
    })();
    instance.announceExecutions(started);
  }

  private async consume(): Promise<void> {
    let attempt = 0;
    while (this.consuming) {
      try {
        const batch = this.held.length
          ? this.held.splice(0)
          : this.instance.queue.claim<SchedulerMessage>("scheduler", 50, this.instance.backend.owner, LEASE_MS);
        if (batch.length === 0) {
          await this.idle(1000);
          continue;
        }
        for (let i = 0; i < batch.length; i++) {
          try {
            await this.handle(batch[i]!);
          } catch (error) {
            this.held = batch.slice(i);
            throw error;
          }
        }
        attempt = 0;
      } catch (error) {
        // A full disk: the messages stay claimed and are handled again after a pause.
        this.instance.reportLoopError("scheduler", error);
        await this.idle(backoffMs(attempt++));
      }
    }
  }

  private idle(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeConsumer = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private async handle(message: QueueMessage<SchedulerMessage>): Promise<void> {
    try {
      const payload = message.payload;
      const stored = this.instance.executions.get(payload.executionId);
      let runs: TriggerRun[] = [];
      if (stored && payload.type === "execution-state") {
        const execution = { ...stored.execution, state: { ...stored.execution.state, current: payload.state } };
        runs = await onExecutionStateChanged(this.instance, execution, new Date());
      } else if (stored) {
        runs = await onExecutionEnded(this.instance, stored.execution, new Date());
      }
      this.commit(runs, [message.seq]);
    } catch (error) {
      if (isDiskFull(error)) throw error;
      // Nothing was written: the message comes back later, so no Flow trigger is lost.
      this.instance.reportInternalError(
        `flow triggers after execution '${message.payload.executionId}' failed; retrying`,
        error,
      );
      this.instance.queue.release(message.seq, Date.now() + RETRY_AFTER_MS);
    }
  }
}
