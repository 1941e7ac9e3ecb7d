/**
 * Who waits on which execution: one listener on the instance's `execution` (or `execution:end`)
 * notifications for all waiters, and a map from execution id to its waiters, so a notification costs one map look-up
 * however many requests are waiting (a listener per waiter would run them all on every event).
 * The listener is subscribed while someone waits and removed with the last waiter.
 */
import type { Execution } from "../model/execution.ts";

/** The notifications waiters follow: every change, or only ends. */
export type ExecutionEventName = "execution" | "execution:end";

/** The part of `instance.events` the waiters need. */
export interface ExecutionEventSource {
  on(name: ExecutionEventName, handler: (execution: Execution) => void): unknown;
  off(name: ExecutionEventName, handler: (execution: Execution) => void): unknown;
}

export class ExecutionWaiters {
  private readonly waiting = new Map<string, Set<(execution: Execution) => void>>();
  private readonly dispatch = (execution: Execution) => {
    const waiters = this.waiting.get(execution.id);
    if (!waiters) return;
    // a waiter may stop watching from its own call
    for (const waiter of [...waiters]) waiter(execution);
  };

  constructor(
    private readonly events: ExecutionEventSource,
    private readonly event: ExecutionEventName = "execution",
  ) {}

  /** Calls `onChange` with every notified change of execution `id` until the returned function is called. */
  watch(id: string, onChange: (execution: Execution) => void): () => void {
    if (this.waiting.size === 0) this.events.on(this.event, this.dispatch);
    let waiters = this.waiting.get(id);
    if (!waiters) this.waiting.set(id, (waiters = new Set()));
    // one entry per watch, even for the same function twice
    const entry = (execution: Execution) => onChange(execution);
    waiters.add(entry);
    let stopped = false;
    return () => {
      if (stopped) return;
      stopped = true;
      waiters.delete(entry);
      if (waiters.size > 0) return;
      this.waiting.delete(id);
      if (this.waiting.size === 0) this.events.off(this.event, this.dispatch);
    };
  }

  /** How many waits are open (for tests and diagnostics). */
  get size(): number {
    let n = 0;
    for (const waiters of this.waiting.values()) n += waiters.size;
    return n;
  }
}
