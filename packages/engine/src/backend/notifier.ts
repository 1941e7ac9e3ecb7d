/**
 * Wake-ups and live updates: "something was written to topic X". A notification carries no
 * guarantee (it may be lost, e.g. a listener in another process reconnecting): a consumer reads
 * the database for the truth and also polls, the notification only spares it the wait. So
 * notify after the commit that made the change visible, never inside the transaction.
 *
 * In-process for SQLite (one process owns the file); LISTEN/NOTIFY for PostgreSQL, where a
 * payload must be small and JSON (8000 bytes at most there).
 */
export type Listener = (payload: unknown) => void;

export interface Notifier {
  /**
   * Set when a notification may be lost (another process's, heard by a listener that was
   * reconnecting): whoever waits for a change reads the database this often too (ms).
   */
  readonly pollMs?: number;
  notify(topic: string, payload?: unknown): void;
  /** Calls `listener` for each notification of `topic`; returns the unsubscribe function. */
  on(topic: string, listener: Listener): () => void;
}

/**
 * Calls `fn` at each of the notifier's polls, where its notifications may be lost (`pollMs`), and
 * never on a notifier that loses none. Returns what stops it.
 */
export function onEachPoll(notifier: Notifier, fn: () => void): () => void {
  if (!notifier.pollMs) return () => undefined;
  const timer = setInterval(fn, notifier.pollMs);
  return () => clearInterval(timer);
}

/** Topics the engine uses besides the queue's (`queue:<topic>`). */
export const NOTIFY = {
  queue: (topic: string) => `queue:${topic}`,
  execution: "execution",
  executionEnd: "execution:end",
  log: "log",
} as const;

/** Listeners in this process; a listener that throws does not keep the others from their call. */
export class LocalNotifier implements Notifier {
  private readonly listeners = new Map<string, Set<Listener>>();

  constructor(private readonly onListenerError: (topic: string, error: unknown) => void = () => {}) {}

  notify(topic: string, payload?: unknown): void {
    const set = this.listeners.get(topic);
    if (!set) return;
    for (const listener of set) {
      try {
        listener(payload);
      } catch (error) {
        this.onListenerError(topic, error);
      }
    }
  }

  on(topic: string, listener: Listener): () => void {
    let set = this.listeners.get(topic);
    if (!set) this.listeners.set(topic, (set = new Set()));
    // the same function twice is two subscriptions (as with an EventEmitter)
    const entry: Listener = (payload) => listener(payload);
    set.add(entry);
    return () => {
      set.delete(entry);
    };
  }

  listenerCount(topic: string): number {
    return this.listeners.get(topic)?.size ?? 0;
  }
}
