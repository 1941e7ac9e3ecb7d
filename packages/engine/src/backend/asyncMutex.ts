/**
 * A FIFO lock for async work in one process. `release` hands the lock straight to the next
 * waiter, so `locked` false means nobody holds it and nobody waits: a caller may then run
 * synchronous work at once without queueing (the SQLite backend's fast path).
 */
export class AsyncMutex {
  private held = false;
  private readonly waiters: (() => void)[] = [];

  get locked(): boolean {
    return this.held;
  }

  acquire(): Promise<void> {
    if (!this.held) {
      this.held = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.held = false;
  }

  /** Runs `fn` holding the lock. */
  async exclusive<T>(fn: () => T | Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await fn();
    } finally {
      this.release();
    }
  }
}
