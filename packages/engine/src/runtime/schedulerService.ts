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
import { NOTIFY } from "../backend/notifier.ts";
import type { QueueMessage } from "../backend/queue.ts";
import type { TriggerState } from "../backend/records.ts";
import { isDiskFull } from "../storage/diskFull.ts";
import { backoffMs } from "./diskWatch.ts";
import {
  executionListeners,
  onExecutionEnded,
  onExecutionStateChanged,
  type ExecutionListeners,
} from "./triggers/executionEnded.ts";
import {
  declaredTriggers,
  SCHEDULE,
  SCHEDULE_ON_DATES,
  triggerKey,
  type DeclaredTrigger,
} from "./triggers/flowTriggers.ts";
import { intervalOf, pluginTrigger, pollingTick } from "./triggers/pollingTick.ts";
import { RealtimeListeners } from "./triggers/realtimeListeners.ts";
import { scheduleSignature, scheduleTick } from "./triggers/scheduleTick.ts";
import { describe, triggerLog } from "./triggers/triggeredExecution.ts";
import { mergeTriggerState, type TriggerRun } from "./triggers/triggerRun.ts";
import type { RoleContext, RoleState, RoleStatus } from "./roleContext.ts";

/** How long an ended execution waits before its Flow triggers are evaluated again after an error. */
const RETRY_AFTER_MS = 5_000;
/** The most messages one claim takes. */
const CLAIM_LIMIT = 50;
/** After a batch smaller than CLAIM_LIMIT, how long messages gather before the next claim. */
const GATHER_MS = 25;

export type SchedulerMessage =
  | { type: "execution-ended"; executionId: string }
  /** The execution moved to `state` without ending; it may have moved on since. */
  | { type: "execution-state"; executionId: string; state: StateType };

/** The trigger's dates changed since the run read them. */
function movedOn(before: TriggerState, current: TriggerState): boolean {
  return before.nextDate !== current.nextDate || before.lastDate !== current.lastDate;
}

export class SchedulerService {
  private clockRunning = false;
  private consuming = false;
  private wakeClock: (() => void) | undefined;
  private wakeConsumer: (() => void) | undefined;
  /** Ends the consumer's pause between two claims (at stop). */
  private endGather: (() => void) | undefined;
  private consumer: Promise<void> | undefined;
  private clock: Promise<void> | undefined;
  private readonly polling = new Map<string, Promise<void>>();
  /**
   * When a polling trigger whose commit failed may be evaluated again: its state (`nextDate`) was
   * not saved, and it should not run every second meanwhile (re-reading a mailbox each time).
   */
  private readonly pollRetryAt = new Map<string, number>();
  private readonly abort = new AbortController();
  /** Claimed messages a full disk kept from being handled. */
  private held: QueueMessage<SchedulerMessage>[] = [];
  /** Listeners of realtime triggers, kept in step with the flows at each tick. */
  readonly realtime: RealtimeListeners;

  private state: RoleState = "INITIALIZED";
  private lastPassDate: string | undefined;
  /** Set by a wake-up that came while the consumer was not idle: its next idle returns at once. */
  private woken = false;
  /**
   * On a shared database, whether this process's clock may tick now: one scheduler leads (see
   * backend/postgres/leadership.ts), the others wait to take over. None: always.
   */
  leader: (() => Promise<boolean>) | undefined;

  constructor(private readonly ctx: RoleContext) {
    this.realtime = new RealtimeListeners(ctx);
  }

  status(): RoleStatus {
    const status: RoleStatus = { state: this.state, inFlight: this.held.length + this.polling.size };
    if (this.lastPassDate) status.lastPassDate = this.lastPassDate;
    return status;
  }

  /** Consumes ended executions (Flow triggers, stopAfter). */
  startConsumer(): void {
    if (this.consuming) return;
    this.consuming = true;
    this.state = "RUNNING";
    const unsubscribe = this.ctx.backend.notifier.on(NOTIFY.queue("scheduler"), () => {
      if (this.wakeConsumer) this.wakeConsumer();
      else this.woken = true;
    });
    this.consumer = this.consume().finally(unsubscribe);
  }

  /** Starts the clock: Schedule, ScheduleOnDates and polling triggers, once a second. */
  startClock(): void {
    if (this.clockRunning) return;
    this.clockRunning = true;
    this.state = "RUNNING";
    this.clock = this.runClock();
  }

  async stop(): Promise<void> {
    if (this.state === "RUNNING") this.state = "STOPPING";
    this.clockRunning = false;
    this.consuming = false;
    this.abort.abort();
    this.wakeClock?.();
    this.wakeConsumer?.();
    this.endGather?.();
    await Promise.all([this.clock, this.consumer, ...this.polling.values()]);
    await this.realtime.stopAll();
    if (this.state === "STOPPING") this.state = "STOPPED";
  }

  private async runClock(): Promise<void> {
    while (this.clockRunning) {
      try {
        if (!this.leader || (await this.leader())) {
          await this.tick(new Date());
          this.lastPassDate = new Date().toISOString();
        }
        // another scheduler leads: this one's realtime listeners stop
        else this.realtime.sync([], Date.now());
      } catch (error) {
        this.ctx.report.loopError("scheduler tick failed", error);
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
    const ctx = this.ctx;
    const tenantId = ctx.config.tenantId;
    const listening: DeclaredTrigger[] = [];
    // Flows not parsed yet (all of them at startup, or after plugins changed) are parsed without
    // holding the event loop; the pass below then reads them from the cache.
    await ctx.flows.prepareLatest();
    for (const declared of declaredTriggers(ctx)) {
      const key = triggerKey(declared);
      const state: TriggerState = (await ctx.backend.triggers.get(tenantId, key)) ?? { ...key };
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
          const result = await scheduleTick(ctx, declared, state, now);
          await this.commit([{ key, before: state, after: result.state, executions: result.executions }], [], true);
          continue;
        }
        this.poll(declared, state, now);
      } catch (error) {
        triggerLog(ctx, declared.flow, declared.trigger.id, "ERROR", `Trigger evaluation failed: ${describe(error)}`);
      }
    }
    if (this.clockRunning) this.realtime.sync(listening, Date.now());
  }

  private poll(declared: DeclaredTrigger, state: TriggerState, now: Date): void {
    const definition = pluginTrigger(this.ctx, declared, "polling");
    if (!definition) return;
    const id = `${declared.flow.namespace}/${declared.flow.id}/${declared.trigger.id}`;
    if (this.polling.has(id) || (state.nextDate && new Date(state.nextDate) > now)) return;
    if ((this.pollRetryAt.get(id) ?? 0) > Date.now()) return;
    this.pollRetryAt.delete(id);
    const run = pollingTick(this.ctx, declared, definition, state, now, this.abort.signal)
      .then(async (result) => {
        if (!this.clockRunning) return;
        const started = await this.commit(
          [{ key: triggerKey(declared), before: state, after: result.state, executions: result.executions }],
          [],
          true,
        );
        // the event's own step once its execution is stored (failures logged on the trigger)
        if (started.length) await result.onStarted?.();
      })
      .catch((error: unknown) => {
        this.pollRetryAt.set(id, Date.now() + intervalOf(declared.trigger));
        this.ctx.report.loopError(`polling trigger ${id} failed`, error);
      })
      .finally(() => this.polling.delete(id));
    this.polling.set(id, run);
  }

  /**
   * Saves what trigger runs changed and starts their executions, in one transaction, with the
   * acknowledgement of the message they came from. A trigger disabled meanwhile starts nothing,
   * nor (`byClock`) one whose dates another scheduler moved on meanwhile. Resolves with the
   * executions started.
   */
  private async commit(runs: readonly TriggerRun[], ack: number[] = [], byClock = false): Promise<Execution[]> {
    const { backend, config, admission } = this.ctx;
    const tenantId = config.tenantId;
    const started: Execution[] = [];
    await backend.transaction(async (tx) => {
      for (const run of runs) {
        // The row stays locked until the commit: a toggle or backfill from the API (any process) is not
        // overwritten, and dates another scheduler handled meanwhile (a leader that lost its lock
        // unawares) start nothing twice.
        let skip = false;
        await tx.triggers.update(tenantId, run.key, (current) => {
          skip = run.executions.length > 0 && (current.disabled === true || (byClock && movedOn(run.before, current)));
          return skip ? current : mergeTriggerState(current, run);
        });
        if (skip) continue;
        await admission.queueExecutions(tx, run.executions);
        started.push(...run.executions);
      }
      await tx.queue.ack(ack);
    });
    admission.announce(started);
    return started;
  }

  private async consume(): Promise<void> {
    let attempt = 0;
    while (this.consuming) {
      try {
        this.woken = false;
        const { backend, leases } = this.ctx;
        const batch = this.held.length
          ? this.held.splice(0)
          : await backend.queue.claim<SchedulerMessage>("scheduler", CLAIM_LIMIT, backend.owner, leases.leaseMs);
        leases.hold(batch.map((m) => m.seq));
        if (batch.length === 0) {
          await this.idle(1000);
          continue;
        }
        await this.handleBatch(batch);
        attempt = 0;
        // Messages come one or two per execution: a short pause lets the next claim (a write)
        // take many at once instead of one per wake-up.
        if (batch.length < CLAIM_LIMIT) await this.gather();
      } catch (error) {
        // A full disk: the messages stay claimed and are handled again after a pause.
        this.ctx.report.loopError("scheduler", error);
        await this.idle(backoffMs(attempt++));
      }
    }
  }

  /** Waits GATHER_MS, whatever arrives meanwhile (only `stop` ends the wait early). */
  private gather(): Promise<void> {
    if (!this.consuming) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.endGather = undefined;
        resolve();
      }, GATHER_MS);
      this.endGather = () => {
        clearTimeout(timer);
        this.endGather = undefined;
        resolve();
      };
    });
  }

  private idle(ms: number): Promise<void> {
    if (this.woken || !this.consuming) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeConsumer = () => {
        clearTimeout(timer);
        this.wakeConsumer = undefined;
        resolve();
      };
    });
  }

  /**
   * Handles a batch of messages with the triggers of the latest flows read once. A message that
   * starts or changes nothing (the common case: no Flow trigger listens) is acknowledged with the
   * others like it in one transaction at the end; one that does is committed at once, so the next
   * message reads the trigger state it wrote. On a full disk, the messages not acknowledged yet
   * are held and the error thrown.
   */
  private async handleBatch(batch: QueueMessage<SchedulerMessage>[]): Promise<void> {
    let listeners: ExecutionListeners;
    try {
      listeners = executionListeners(this.ctx);
    } catch (error) {
      if (isDiskFull(error)) {
        this.held = batch;
        throw error;
      }
      for (const message of batch) await this.retryLater(message, error);
      return;
    }
    const quiet: QueueMessage<SchedulerMessage>[] = [];
    for (let i = 0; i < batch.length; i++) {
      const message = batch[i]!;
      try {
        if (!(await this.handle(message, listeners))) quiet.push(message);
      } catch (error) {
        this.held = [...quiet, ...batch.slice(i)];
        throw error;
      }
    }
    if (quiet.length === 0) return;
    const seqs = quiet.map((m) => m.seq);
    try {
      await this.commit([], seqs);
      this.ctx.leases.drop(seqs);
    } catch (error) {
      if (isDiskFull(error)) {
        this.held = quiet;
        throw error;
      }
      for (const message of quiet) await this.retryLater(message, error);
    }
  }

  /**
   * Handles a message; resolves false when it has nothing to write but its acknowledgement (left
   * to the caller), true when it was committed or released for a later retry.
   */
  private async handle(message: QueueMessage<SchedulerMessage>, listeners: ExecutionListeners): Promise<boolean> {
    try {
      // No trigger can listen: the execution need not be read (what it would give is no run).
      if (listeners.quiet) return false;
      const payload = message.payload;
      const stored = await this.ctx.backend.executions.get(payload.executionId);
      let runs: TriggerRun[] = [];
      if (stored && payload.type === "execution-state") {
        const execution = { ...stored.execution, state: { ...stored.execution.state, current: payload.state } };
        runs = await onExecutionStateChanged(this.ctx, execution, new Date(), listeners);
      } else if (stored) {
        runs = await onExecutionEnded(this.ctx, stored.execution, new Date(), listeners);
      }
      if (runs.length === 0) return false;
      await this.commit(runs, [message.seq]);
      this.ctx.leases.drop([message.seq]);
      return true;
    } catch (error) {
      if (isDiskFull(error)) throw error;
      await this.retryLater(message, error);
      return true;
    }
  }

  /** Nothing was written: the message comes back later, so no Flow trigger is lost. */
  private async retryLater(message: QueueMessage<SchedulerMessage>, error: unknown): Promise<void> {
    this.ctx.report.internalError(
      `flow triggers after execution '${message.payload.executionId}' failed; retrying`,
      error,
    );
    await this.ctx.backend.queue.release(message.seq, Date.now() + RETRY_AFTER_MS);
    this.ctx.leases.drop([message.seq]);
  }
}
