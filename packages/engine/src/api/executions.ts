/**
 * Executions as the server and the CLI act on them: search (filters, sort and paging done by
 * SQL), read, create, kill, resume, restart, replay, delete, and waits. Every function is async and
 * awaits the instance, so a change of the instance's storage to an async backend leaves callers
 * alone.
 */
import { isTerminated, SakerError } from "@saker/sdk";
import type { Execution } from "../model/execution.ts";
import type { StoredExecution } from "../backend/records.ts";
import type { Page, SearchQuery } from "../backend/search.ts";
import type { NewExecution } from "../runtime/executionFactory.ts";
import type { Instance } from "../runtime/instance.ts";
import { executionPrefix } from "../storage/paths.ts";
import { ExecutionWaiters } from "../runtime/executionWaiters.ts";
import { onEachPoll } from "../backend/notifier.ts";

/**
 * Whether a notified change may have settled the execution: only a terminated or paused state can
 * (finished comes with a terminated state), so other changes are not read back from the database.
 */
function maySettle(x: Execution): boolean {
  const state = (x as Partial<Execution>).state?.current;
  return state === undefined || state === "PAUSED" || isTerminated(state);
}

export interface DeleteExecutionOptions {
  deleteLogs: boolean;
  deleteMetrics: boolean;
  deleteStorage: boolean;
}

export class ExecutionsApi {
  /** The open waits of {@link settledOrAborted}, by execution. */
  readonly waiters: ExecutionWaiters;
  /** The same waits, told of ends: an end is committed when notified, so it settles a wait without a read. */
  private readonly endWaiters: ExecutionWaiters;

  constructor(private readonly instance: Instance) {
    this.waiters = new ExecutionWaiters(instance.events);
    this.endWaiters = new ExecutionWaiters(instance.events, "execution:end");
  }

  private get tenantId(): string {
    return this.instance.config.tenantId;
  }

  private get reads() {
    return this.instance.backend.reads.executions;
  }

  /** Summaries (no outputs) of the executions a search matches; newest first by default. */
  async search(query: SearchQuery): Promise<Page<Execution>> {
    return await this.reads.searchSummaries(this.tenantId, query);
  }

  /** The ids of every execution a search matches, in its order (for bulk actions). */
  async searchIds(query: Omit<SearchQuery, "page" | "size">): Promise<string[]> {
    return await this.reads.searchIds(this.tenantId, query);
  }

  /** An execution; `EXECUTION_NOT_FOUND` when there is none. */
  async get(id: string): Promise<Execution> {
    return await this.instance.getExecution(id);
  }

  /** An execution with its executor state, or undefined. */
  async stored(id: string): Promise<StoredExecution | undefined> {
    return await this.instance.backend.executions.get(id);
  }

  /** An execution's state and whether it ended, without reading its document. */
  async status(id: string): Promise<{ state: Execution["state"]["current"]; finished: boolean } | undefined> {
    return await this.instance.backend.executions.status(id);
  }

  /** The stored JSON text of an execution (sent as it is), with its summary. */
  async text(id: string): Promise<{ json: string; summary: Execution } | undefined> {
    return await this.reads.text(id);
  }

  /** The stored JSON text of an execution (sent as it is), and whether it is deleted. */
  async jsonText(id: string): Promise<{ json: string; deleted: boolean } | undefined> {
    return await this.reads.jsonText(id);
  }

  async create(namespace: string, flowId: string, request: NewExecution = {}, revision?: number): Promise<Execution> {
    return await this.instance.createExecution(namespace, flowId, request, revision);
  }

  async kill(id: string): Promise<void> {
    await Promise.resolve(this.instance.kill(id));
  }

  async resume(id: string, onResumeInputs?: Record<string, unknown>): Promise<void> {
    await Promise.resolve(this.instance.resume(id, onResumeInputs));
  }

  async restart(id: string, revision?: number): Promise<Execution> {
    return await Promise.resolve(this.instance.restart(id, revision));
  }

  async replay(id: string, taskRunId?: string, revision?: number): Promise<Execution> {
    return await Promise.resolve(this.instance.replay(id, taskRunId, revision));
  }

  /** Deletes an execution, with its logs, metrics and files as asked. */
  async delete(execution: Execution, options: DeleteExecutionOptions): Promise<void> {
    const { instance, reads } = this;
    await reads.delete(execution.id);
    if (options.deleteLogs) await instance.backend.reads.logs.deleteByExecution(execution.id);
    if (options.deleteMetrics) await instance.backend.reads.metrics.deleteByExecution(execution.id);
    if (options.deleteStorage)
      await instance.storage.deletePrefix(executionPrefix(execution.namespace, execution.flowId, execution.id));
  }

  /** Resolves once the execution is finished, or paused with nothing scheduled to resume it. */
  async waitForSettled(id: string, timeoutMs = 0): Promise<Execution> {
    return await this.instance.waitForSettled(id, timeoutMs);
  }

  /** Resolves once the execution is finished (afterExecution tasks done). */
  async waitForEnd(id: string, timeoutMs = 0): Promise<Execution> {
    return await this.instance.waitForEnd(id, timeoutMs);
  }

  /**
   * Resolves with the execution once it is finished or paused (a person must act then), or when
   * `signal` aborts (with the execution as it is then): what a client waiting on a request gets.
   */
  async settledOrAborted(id: string, signal: AbortSignal): Promise<Execution> {
    await this.untilSettledOrAborted(id, signal);
    return await this.get(id);
  }

  /**
   * Resolves once the execution is finished or paused, or when `signal` aborts. Its state is read
   * at once and after a change that may have settled it (paused, terminated, or a payload reduced
   * to ids), a microtask later: a notified end, which comes right after the change it ends,
   * settles the wait without that read. The wait is one entry in {@link waiters}, removed when it
   * resolves or the signal aborts. Where a notification may be lost (another process ran the
   * execution), the state is also read at each of the notifier's polls.
   */
  async untilSettledOrAborted(id: string, signal: AbortSignal): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      let open = true;
      let stopPolling = () => {};
      const stop = () => {
        open = false;
        stopChanges();
        stopEnd();
        stopPolling();
        signal.removeEventListener("abort", checkNow);
      };
      const check = async () => {
        if (!open) return;
        const status = await this.status(id);
        if (!open || (status && !status.finished && status.state !== "PAUSED" && !signal.aborted)) return;
        stop();
        if (status) resolve();
        else reject(new SakerError("EXECUTION_NOT_FOUND", `Execution '${id}' not found`));
      };
      const checkNow = () => void check().catch(reject);
      const stopChanges = this.waiters.watch(id, (x) => {
        if (maySettle(x)) queueMicrotask(checkNow);
      });
      const stopEnd = this.endWaiters.watch(id, () => {
        if (!open) return;
        stop();
        resolve();
      });
      stopPolling = onEachPoll(this.instance.backend.notifier, checkNow);
      signal.addEventListener("abort", checkNow);
      checkNow();
    });
  }

  /** The namespaces that have executions, sorted. */
  async namespaces(): Promise<string[]> {
    const flows = await this.reads.executedFlows(this.tenantId);
    return [...new Set(flows.map((f) => f.namespace))];
  }

  /** The ids of the flows of a namespace that have executions, sorted. */
  async flowIds(namespace: string): Promise<string[]> {
    const flows = await this.reads.executedFlows(this.tenantId);
    return flows.filter((f) => f.namespace === namespace).map((f) => f.flowId);
  }
}
