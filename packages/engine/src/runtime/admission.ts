/**
 * Admission of work into the engine: a new execution (its row and its first executor message in
 * one transaction, then a wake-up), an event sent to an execution, a restart. Everything here
 * writes through the backend and notifies after the commit.
 */
import { SakerError } from "@saker/sdk";
import type { Backend } from "../backend/backend.ts";
import { NOTIFY } from "../backend/notifier.ts";
import type { NewMessage, QueueMessage } from "../backend/queue.ts";
import { replayExecution, restartExecution } from "../executor/actions.ts";
import type { ExecutorEvent, ExecutorState } from "../executor/types.ts";
import type { StoredExecution } from "../backend/records.ts";
import type { Execution } from "../model/execution.ts";
import type { Flow } from "../model/flow.ts";
import { friendlyId } from "../model/ids.ts";
import type { Encryption } from "../secrets/encryption.ts";
import { isDiskFull } from "../storage/diskFull.ts";
import type { Storage } from "../storage/storage.ts";
import type { CompiledConfig } from "./config.ts";
import { buildExecution, type NewExecution } from "./executionFactory.ts";
import type { FlowService } from "./flowService.ts";
import type { Renderer } from "../expression/renderer.ts";
import { localHandoff } from "./handoff.ts";
import type { Renders } from "./renderServices.ts";
import type { SecretGuard } from "../secrets/secretGuard.ts";

export interface AdmissionDeps {
  backend: Backend;
  config: CompiledConfig;
  flows: FlowService;
  renderer: Renderer;
  renders: Renders;
  storage: Storage;
  encryption: Encryption;
  secretGuard: SecretGuard;
  /** Whether a scheduler consumes the `scheduler` topic (else nothing is posted to it). */
  schedulerEnabled(): boolean;
  /**
   * Told of each execution just inserted, inside the transaction that inserts it (this process's
   * executor keeps it as its working copy: its first step need not read it back).
   */
  inserted?(stored: StoredExecution): void;
  /**
   * The lease of this process's queue claims: the first messages of executions it starts go to its
   * executor in memory, inserted already claimed (see handoff.ts), when that executor takes them.
   */
  leaseMs?(): number;
  /**
   * No trigger can listen to executions' state changes (see triggers/quietTriggers.ts): they are
   * not posted to the scheduler.
   */
  triggersQuiet?(): boolean;
}

/** Where an execution comes from, when it is a child (Subflow, ForEachItem). */
export interface ParentLink {
  parentExecutionId?: string;
  parentTaskRunId?: string;
}

export const processMessage = (executionId: string): NewMessage => ({
  topic: "executor",
  key: executionId,
  payload: { type: "process" },
});

/** A paused execution, else EXECUTION_NOT_PAUSED (a resume of anything else is refused). */
export function checkPaused(execution: Execution): void {
  if (execution.state.current !== "PAUSED")
    throw new SakerError(
      "EXECUTION_NOT_PAUSED",
      `Execution '${execution.id}' is not paused (state ${execution.state.current})`,
    );
}

/** What restarting an execution writes: the execution (same id, or a new one for another revision) and its state. */
export function planRestart(flows: FlowService, stored: StoredExecution, revision?: number) {
  const x = stored.execution;
  const graph = flows.graph(x.namespace, x.flowId, revision ?? x.flowRevision);
  const result = restartExecution(graph, x, stored.executorState, new Date(), friendlyId, revision);
  return { ...result, sameId: result.execution.id === x.id };
}

/** What replaying an execution (from scratch, or from a task run) writes: a new execution and its state. */
export function planReplay(flows: FlowService, x: Execution, taskRunId?: string, revision?: number) {
  const graph = flows.graph(x.namespace, x.flowId, revision ?? x.flowRevision);
  return replayExecution(graph, x, new Date(), friendlyId, taskRunId, revision);
}

/** The most created executions one group commit writes. */
const MAX_GROUP = 500;

/** A created execution waiting for the group commit that writes it. */
interface PendingCreate {
  execution: Execution;
  resolve(): void;
  reject(error: unknown): void;
}

export class Admission {
  /** Executions created in this turn of the event loop, written by the next group commit. */
  private pending: PendingCreate[] = [];

  constructor(private readonly deps: AdmissionDeps) {}

  /** A new execution, its labels and inputs holding a secret (a Subflow's rendered ones) sealed. */
  async buildExecution(flow: Flow, request: NewExecution): Promise<Execution> {
    const { config, storage, renderer, encryption, renders, secretGuard } = this.deps;
    const execution = await buildExecution(flow, request, {
      tenantId: config.tenantId,
      storage,
      renderer,
      encryption,
      variables: (f, x) => renders.variables({ flow: f, execution: x }, true),
      services: (x) => renders.executorServices(x),
    });
    const masker = secretGuard.masker();
    execution.labels = secretGuard.seal(execution.labels, masker);
    if (execution.inputs) execution.inputs = secretGuard.seal(execution.inputs, masker);
    return execution;
  }

  /**
   * When the scheduler runs, an ended execution is posted to it (Flow triggers, `stopAfter`),
   * unless no trigger can listen.
   */
  flowTriggerMessages(execution: Execution): NewMessage[] {
    return this.deps.schedulerEnabled() && !this.deps.triggersQuiet?.()
      ? [
          {
            topic: "scheduler",
            key: `ended:${execution.id}`,
            payload: { type: "execution-ended", executionId: execution.id },
          },
        ]
      : [];
  }

  /**
   * When the scheduler runs, an execution that moved to another state without ending (RUNNING,
   * PAUSED, ...) is posted to it with that state: Flow triggers whose `states` list it fire too.
   */
  stateChangeMessages(execution: Execution): NewMessage[] {
    if (!this.deps.schedulerEnabled() || this.deps.triggersQuiet?.()) return [];
    const state = execution.state.current;
    return [
      {
        topic: "scheduler",
        key: `state:${execution.id}`,
        payload: { type: "execution-state", executionId: execution.id, state },
      },
    ];
  }

  /** Inserts and queues executions inside the caller's transaction `tx`; then call `announce`. */
  async queueExecutions(
    tx: Backend,
    executions: readonly Execution[],
    executorState: ExecutorState = { dispatched: [] },
    parent?: ParentLink,
  ): Promise<void> {
    await this.insertExecutions(tx, executions, executorState, parent);
    if (executions.length > 0) await tx.queue.send(executions.map((x) => processMessage(x.id)));
  }

  private async insertExecutions(
    tx: Backend,
    executions: readonly Execution[],
    executorState: ExecutorState = { dispatched: [] },
    parent?: ParentLink,
  ): Promise<void> {
    for (const execution of executions) {
      const stored: StoredExecution = { execution, executorState, finished: false };
      if (parent?.parentExecutionId !== undefined) stored.parentExecutionId = parent.parentExecutionId;
      if (parent?.parentTaskRunId !== undefined) stored.parentTaskRunId = parent.parentTaskRunId;
      await tx.executions.insert(stored);
      this.deps.inserted?.(stored);
    }
  }

  /** Wakes the executor for executions just committed (unless it has their messages), and tells the followers. */
  announce(executions: readonly Execution[], wake = true): void {
    if (executions.length === 0) return;
    const notifier = this.deps.backend.notifier;
    if (wake) notifier.notify(NOTIFY.queue("executor"));
    for (const execution of executions) notifier.notify(NOTIFY.execution, execution);
  }

  /**
   * Inserts and queues executions (from triggers, and the group commit of {@link create}), with
   * `alsoWrite` in the same transaction. When this process's executor takes them, their messages
   * are inserted claimed for it and handed over after the commit: it need not claim them.
   */
  async start(executions: readonly Execution[], alsoWrite?: (tx: Backend) => Promise<void>): Promise<void> {
    const { backend, leaseMs } = this.deps;
    const reservation =
      leaseMs && executions.length > 0 ? localHandoff(backend).reserve("executor", executions.length) : undefined;
    const handOver = reservation !== undefined && reservation.granted === executions.length;
    if (!handOver) reservation?.cancel();
    let handed: QueueMessage[] = [];
    try {
      await backend.transaction(async (tx) => {
        if (!handOver) await this.queueExecutions(tx, executions);
        else {
          await this.insertExecutions(tx, executions);
          handed = await tx.queue.sendClaimed(
            executions.map((x) => processMessage(x.id)),
            backend.owner,
            leaseMs!(),
          );
        }
        await alsoWrite?.(tx);
      });
    } catch (error) {
      reservation?.cancel();
      throw error;
    }
    let wake = !handOver;
    if (handOver && !reservation.deliver(handed)) {
      // the executor stopped meanwhile: the messages go back to the queue for whoever runs next
      // (one not released stays claimed, renewed by nobody: its lease lapses and it is reaped)
      for (const m of handed) await backend.queue.release(m.seq).catch(() => undefined);
      wake = true;
    }
    this.announce(executions, wake);
  }

  /**
   * Creates an execution of the latest revision (or `revision`) and queues it. Resolves once the
   * execution is on disk: the executions created in one turn of the event loop (concurrent API
   * requests, a burst submitted at once) are written by one transaction (see {@link commitPending}).
   */
  async create(namespace: string, flowId: string, request: NewExecution = {}, revision?: number): Promise<Execution> {
    const { flow } = this.deps.flows.get(namespace, flowId, revision);
    const execution = await this.buildExecution(flow, request);
    await new Promise<void>((resolve, reject) => {
      if (this.pending.length === 0) setImmediate(() => void this.commitPending());
      this.pending.push({ execution, resolve, reject });
    });
    return execution;
  }

  /**
   * The group commit of {@link create}: the executions waiting are inserted and queued in one
   * transaction, then announced, and each caller is resolved. When the group fails for another
   * reason than a full disk (a duplicate id…), each is written alone, so one failing creation
   * does not fail the others.
   */
  private async commitPending(): Promise<void> {
    // A large burst is written in several transactions, other work running between them.
    const group = this.pending.splice(0, MAX_GROUP);
    if (this.pending.length > 0) setImmediate(() => void this.commitPending());
    try {
      await this.start(group.map((p) => p.execution));
    } catch (error) {
      if (group.length === 1 || isDiskFull(error)) {
        for (const p of group) p.reject(error);
        return;
      }
      for (const p of group) {
        try {
          await this.start([p.execution]);
        } catch (failure) {
          p.reject(failure);
          continue;
        }
        p.resolve();
      }
      return;
    }
    for (const p of group) p.resolve();
  }

  async getExecution(id: string): Promise<Execution> {
    const stored = await this.deps.backend.executions.get(id);
    if (!stored) throw new SakerError("EXECUTION_NOT_FOUND", `Execution '${id}' not found`);
    return stored.execution;
  }

  /** Sends an event to an execution's executor (kill, resume…). */
  async signal(executionId: string, event: ExecutorEvent): Promise<void> {
    await this.getExecution(executionId);
    await this.deps.backend.queue.send([{ topic: "executor", key: executionId, payload: event }]);
    this.deps.backend.notifier.notify(NOTIFY.queue("executor"));
  }

  async resume(executionId: string, onResumeInputs?: Record<string, unknown>): Promise<void> {
    checkPaused(await this.getExecution(executionId));
    await this.signal(executionId, { type: "resume-requested", ...(onResumeInputs ? { onResumeInputs } : {}) });
  }

  /** Restarts a terminated or paused execution (same id, or a new one for another revision). */
  async restart(executionId: string, revision?: number): Promise<Execution> {
    const backend = this.deps.backend;
    const stored = await backend.executions.get(executionId);
    if (!stored) throw new SakerError("EXECUTION_NOT_FOUND", `Execution '${executionId}' not found`);
    const result = planRestart(this.deps.flows, stored, revision);
    await backend.transaction(async (tx) => {
      if (!result.sameId) return this.queueExecutions(tx, [result.execution], result.state);
      await tx.executions.update(result.execution, result.state, false);
      await tx.queue.send([processMessage(executionId)]);
    });
    this.announce([result.execution]);
    return result.execution;
  }

  /** Replays an execution as a new one, from scratch or from a task run. */
  async replay(executionId: string, taskRunId?: string, revision?: number): Promise<Execution> {
    const result = planReplay(this.deps.flows, await this.getExecution(executionId), taskRunId, revision);
    await this.deps.backend.transaction((tx) => this.queueExecutions(tx, [result.execution], result.state));
    this.announce([result.execution]);
    return result.execution;
  }
}
