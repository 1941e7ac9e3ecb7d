/**
 * The scheduler: every second it looks at the Schedule, ScheduleOnDates and polling triggers of
 * every enabled flow and starts the executions that fell due; and it consumes the `scheduler`
 * topic, where the executor posts every execution that ended, for Flow triggers and `stopAfter`.
 *
 * Trigger state (last date handled, next date, backfill, windows) is saved in the same
 * transaction as the executions it started, so a crash neither loses nor doubles a date.
 */
import type { ExecutorEvent } from "../executor/types.ts";
import type { Execution } from "../model/execution.ts";
import type { QueueMessage } from "../queue/queue.ts";
import type { TriggerState } from "../repository/sqlite/triggerStore.ts";
import { onExecutionEnded } from "./triggers/executionEnded.ts";
import { declaredTriggers, SCHEDULE, SCHEDULE_ON_DATES, triggerKey, type DeclaredTrigger } from "./triggers/flowTriggers.ts";
import { pluginTrigger, pollingTick } from "./triggers/pollingTick.ts";
import { RealtimeListeners } from "./triggers/realtimeListeners.ts";
import { scheduleSignature, scheduleTick } from "./triggers/scheduleTick.ts";
import { describe, triggerLog } from "./triggers/triggeredExecution.ts";
import type { Instance } from "./instance.ts";

export interface SchedulerMessage {
  type: "execution-ended";
  executionId: string;
}

export class SchedulerService {
  private clockRunning = false;
  private consuming = false;
  private wakeClock: (() => void) | undefined;
  private wakeConsumer: (() => void) | undefined;
  private consumer: Promise<void> | undefined;
  private clock: Promise<void> | undefined;
  private readonly polling = new Map<string, Promise<void>>();
  private readonly abort = new AbortController();
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
        this.instance.reportInternalError("scheduler tick failed", error);
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
    for (const declared of declaredTriggers(instance)) {
      const key = triggerKey(declared);
      const state: TriggerState = instance.triggers.get(tenantId, key) ?? { ...key };
      if (state.disabled) continue;
      listening.push(declared);
      try {
        if (declared.trigger.type === SCHEDULE || declared.trigger.type === SCHEDULE_ON_DATES) {
          // A changed schedule (new cron, zone or dates) is looked at again at once, not at the old next date.
          const unchanged = state.schedule === scheduleSignature(declared);
          const waiting = unchanged && state.lastDate && state.nextDate && new Date(state.nextDate) > now && !(state.backfill && !state.backfill.paused);
          if (waiting) continue;
          const result = await scheduleTick(instance, declared, state, now);
          this.commit(result.executions, [result.state]);
          continue;
        }
        this.poll(declared, state, now);
      } catch (error) {
        triggerLog(instance, declared.flow, declared.trigger.id, "ERROR", `Trigger evaluation failed: ${describe(error)}`);
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
        if (this.clockRunning) this.commit(result.executions, [result.state]);
      })
      .catch((error) => this.instance.reportInternalError(`polling trigger ${id} failed`, error))
      .finally(() => this.polling.delete(id));
    this.polling.set(id, run);
  }

  /** Saves trigger states and starts executions in one transaction. */
  private commit(executions: Execution[], states: TriggerState[], ack: number[] = []): void {
    const tenantId = this.instance.config.tenantId;
    this.instance.startExecutions(executions, () => {
      for (const state of states) this.instance.triggers.put(tenantId, state);
      this.instance.queue.ack(ack);
    });
  }

  private async consume(): Promise<void> {
    const instance = this.instance;
    while (this.consuming) {
      const batch = instance.queue.claim<SchedulerMessage | ExecutorEvent>("scheduler", 50);
      if (batch.length === 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 1000);
          this.wakeConsumer = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        continue;
      }
      for (const message of batch) await this.handle(message as QueueMessage<SchedulerMessage>);
    }
  }

  private async handle(message: QueueMessage<SchedulerMessage>): Promise<void> {
    const stored = this.instance.executions.get(message.payload.executionId);
    if (!stored) return this.commit([], [], [message.seq]);
    try {
      const result = await onExecutionEnded(this.instance, stored.execution, new Date());
      this.commit(result.executions, result.states, [message.seq]);
    } catch (error) {
      this.instance.reportInternalError(`flow triggers after execution '${stored.execution.id}' failed`, error);
      this.commit([], [], [message.seq]);
    }
  }
}
