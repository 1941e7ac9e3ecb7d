/**
 * What stops a task run (a kill, the worker stopping, its timeout), without an AbortController
 * until something asks for the AbortSignal: a plugin reading `ctx.signal`, a `fetch`, a `jq` call.
 * Most task runs never ask, and in Node 20 making an AbortSignal costs more than running a Return
 * task (about 2.6 µs, and an EventTarget for the collector): one per job cost a burst of one-task
 * executions about a seventh of its throughput.
 */
export class KillSwitch {
  private controller: AbortController | undefined;
  private listeners: (() => void)[] | undefined;
  private stopped = false;
  private stopReason: unknown;

  get aborted(): boolean {
    return this.stopped;
  }

  get reason(): unknown {
    return this.stopReason;
  }

  /** Stops, with `reason`. The first call wins, as AbortController's. */
  abort(reason: unknown): void {
    if (this.stopped) return;
    this.stopped = true;
    this.stopReason = reason;
    this.controller?.abort(reason);
    const listeners = this.listeners;
    this.listeners = undefined;
    if (listeners) for (const listener of listeners) listener();
  }

  throwIfAborted(): void {
    if (this.stopped) throw this.stopReason;
  }

  /**
   * Calls `listener` once, when this stops, or at once when it has stopped already. Returns what
   * removes it.
   */
  onAbort(listener: () => void): () => void {
    if (this.stopped) {
      listener();
      return noop;
    }
    (this.listeners ??= []).push(listener);
    return () => {
      const i = this.listeners?.indexOf(listener) ?? -1;
      if (i >= 0) this.listeners!.splice(i, 1);
    };
  }

  /** The AbortSignal of this switch, made at the first ask (aborted already if this has stopped). */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.stopped) this.controller.abort(this.stopReason);
    }
    return this.controller.signal;
  }
}

function noop(): void {}

/**
 * Resolves once `register` calls back or `kill` stops, whichever comes first. A wait that ends by
 * the call back removes its listener from the switch, so that a task run waiting many times does
 * not pile them up.
 */
export function untilOrStopped(kill: KillSwitch, register: (done: () => void) => void): Promise<void> {
  if (kill.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const stopListening = kill.onAbort(resolve);
    register(() => {
      stopListening();
      resolve();
    });
  });
}

/** An AbortSignal, or a KillSwitch that makes one only when asked. */
export type Abortable = AbortSignal | KillSwitch;

/** The AbortSignal of `abortable` (a KillSwitch makes its own now). */
export function signalOf(abortable: Abortable): AbortSignal;
export function signalOf(abortable: Abortable | undefined): AbortSignal | undefined;
export function signalOf(abortable: Abortable | undefined): AbortSignal | undefined {
  return abortable instanceof KillSwitch ? abortable.signal : abortable;
}
