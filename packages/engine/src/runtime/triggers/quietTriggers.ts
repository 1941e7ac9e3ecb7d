/**
 * Whether any trigger can listen to executions' state changes, known without reading the flows at
 * every change: worked out again after each change of the flows. Only where the flows change
 * through this process's `FlowService` alone (SQLite, one process); elsewhere never quiet.
 */
import type { FlowService } from "../flowService.ts";
import { executionListeners } from "./executionEnded.ts";

export class QuietTriggers {
  private known: { changes: number; quiet: boolean } | undefined;

  constructor(
    private readonly flows: FlowService,
    private readonly local: () => boolean,
  ) {}

  /** No Flow trigger, no `stopAfter` (see `executionListeners`): posting a state change to the scheduler does nothing. */
  quiet(): boolean {
    if (!this.local()) return false;
    const changes = this.flows.changes;
    if (this.known?.changes !== changes) {
      let quiet = false;
      try {
        quiet = executionListeners({ flows: this.flows }).quiet;
      } catch {
        // unreadable flows: posted, the scheduler decides
      }
      this.known = { changes, quiet };
    }
    return this.known.quiet;
  }
}
