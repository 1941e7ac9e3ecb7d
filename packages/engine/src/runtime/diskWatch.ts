/**
 * How the executor, the workers and the scheduler live through a full disk: the condition is
 * reported once (not once per retry), the loop that hit it waits with a growing delay and tries
 * again, and the return of space is reported too.
 */
import { errorMessage } from "@saker/sdk";
import { asDiskFull } from "../storage/diskFull.ts";

const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 5_000;

/** Resolves after `ms`, or at once when `signal` aborts. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** The delay before retry number `attempt` (0-based): 250 ms doubling up to 5 s. */
export function backoffMs(attempt: number): number {
  return Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.min(attempt, 10));
}

export class DiskWatch {
  private full = false;

  constructor(
    private readonly folder: string,
    private readonly write: (line: string) => void,
  ) {}

  get isFull(): boolean {
    return this.full;
  }

  /** Reports a disk-full `error`, once until space is back. */
  report(error: unknown): void {
    if (this.full) return;
    this.full = true;
    this.write(`${errorMessage(asDiskFull(error, this.folder))}. Executions wait and resume once space is freed.`);
  }

  /** Reports a disk-full `error` and waits before the retry `attempt` (0-based). */
  async wait(error: unknown, attempt: number, signal?: AbortSignal): Promise<void> {
    this.report(error);
    await pause(backoffMs(attempt), signal);
  }

  /** A write went through: after a full disk, says that space is back. */
  ok(): void {
    if (!this.full) return;
    this.full = false;
    this.write(`Disk space is available again in '${this.folder}'; resuming.`);
  }
}
