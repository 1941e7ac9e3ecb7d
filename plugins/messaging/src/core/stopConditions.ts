/**
 * When a consuming task stops: after `maxRecords` records, after `maxDuration`, or when its
 * signal aborts (timeout or kill). Polling is cheap (a timer every 100 ms at most) and ends at
 * once when the last record arrives.
 */
import { NonRetryableError } from "@saker/sdk";

export interface StopLimits {
  maxRecords?: number | undefined;
  /** Milliseconds. */
  maxDuration?: number | undefined;
}

export function requireStopCondition(limits: StopLimits): void {
  if (limits.maxRecords === undefined && limits.maxDuration === undefined)
    throw new NonRetryableError("maxDuration or maxRecords must be set, otherwise the consumer would never stop");
}

/** Resolves once `count()` reaches `maxRecords`, `maxDuration` has passed, or `done()` says so; rejects when `signal` aborts. */
export async function waitForStop(
  limits: StopLimits,
  count: () => number,
  signal: AbortSignal,
  done: () => boolean = () => false,
): Promise<void> {
  const end = limits.maxDuration === undefined ? Infinity : Date.now() + limits.maxDuration;
  for (;;) {
    signal.throwIfAborted();
    if (done()) return;
    if (limits.maxRecords !== undefined && count() >= limits.maxRecords) return;
    const left = end - Date.now();
    if (left <= 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done2, Math.min(100, left));
      function done2() {
        signal.removeEventListener("abort", done2);
        clearTimeout(timer);
        resolve();
      }
      signal.addEventListener("abort", done2, { once: true });
    });
  }
}
