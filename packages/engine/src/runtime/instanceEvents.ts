/**
 * `instance.events` as callers know it (`on`, `off`, `emit` of `execution`, `execution:end` and
 * `log`), kept as a thin facade over the backend's notifier: the loops notify, and a follower
 * in this process hears it here.
 */
import { NOTIFY, type Notifier } from "../backend/notifier.ts";
import type { LogEntry } from "../executor/types.ts";
import type { Execution } from "../model/execution.ts";

export interface InstanceEvents {
  execution: [Execution];
  "execution:end": [Execution];
  log: [LogEntry];
}

type Name = keyof InstanceEvents;
type Handler<K extends Name> = (...args: InstanceEvents[K]) => void;

const TOPICS: Record<Name, string> = {
  execution: NOTIFY.execution,
  "execution:end": NOTIFY.executionEnd,
  log: NOTIFY.log,
};

export class InstanceEventsFacade {
  /** Per event, each handler's unsubscribe functions (one per `on`, as an EventEmitter counts them). */
  private readonly subscriptions = new Map<Name, Map<unknown, (() => void)[]>>();

  constructor(private readonly notifier: Notifier) {}

  on<K extends Name>(name: K, handler: Handler<K>): this {
    const off = this.notifier.on(TOPICS[name], (payload) => (handler as (arg: unknown) => void)(payload));
    let byHandler = this.subscriptions.get(name);
    if (!byHandler) this.subscriptions.set(name, (byHandler = new Map()));
    byHandler.set(handler, [...(byHandler.get(handler) ?? []), off]);
    return this;
  }

  off<K extends Name>(name: K, handler: Handler<K>): this {
    const byHandler = this.subscriptions.get(name);
    const offs = byHandler?.get(handler);
    if (!byHandler || !offs) return this;
    offs.pop()?.();
    if (offs.length === 0) byHandler.delete(handler);
    return this;
  }

  emit<K extends Name>(name: K, ...args: InstanceEvents[K]): boolean {
    this.notifier.notify(TOPICS[name], args[0]);
    return true;
  }

  listenerCount(name: Name): number {
    let n = 0;
    for (const offs of this.subscriptions.get(name)?.values() ?? []) n += offs.length;
    return n;
  }

  /** Kept for callers of the EventEmitter API; there is no limit to warn about. */
  setMaxListeners(_n: number): this {
    return this;
  }
}
