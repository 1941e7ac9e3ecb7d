/**
 * Runs the executor over the queue: claims executor messages, groups them by execution, runs
 * `transition`, then commits in one transaction the new execution, its outgoing messages (worker
 * jobs, delays, child executions), its logs and the acknowledgement of what it consumed.
 *
 * Executions of one batch are processed one after the other, so that a concurrency limit sees
 * the executions admitted just before.
 */
import { setImmediate as nextTurn } from "node:timers/promises";
import { errorMessage, isFailed, isSakerError } from "@saker/sdk";
import { replayExecution } from "../executor/actions.ts";
import { transition, type ExecutorDeps, type TransitionResult } from "../executor/transition.ts";
import type { ExecutorCommand, ExecutorEvent, LogEntry } from "../executor/types.ts";
import type { Execution } from "../model/execution.ts";
import type { Flow } from "../model/flow.ts";
import type { SecretMasker } from "../secrets/masker.ts";
import type { FlowGraph } from "../model/flowGraph.ts";
import { friendlyId } from "../model/ids.ts";
import { withState } from "../model/state.ts";
import type { SubflowRequest } from "../plugins/engineTypes.ts";
import type { NewMessage, QueueMessage } from "../queue/queue.ts";
import type { LoadedExecution, StoredExecution } from "../repository/sqlite/executionStore.ts";
import { Lru } from "../expression/lru.ts";
import { isDiskFull } from "../storage/diskFull.ts";
import { backoffMs } from "./diskWatch.ts";
import { LEASE_MS } from "./leases.ts";
import type { Instance } from "./instance.ts";

/**
 * Running executions whose working copy the executor keeps between steps (read back from the
 * database after a restart, and after any other write to them).
 */
const WORKING_COPIES = 256;

export class ExecutorService {
  private running = false;
  /**
   * The executions this executor wrote last, as written (their task runs' stored text beside), so
   * a step neither reads nor parses the whole execution again. Any write to an execution by
   * someone else drops its entry; an ended execution leaves none.
   */
  private readonly working = new Lru<string, LoadedExecution>(WORKING_COPIES);
  private stopWatching: (() => void) | undefined;
  /** Executions being stepped, and whether something wrote them meanwhile (then all is written). */
  private readonly inFlight = new Map<string, boolean>();
  private wake: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private loop: Promise<void> | undefined;
  /** Claimed messages a full disk kept from being processed, processed first once it has space. */
  private held: QueueMessage<ExecutorEvent>[] = [];

  constructor(private readonly instance: Instance) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    const unsubscribe = this.instance.queue.onMessage("executor", () => this.wake?.());
    this.stopWatching = this.instance.executions.onWrite((id) => {
      this.working.delete(id);
      if (this.inFlight.has(id)) this.inFlight.set(id, true);
    });
    this.loop = this.run().finally(() => {
      unsubscribe();
      this.stopWatching?.();
      this.working.clear();
    });
  }

  /** The working copy of an execution (taken: a step that fails leaves none behind), else the stored one. */
  private take(executionId: string): LoadedExecution | undefined {
    const kept = this.working.get(executionId);
    if (kept) {
      this.working.delete(executionId);
      return kept;
    }
    return this.instance.executions.load(executionId);
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    let attempt = 0;
    while (this.running) {
      try {
        await this.runOnce();
        attempt = 0;
      } catch (error) {
        // A full disk (or a failing claim): the held messages are tried again after a delay.
        this.instance.reportLoopError("executor", error);
        await this.sleep(backoffMs(attempt++));
      }
    }
  }

  /**
   * Claims a batch (or takes back the one a full disk interrupted) and processes it. On a full
   * disk the unprocessed messages stay claimed and are kept for the retry: nothing is lost.
   */
  private async runOnce(): Promise<void> {
    const batch = this.held.length
      ? this.held.splice(0)
      : this.instance.queue.claim<ExecutorEvent>(
          "executor",
          this.instance.config.executor.fetchLimit,
          this.instance.backend.owner,
          LEASE_MS,
        );
    if (batch.length === 0) {
      await this.sleep();
      return;
    }
    const groups = new Map<string, QueueMessage<ExecutorEvent>[]>();
    for (const message of batch) groups.set(message.key ?? "", [...(groups.get(message.key ?? "") ?? []), message]);
    const pending = [...groups];
    while (pending.length) {
      const [executionId, messages] = pending[0]!;
      // Each synchronous step (claim, read, write) may move megabytes of outputs: other requests
      // run between them, so the event loop is held by one step at a time.
      await nextTurn();
      try {
        await this.processOrDrop(executionId, messages);
      } catch (error) {
        this.held = pending.flatMap(([, m]) => m);
        throw error;
      }
      pending.shift();
      this.instance.disk.ok();
    }
  }

  private async processOrDrop(executionId: string, messages: QueueMessage<ExecutorEvent>[]): Promise<void> {
    try {
      this.inFlight.set(executionId, false);
      await this.process(executionId, messages);
    } catch (error) {
      if (isDiskFull(error)) throw error;
      this.instance.reportInternalError(`executor failed on execution '${executionId}'`, error);
      this.instance.db.transaction(() => this.instance.queue.ack(messages.map((m) => m.seq)))();
    } finally {
      this.inFlight.delete(executionId);
    }
  }

  /** Waits for a message, the next delayed one, or `maxMs` (1 s by default). */
  private sleep(maxMs = 1000): Promise<void> {
    let next: number | undefined;
    try {
      next = this.instance.queue.nextAvailable("executor");
    } catch {
      next = undefined; // a failing read: wait the full delay, the loop reports the next failure
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(this.timer);
        this.wake = undefined;
        resolve();
      };
      this.wake = done;
      this.timer = setTimeout(done, next === undefined ? maxMs : Math.max(1, Math.min(maxMs, next - Date.now())));
    });
  }

  private deps(execution: Execution, flow: Flow): ExecutorDeps {
    const instance = this.instance;
    let masker: SecretMasker | undefined;
    return {
      now: () => new Date(),
      newId: friendlyId,
      // variables a flowable built itself (a Subflow's child execution) may hold sealed values too
      render: (template, variables, typed) =>
        instance.renderer.render(
          template,
          instance.secretGuard.reveal(variables),
          typed,
          instance.executorServices(execution),
        ),
      renderValue: (value, variables) =>
        instance.renderer.renderValue(
          value,
          instance.secretGuard.reveal(variables),
          instance.executorServices(execution),
        ),
      variables: (sources, decrypt) => instance.variables(sources, decrypt),
      countRunning: () =>
        instance.executions.countRunning(
          execution.tenantId ?? instance.config.tenantId,
          execution.namespace,
          execution.flowId,
          execution.id,
        ),
      seal: (value) =>
        instance.secretGuard.seal(value, (masker ??= instance.secretGuard.executionMasker(flow, execution))),
    };
  }

  private async process(executionId: string, messages: QueueMessage<ExecutorEvent>[]): Promise<void> {
    const instance = this.instance;
    const loaded = this.take(executionId);
    const stored = loaded?.stored;
    const seqs = messages.map((m) => m.seq);
    if (!loaded || !stored) {
      instance.db.transaction(() => instance.queue.ack(seqs))();
      return;
    }
    let graph: FlowGraph;
    try {
      graph = instance.flows.graph(stored.execution.namespace, stored.execution.flowId, stored.execution.flowRevision);
    } catch (error) {
      return this.failWithoutFlow(stored, seqs, error);
    }
    await nextTurn();
    const stateBefore = stored.execution.state.current;
    const result = await transition(
      graph,
      stored.execution,
      stored.executorState,
      messages.map((m) => m.payload),
      this.deps(stored.execution, graph.flow),
    );
    // the executor's own lines (an error message quoting a rendered value) are masked as a task's are
    const masker = instance.secretGuard.masker();
    const logs = result.logs.map((log) => ({ ...log, message: masker.mask(log.message) }));
    const outgoing: NewMessage[] = [];
    const inserts: StoredExecution[] = [];
    const afterCommit: (() => void)[] = [];
    for (const command of result.commands)
      await this.handleCommand(command, result, graph, outgoing, inserts, afterCommit);
    await nextTurn();
    const justFinished = result.finished && !stored.finished;
    if (justFinished) outgoing.push(...this.endedMessages(stored, result.execution, graph));
    // Kestra evaluates Flow triggers once per processing whose final state differs from the first.
    else if (result.execution.state.current !== stateBefore)
      outgoing.push(...instance.stateChangeMessages(result.execution));
    // Written by someone else while this step ran: the whole execution is written, as before.
    const foreign = this.inFlight.get(executionId) === true;
    const write = result.changed || justFinished;
    let runs = loaded.runs;
    instance.db.transaction(() => {
      if (write)
        runs = instance.executions.update(result.execution, result.state, result.finished, foreign ? undefined : runs);
      for (const child of inserts) instance.executions.insert(child);
      instance.queue.send(outgoing);
      instance.logs.append(logs);
      instance.queue.ack(seqs);
    })();
    // Committed: the working copy is what the database holds (a later write by anyone else drops it).
    // A step that wrote nothing keeps none: the next one reads the execution as stored, as before.
    if (write && !result.finished)
      this.working.set(executionId, {
        stored: { ...stored, execution: result.execution, executorState: result.state, finished: result.finished },
        runs,
      });
    instance.queue.notify(outgoing.map((m) => m.topic));
    for (const effect of afterCommit) effect();
    for (const log of logs) instance.events.emit("log", log);
    if (result.changed || justFinished) instance.events.emit("execution", result.execution);
    for (const child of inserts) instance.events.emit("execution", child.execution);
    if (justFinished) instance.events.emit("execution:end", result.execution);
  }

  private async handleCommand(
    command: ExecutorCommand,
    result: TransitionResult,
    graph: FlowGraph,
    outgoing: NewMessage[],
    inserts: StoredExecution[],
    afterCommit: (() => void)[],
  ): Promise<void> {
    const instance = this.instance;
    const x = result.execution;
    switch (command.type) {
      case "run-task":
        outgoing.push({ topic: "worker", key: x.id, payload: command.job });
        return;
      case "delay":
        outgoing.push({
          topic: "executor",
          key: x.id,
          payload: { type: "delay-fired", delay: command.delay },
          availableAt: command.delay.at,
        });
        return;
      case "create-subflow":
        return this.createSubflow(
          x,
          command.parentTaskRunId,
          command.taskId,
          command.request,
          outgoing,
          inserts,
          afterCommit,
        );
      case "kill-tasks":
        afterCommit.push(() => {
          instance.queue.dropPending("worker", x.id);
          instance.worker.abortExecution(x.id);
        });
        return;
      case "kill-subflows":
        for (const childId of instance.executions.childIds(x.id))
          outgoing.push({ topic: "executor", key: childId, payload: { type: "kill-requested" } });
        return;
      case "remove-working-directory":
        afterCommit.push(() => instance.worker.removeWorkingDirectory(command.workingDirectoryId));
        return;
      case "replay": {
        const replay = replayExecution(graph, command.execution, new Date(), friendlyId);
        const parent = instance.executions.get(x.id);
        inserts.push({
          execution: replay.execution,
          executorState: replay.state,
          finished: false,
          ...(parent?.parentExecutionId
            ? { parentExecutionId: parent.parentExecutionId, parentTaskRunId: parent.parentTaskRunId! }
            : {}),
        });
        outgoing.push({ topic: "executor", key: replay.execution.id, payload: { type: "process" } });
        return;
      }
    }
  }

  private async createSubflow(
    parent: Execution,
    parentTaskRunId: string,
    taskId: string,
    request: SubflowRequest,
    outgoing: NewMessage[],
    inserts: StoredExecution[],
    afterCommit: (() => void)[],
  ): Promise<void> {
    const instance = this.instance;
    const previous =
      request.restartOf ??
      (request.restartIteration ? this.childOfIteration(parent.id, parentTaskRunId, request.iteration) : undefined);
    if (previous !== undefined && this.restartSubflow(parent, parentTaskRunId, taskId, previous, outgoing, afterCommit))
      return;
    if (request.restartOf !== undefined) {
      // the child is gone, or belongs to the execution this one was restarted from (another revision): a new one
      request = { ...request, executionId: friendlyId() };
      delete request.restartOf;
    }
    try {
      const loaded = instance.flows.get(request.namespace, request.flowId, request.revision);
      const child = await instance.buildExecution(loaded.flow, {
        id: request.executionId,
        inputs: request.inputs,
        labels: request.labels,
        trigger: {
          id: taskId,
          type: "io.kestra.plugin.core.flow.Subflow",
          variables: {
            executionId: parent.id,
            namespace: parent.namespace,
            flowId: parent.flowId,
            flowRevision: parent.flowRevision,
            // ForEachItem: which batch, and which task run started it (its merge reads them back).
            ...(request.iteration !== undefined ? { iteration: request.iteration, taskRunId: parentTaskRunId } : {}),
          },
        },
        ...(request.scheduleDate ? { scheduleDate: request.scheduleDate } : {}),
      });
      inserts.push({
        execution: child,
        executorState: { dispatched: [] },
        finished: false,
        ...(request.wait ? { parentExecutionId: parent.id, parentTaskRunId } : { parentExecutionId: parent.id }),
      });
      outgoing.push({ topic: "executor", key: child.id, payload: { type: "process" } });
      instance.logs.append([
        {
          namespace: parent.namespace,
          flowId: parent.flowId,
          executionId: parent.id,
          taskId,
          taskRunId: parentTaskRunId,
          level: "INFO",
          message: `Created new execution [[link execution="${child.id}" flowId="${child.flowId}" namespace="${child.namespace}"]]`,
          timestamp: new Date().toISOString(),
        },
      ]);
    } catch (error) {
      if (isDiskFull(error)) throw error;
      outgoing.push({
        topic: "executor",
        key: parent.id,
        payload: {
          type: "subflow-failed",
          taskRunId: parentTaskRunId,
          message: isSakerError(error) ? error.message : errorMessage(error),
        },
      });
    }
  }

  /** The child a ForEachItem task run started for one batch (`iteration`), if any. */
  private childOfIteration(
    parentId: string,
    parentTaskRunId: string,
    iteration: number | undefined,
  ): string | undefined {
    const instance = this.instance;
    return instance.executions.childIds(parentId).find((id) => {
      const stored = instance.executions.get(id);
      return (
        stored?.parentTaskRunId === parentTaskRunId && stored.execution.trigger?.variables?.iteration === iteration
      );
    });
  }

  /**
   * A restarted Subflow or ForEachItem (RETRY_FAILED) and a child it started before: a failed child is
   * restarted (once this pass is committed) and reports to the same task run when it ends; a child
   * that did not fail reports its result again now. False when there is no such child any more.
   */
  private restartSubflow(
    parent: Execution,
    parentTaskRunId: string,
    taskId: string,
    childId: string,
    outgoing: NewMessage[],
    afterCommit: (() => void)[],
  ): boolean {
    const instance = this.instance;
    const stored = instance.executions.get(childId);
    if (
      !stored ||
      stored.execution.deleted ||
      stored.parentExecutionId !== parent.id ||
      stored.parentTaskRunId !== parentTaskRunId
    )
      return false;
    const child = stored.execution;
    const log = (message: string) =>
      instance.logs.append([
        {
          namespace: parent.namespace,
          flowId: parent.flowId,
          executionId: parent.id,
          taskId,
          taskRunId: parentTaskRunId,
          level: "INFO",
          message,
          timestamp: new Date().toISOString(),
        },
      ]);
    if (!isFailed(child.state.current)) {
      outgoing.push({
        topic: "executor",
        key: parent.id,
        payload: { type: "subflow-ended", taskRunId: parentTaskRunId, child },
      });
      return true;
    }
    afterCommit.push(() => {
      try {
        instance.restart(child.id);
        log(
          `Restarted execution [[link execution="${child.id}" flowId="${child.flowId}" namespace="${child.namespace}"]]`,
        );
      } catch (error) {
        instance.signal(parent.id, {
          type: "subflow-failed",
          taskRunId: parentTaskRunId,
          message: `Unable to restart execution '${child.id}': ${errorMessage(error)}`,
        });
      }
    });
    return true;
  }

  /** An execution ended: tell its parent (Subflow), free a concurrency slot, fire flow triggers. */
  endedMessages(stored: StoredExecution, execution: Execution, graph: FlowGraph | undefined): NewMessage[] {
    const instance = this.instance;
    const outgoing: NewMessage[] = [];
    if (stored.parentExecutionId && stored.parentTaskRunId) {
      outgoing.push({
        topic: "executor",
        key: stored.parentExecutionId,
        payload: { type: "subflow-ended", taskRunId: stored.parentTaskRunId, child: execution },
      });
    }
    if (graph?.flow.concurrency) {
      const queued = instance.executions.oldestQueued(
        execution.tenantId ?? instance.config.tenantId,
        execution.namespace,
        execution.flowId,
      );
      if (queued && queued !== execution.id)
        outgoing.push({ topic: "executor", key: queued, payload: { type: "concurrency-released" } });
    }
    outgoing.push(...instance.flowTriggerMessages(execution));
    return outgoing;
  }

  private failWithoutFlow(stored: StoredExecution, seqs: number[], error: unknown): void {
    const instance = this.instance;
    const x = structuredClone(stored.execution);
    const log: LogEntry = {
      namespace: x.namespace,
      flowId: x.flowId,
      executionId: x.id,
      level: "ERROR",
      message: `Unable to load the flow of this execution: ${isSakerError(error) ? error.message : errorMessage(error)}`,
      timestamp: new Date().toISOString(),
    };
    if (!stored.finished) x.state = withState(x.state, "FAILED", new Date());
    instance.db.transaction(() => {
      instance.executions.update(x, stored.executorState, true);
      instance.logs.append([log]);
      instance.queue.ack(seqs);
    })();
    instance.events.emit("execution", x);
    instance.events.emit("execution:end", x);
  }
}
