/**
 * Leases of this process's queue claims. Every message a role claims is held here until it is
 * acknowledged or released; a timer renews the held leases and then reaps the expired ones (of
 * any owner). Renewing first means this process never reaps its own work, even after the event
 * loop was blocked past a lease.
 */
import type { Backend } from "../backend/backend.ts";

/**
 * How long a claim holds without renewal. A lapse needs the process frozen for a whole lease
 * (renewed three times per lease); on SQLite a dead process's claims are freed at the next open
 * anyway, so the figure only matters for processes sharing a database.
 */
export const LEASE_MS = 60_000;
export const RENEW_EVERY_MS = LEASE_MS / 3;

export class LeaseKeeper {
  private readonly held = new Set<number>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly backend: Backend,
    private readonly report: (context: string, error: unknown) => void,
    /** How long a claim holds without renewal; the roles claim with it. */
    readonly leaseMs = LEASE_MS,
  ) {}

  hold(seqs: Iterable<number>): void {
    for (const seq of seqs) this.held.add(seq);
  }

  drop(seqs: Iterable<number>): void {
    for (const seq of seqs) this.held.delete(seq);
  }

  get size(): number {
    return this.held.size;
  }

  start(everyMs = Math.min(RENEW_EVERY_MS, this.leaseMs / 3)): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.running ??= this.renewAndReap()
        .then(() => undefined)
        .catch((error: unknown) => this.report("renewing queue leases", error))
        .finally(() => (this.running = undefined));
    }, everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Renews the held leases, then frees every expired lease; returns how many were freed. */
  async renewAndReap(): Promise<number> {
    if (this.held.size > 0) await this.backend.queue.extend([...this.held], this.backend.owner, this.leaseMs);
    return this.backend.queue.reapExpired();
  }
}
