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
import type { FlowGraph } from "../flow/flowGraph.ts";
import { friendlyId } from "../model/ids.ts";
import { withState } from "../model/state.ts";
import type { SubflowRequest } from "../plugins/engineTypes.ts";
import type { Backend } from "../backend/backend.ts";
import { NOTIFY } from "../backend/notifier.ts";
import type { NewMessage, QueueMessage } from "../backend/queue.ts";
import type { LoadedExecution, StoredExecution } from "../backend/records.ts";
import { Lru } from "../expression/lru.ts";
import { isDiskFull } from "../storage/diskFull.ts";
import { processMessage } from "./admission.ts";
import { backoffMs } from "./diskWatch.ts";
import {
  consume,
  isBundled,
  localHandoff,
  rowSeqs,
  saveBundle,
  type BundledMessage,
  type LocalHandoff,
  type WorkerBundle,
} from "./handoff.ts";
import { ROLE_TOPICS, type RoleContext, type RoleState, type RoleStatus } from "./roleContext.ts";

/**
 * Running executions whose working copy the executor keeps between steps (read back from the
 * database after a restart, and after any other write to them).
 */
const WORKING_COPIES = 256;

/** Commands whose handling reads other executions: the steps prepared before them commit first. */
const READS_OTHERS: ReadonlySet<ExecutorCommand["type"]> = new Set(["create-subflow", "kill-subflows", "replay"]);

/** One execution's step, prepared: its writes (in the batch's transaction) and what follows the commit. */
interface Step {
  executionId: string;
  messages: QueueMessage<ExecutorEvent>[];
  write(tx: Backend): Promise<void>;
  committed(): Promise<void>;
  /** The step will not be committed: its reservations end. */
  cancel(): void;
}

/** Log lines written with a step, and work done once it committed. */
interface StepEffects {
  outgoing: NewMessage[];
  inserts: StoredExecution[];
  logs: LogEntry[];
  afterCommit: (() => Promise<void>)[];
}

export class ExecutorService {
  private running = false;
  private state: RoleState = "INITIALIZED";
  /**
   * There may be ready messages nobody claimed: set at start, by a wake-up, by a claim that came
   * back full and by the poll. A claim is made only then, so no empty claim follows each batch.
   */
  private pending = true;
  /**
   * When the next delayed message becomes ready, as last read; read again only after a claim or a
   * wake-up (a send to this topic), the only events that change it, not before every sleep.
   */
  private nextDelayed: { at: number | undefined } | undefined;
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
  /**
   * Messages this process's worker committed already claimed for this executor, and the events of
   * the outcomes it handed over unsaved (`BundledMessage`, see handoff.ts).
   */
  private inbox: QueueMessage<ExecutorEvent>[] = [];
  /** The last (negative) sequence number given to a bundled event. */
  private bundledSeq = 0;
  private readonly handoff: LocalHandoff;
  private unregister: () => void = () => undefined;

  constructor(private readonly ctx: RoleContext) {
    this.handoff = localHandoff(ctx.backend);
  }

  status(): RoleStatus {
    return { state: this.state, inFlight: this.held.length + this.inFlight.size };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.state = "RUNNING";
    this.pending = true;
    const unsubscribe = this.ctx.backend.notifier.on(NOTIFY.queue("executor"), () => this.onMessage());
    this.unregister = this.handoff.register("executor", {
      room: () => (this.running ? Number.MAX_SAFE_INTEGER : 0),
      take: (messages) => {
        this.ctx.leases.hold(messages.map((m) => m.seq));
        this.inbox.push(...(messages as QueueMessage<ExecutorEvent>[]));
        this.wake?.();
      },
      takeBundle: (bundle) => this.takeBundle(bundle),
    });
    this.stopWatching = this.ctx.backend.executions.onWrite((id) => {
      this.working.delete(id);
      if (this.inFlight.has(id)) this.inFlight.set(id, true);
    });
    this.loop = this.run()
      .then(() => void (this.state = "STOPPED"))
      .catch((error: unknown) => {
        this.state = "FAILED";
        this.ctx.report.internalError("executor stopped", error);
      })
      .finally(() => {
        unsubscribe();
        this.unregister();
        this.stopWatching?.();
        this.working.clear();
      });
  }

  /** A worker job's unsaved outcome: its events join the inbox; its job stays held in the leases. */
  private takeBundle(bundle: WorkerBundle): boolean {
    if (!this.running) return false;
    this.ctx.leases.hold([bundle.jobSeq]);
    for (const event of bundle.events) {
      const message: BundledMessage = {
        seq: --this.bundledSeq,
        topic: "executor",
        key: event.key ?? null,
        payload: event.payload,
        availableAt: 0,
        bundle,
      };
      this.inbox.push(message);
    }
    this.wake?.();
    return true;
  }

  private onMessage(): void {
    this.pending = true;
    this.nextDelayed = undefined;
    this.wake?.();
  }

  /** The working copy of an execution (taken: a step that fails leaves none behind), else the stored one. */
  private async take(executionId: string): Promise<LoadedExecution | undefined> {
    const kept = this.working.get(executionId);
    if (kept) {
      this.working.delete(executionId);
      return kept;
    }
    return this.ctx.backend.executions.load(executionId);
  }

  async stop(): Promise<void> {
    if (this.running) this.state = "STOPPING";
    this.running = false;
    this.unregister();
    this.wake?.();
    await this.loop;
    // handed over and not processed: given back to the queue for the next start (or another process)
    const unprocessed = this.inbox.splice(0);
    this.ctx.leases.drop(rowSeqs(unprocessed));
    const bundles = new Set<WorkerBundle>();
    try {
      for (const m of unprocessed)
        if (isBundled(m)) bundles.add(m.bundle);
        else await this.ctx.backend.queue.release(m.seq);
    } catch (error) {
      // still claimed by this open: freed at the next open, or once its lease lapses
      this.ctx.report.internalError("releasing the executor's unprocessed messages", error);
    }
    // the outcomes handed over unsaved are saved as the worker would have: queued for the next start
    for (const bundle of bundles) {
      try {
        await this.ctx.backend.transaction((tx) => saveBundle(tx, bundle));
        this.ctx.backend.notifier.notify(NOTIFY.queue("executor"));
      } catch (error) {
        // the job stays claimed by this open: it runs again after the next open (at least once)
        this.ctx.report.internalError("saving a task result at stop", error);
      }
    }
  }

  private async run(): Promise<void> {
    let attempt = 0;
    while (this.running) {
      try {
        await this.runOnce();
        attempt = 0;
      } catch (error) {
        // A full disk (or a failing claim): the held messages are tried again after a delay.
        this.ctx.report.loopError("executor", error);
        await this.sleep(backoffMs(attempt++));
        this.pending = true;
      }
    }
  }

  /**
   * Claims a batch (or takes back the one a full disk interrupted) and processes it. On a full
   * disk the unprocessed messages stay claimed and are kept for the retry: nothing is lost.
   */
  private async runOnce(): Promise<void> {
    const { backend, config, leases } = this.ctx;
    let batch: QueueMessage<ExecutorEvent>[];
    if (this.held.length) batch = this.held.splice(0);
    else {
      batch = this.inbox.splice(0);
      if (this.pending) {
        this.pending = false;
        const limit = config.executor.fetchLimit;
        this.nextDelayed = undefined;
        const claimed = await backend.queue.claim<ExecutorEvent>("executor", limit, backend.owner, leases.leaseMs);
        if (claimed.length === limit) this.pending = true;
        leases.hold(claimed.map((m) => m.seq));
        // the outcomes handed over unsaved come last: they are newer than any row claimed now
        if (batch.length)
          batch = [...batch.filter((m) => m.seq > 0), ...claimed]
            .sort((a, b) => a.seq - b.seq)
            .concat(batch.filter((m) => m.seq < 0));
        else batch = claimed;
      }
    }
    if (batch.length === 0) {
      await this.sleep();
      return;
    }
    const groups = new Map<string, QueueMessage<ExecutorEvent>[]>();
    for (const message of batch) groups.set(message.key ?? "", [...(groups.get(message.key ?? "") ?? []), message]);
    // The steps of a batch's executions commit together (one commit for many executions); a step
    // that reads other executions (a concurrency limit, a Subflow) first commits those before it.
    const done = new Set<number>();
    const steps: Step[] = [];
    const flush = () => this.commitSteps(steps.splice(0), done);
    try {
      let first = true;
      for (const [executionId, messages] of groups) {
        // A step (read, transition, write) may move megabytes of outputs: other requests run
        // between the steps of a batch, so the event loop is held by one step at a time.
        if (!first) await nextTurn();
        first = false;
        this.inFlight.set(executionId, false);
        try {
          const step = await this.process(executionId, messages, flush);
          if (step) steps.push(step);
          else this.settled(messages, done);
        } catch (error) {
          if (isDiskFull(error)) throw error;
          await this.dropFailed(executionId, messages, error, done);
        }
      }
      await flush();
    } catch (error) {
      for (const step of steps) step.cancel();
      this.held = batch.filter((m) => !done.has(m.seq));
      for (const executionId of groups.keys()) this.inFlight.delete(executionId);
      throw error;
    }
  }

  /** Messages handled and acknowledged (committed). */
  private settled(messages: readonly QueueMessage[], done: Set<number>): void {
    for (const m of messages) done.add(m.seq);
    this.ctx.leases.drop(rowSeqs(messages));
    if (messages[0]?.key) this.inFlight.delete(messages[0].key);
    this.ctx.disk.ok();
  }

  /** A step that failed (not for lack of space): reported, and its messages acknowledged. */
  private async dropFailed(
    executionId: string,
    messages: QueueMessage<ExecutorEvent>[],
    error: unknown,
    done: Set<number>,
  ): Promise<void> {
    this.ctx.report.internalError(`executor failed on execution '${executionId}'`, error);
    // the logs and metrics of the task results it handled unsaved are kept, as the worker kept them
    await this.ctx.backend.transaction((tx) => consume(tx, messages));
    this.settled(messages, done);
  }

  /**
   * Commits prepared steps in one transaction, then does what each does once committed. When
   * the group fails (not for lack of space), each step is committed alone, so that one failing
   * execution does not hold back the others.
   */
  private async commitSteps(steps: Step[], done: Set<number>): Promise<void> {
    if (steps.length === 0) return;
    try {
      await this.ctx.backend.transaction(async (tx) => {
        for (const step of steps) await step.write(tx);
      });
    } catch (error) {
      if (isDiskFull(error) || steps.length === 1) for (const step of steps) step.cancel();
      if (isDiskFull(error)) throw error;
      if (steps.length === 1) return this.dropFailed(steps[0]!.executionId, steps[0]!.messages, error, done);
      for (const [i, step] of steps.entries()) {
        try {
          await this.commitSteps([step], done);
        } catch (failure) {
          for (const rest of steps.slice(i + 1)) rest.cancel();
          throw failure;
        }
      }
      return;
    }
    for (const step of steps) {
      this.settled(step.messages, done);
      try {
        await step.committed();
      } catch (error) {
        this.ctx.report.internalError(`executor failed after a step of execution '${step.executionId}'`, error);
      }
    }
  }

  /** Waits for a message, the next delayed one, or `maxMs` (1 s by default). */
  private async sleep(maxMs = 1000): Promise<void> {
    let next = this.nextDelayed?.at;
    if (!this.nextDelayed)
      try {
        next = await this.ctx.backend.queue.nextAvailable("executor");
        this.nextDelayed = { at: next };
      } catch {
        next = undefined; // a failing read: wait the full delay, the loop reports the next failure
      }
    if (this.pending || this.inbox.length || !this.running) return;
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(this.timer);
        this.wake = undefined;
        resolve();
      };
      this.wake = done;
      // the poll (and the next delayed message): a message sent by a process that could not notify this one
      this.timer = setTimeout(
        () => {
          this.pending = true;
          done();
        },
        next === undefined ? maxMs : Math.max(1, Math.min(maxMs, next - Date.now())),
      );
    });
  }

  /** `running`: the flow's RUNNING and PAUSED executions but this one, read before the step when it has a concurrency limit. */
  private deps(execution: Execution, flow: Flow, running: number): ExecutorDeps {
    const { renderer, renders, secretGuard } = this.ctx;
    let masker: SecretMasker | undefined;
    return {
      now: () => new Date(),
      newId: friendlyId,
      // variables a flowable built itself (a Subflow's child execution) may hold sealed values too
      render: (template, variables, typed) =>
        renderer.render(template, secretGuard.reveal(variables), typed, renders.executorServices(execution)),
      renderValue: (value, variables) =>
        renderer.renderValue(value, secretGuard.reveal(variables), renders.executorServices(execution)),
      variables: (sources, decrypt) => renders.variables(sources, decrypt),
      countRunning: () => running,
      seal: (value) => secretGuard.seal(value, (masker ??= secretGuard.executionMasker(flow, execution))),
    };
  }

  /**
   * Runs the transition of one execution over its messages; returns the step to commit, or
   * undefined when it committed on its own (no such execution, no flow). `flush` commits the
   * steps prepared before, for a step that reads other executions.
   */
  private async process(
    executionId: string,
    messages: QueueMessage<ExecutorEvent>[],
    flush: () => Promise<void>,
  ): Promise<Step | undefined> {
    const { backend, config, flows, secretGuard } = this.ctx;
    const loaded = await this.take(executionId);
    const stored = loaded?.stored;
    if (!loaded || !stored) {
      await backend.transaction((tx) => consume(tx, messages));
      return undefined;
    }
    const x0 = stored.execution;
    let graph: FlowGraph;
    try {
      graph = flows.graph(x0.namespace, x0.flowId, x0.flowRevision);
    } catch (error) {
      await this.failWithoutFlow(stored, messages, error);
      return undefined;
    }
    if (graph.flow.concurrency) await flush();
    const running = graph.flow.concurrency
      ? await backend.executions.countRunning(x0.tenantId ?? config.tenantId, x0.namespace, x0.flowId, x0.id)
      : 0;
    const stateBefore = x0.state.current;
    const result = await transition(
      graph,
      x0,
      stored.executorState,
      messages.map((m) => m.payload),
      this.deps(x0, graph.flow, running),
    );
    // the executor's own lines (an error message quoting a rendered value) are masked as a task's are
    const masker = result.logs.length ? secretGuard.masker() : undefined;
    const effects: StepEffects = { outgoing: [], inserts: [], logs: [], afterCommit: [] };
    if (result.commands.some((c) => READS_OTHERS.has(c.type))) await flush();
    for (const command of result.commands) await this.handleCommand(command, result, graph, effects);
    const { outgoing, inserts, afterCommit } = effects;
    // lines of the commands (a Subflow's "Created new execution") come before the step's own
    const logs = [...effects.logs, ...result.logs.map((log) => ({ ...log, message: masker!.mask(log.message) }))];
    const justFinished = result.finished && !stored.finished;
    if (justFinished) outgoing.push(...(await this.endedMessages(stored, result.execution, graph)));
    // Kestra evaluates Flow triggers once per processing whose final state differs from the first.
    else if (result.execution.state.current !== stateBefore)
      outgoing.push(...this.ctx.admission.stateChangeMessages(result.execution));
    const write = result.changed || justFinished;
    let runs = loaded.runs;
    // the jobs this process's worker has room for are handed to it, committed already claimed
    const jobs = outgoing.filter((m) => m.topic === "worker");
    const reservation = this.handoff.reserve("worker", jobs.length);
    const local = jobs.slice(0, reservation.granted);
    const queued = reservation.granted ? outgoing.filter((m) => !local.includes(m)) : outgoing;
    let handed: QueueMessage[] = [];
    let attempts = 0;
    return {
      executionId,
      messages,
      cancel: () => reservation.cancel(),
      write: async (tx) => {
        // Written by someone else while this step ran, or written again after a rolled-back
        // attempt (a failed group commit, retried step by step: the first attempt already counted
        // its changed runs as written): the whole execution is written. The store's write hook
        // also marks a rolled-back write as foreign; the attempt count does not rely on that.
        const whole = this.inFlight.get(executionId) === true || attempts++ > 0;
        if (write)
          runs = await tx.executions.update(result.execution, result.state, result.finished, whole ? undefined : runs);
        for (const child of inserts) await tx.executions.insert(child);
        handed = await tx.queue.sendClaimed(local, backend.owner, this.ctx.leases.leaseMs);
        await tx.queue.send(queued);
        // the task lines of the results handed over unsaved, then the step's own; the acknowledgements
        await consume(tx, messages, logs);
      },
      committed: async () => {
        // The working copy is what the database holds (a later write by anyone else drops it).
        // A step that wrote nothing keeps none: the next one reads the execution as stored, as before.
        if (write && !result.finished)
          this.working.set(executionId, {
            stored: { ...stored, execution: result.execution, executorState: result.state, finished: result.finished },
            runs,
          });
        const notified = [...queued];
        if (!reservation.deliver(handed)) {
          // the worker stopped meanwhile: the jobs go back to the queue for whoever runs next
          for (const m of handed) await backend.queue.release(m.seq);
          notified.push(...local);
        }
        for (const topic of new Set(notified.map((m) => m.topic))) backend.notifier.notify(NOTIFY.queue(topic));
        for (const effect of afterCommit) await effect();
        this.announce(logs, write ? result.execution : undefined, inserts, justFinished);
      },
    };
  }

  /** Tells the followers (live views, waits) what a committed step wrote. */
  private announce(
    logs: readonly LogEntry[],
    written: Execution | undefined,
    inserts: readonly StoredExecution[],
    ended: boolean,
  ): void {
    const notifier = this.ctx.backend.notifier;
    for (const log of logs) notifier.notify(NOTIFY.log, log);
    if (written) notifier.notify(NOTIFY.execution, written);
    for (const child of inserts) notifier.notify(NOTIFY.execution, child.execution);
    if (ended && written) notifier.notify(NOTIFY.executionEnd, written);
  }

  private async handleCommand(
    command: ExecutorCommand,
    result: TransitionResult,
    graph: FlowGraph,
    effects: StepEffects,
  ): Promise<void> {
    const { backend } = this.ctx;
    const { outgoing, inserts, afterCommit } = effects;
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
        return this.createSubflow(x, command.parentTaskRunId, command.taskId, command.request, effects);
      case "kill-tasks":
        afterCommit.push(async () => {
          await backend.queue.dropPending("worker", x.id);
          backend.notifier.notify(ROLE_TOPICS.killTasks, x.id);
        });
        return;
      case "kill-subflows":
        for (const childId of await backend.executions.childIds(x.id))
          outgoing.push({ topic: "executor", key: childId, payload: { type: "kill-requested" } });
        return;
      case "remove-working-directory":
        afterCommit.push(async () =>
          backend.notifier.notify(ROLE_TOPICS.removeWorkingDirectory, command.workingDirectoryId),
        );
        return;
      case "replay": {
        const replay = replayExecution(graph, command.execution, new Date(), friendlyId);
        const parent = await backend.executions.get(x.id);
        inserts.push({
          execution: replay.execution,
          executorState: replay.state,
          finished: false,
          ...(parent?.parentExecutionId
            ? { parentExecutionId: parent.parentExecutionId, parentTaskRunId: parent.parentTaskRunId! }
            : {}),
        });
        outgoing.push(processMessage(replay.execution.id));
        return;
      }
    }
  }

  private async createSubflow(
    parent: Execution,
    parentTaskRunId: string,
    taskId: string,
    request: SubflowRequest,
    effects: StepEffects,
  ): Promise<void> {
    const { flows, admission } = this.ctx;
    const { outgoing, inserts } = effects;
    const previous =
      request.restartOf ??
      (request.restartIteration
        ? await this.childOfIteration(parent.id, parentTaskRunId, request.iteration)
        : undefined);
    if (previous !== undefined && (await this.restartSubflow(parent, parentTaskRunId, taskId, previous, effects)))
      return;
    if (request.restartOf !== undefined) {
      // the child is gone, or belongs to the execution this one was restarted from (another revision): a new one
      request = { ...request, executionId: friendlyId() };
      delete request.restartOf;
    }
    try {
      const loaded = flows.get(request.namespace, request.flowId, request.revision);
      const child = await admission.buildExecution(loaded.flow, {
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
      outgoing.push(processMessage(child.id));
      effects.logs.push(
        subflowLog(
          parent,
          taskId,
          parentTaskRunId,
          `Created new execution [[link execution="${child.id}" flowId="${child.flowId}" namespace="${child.namespace}"]]`,
        ),
      );
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
  private async childOfIteration(
    parentId: string,
    parentTaskRunId: string,
    iteration: number | undefined,
  ): Promise<string | undefined> {
    const executions = this.ctx.backend.executions;
    for (const id of await executions.childIds(parentId)) {
      const stored = await executions.get(id);
      if (stored?.parentTaskRunId === parentTaskRunId && stored.execution.trigger?.variables?.iteration === iteration)
        return id;
    }
    return undefined;
  }

  /**
   * A restarted Subflow or ForEachItem (RETRY_FAILED) and a child it started before: a failed child is
   * restarted (once this pass is committed) and reports to the same task run when it ends; a child
   * that did not fail reports its result again now. False when there is no such child any more.
   */
  private async restartSubflow(
    parent: Execution,
    parentTaskRunId: string,
    taskId: string,
    childId: string,
    effects: StepEffects,
  ): Promise<boolean> {
    const { backend, admission } = this.ctx;
    const stored = await backend.executions.get(childId);
    if (
      !stored ||
      stored.execution.deleted ||
      stored.parentExecutionId !== parent.id ||
      stored.parentTaskRunId !== parentTaskRunId
    )
      return false;
    const child = stored.execution;
    if (!isFailed(child.state.current)) {
      effects.outgoing.push({
        topic: "executor",
        key: parent.id,
        payload: { type: "subflow-ended", taskRunId: parentTaskRunId, child },
      });
      return true;
    }
    effects.afterCommit.push(async () => {
      try {
        await admission.restart(child.id);
        const line = `Restarted execution [[link execution="${child.id}" flowId="${child.flowId}" namespace="${child.namespace}"]]`;
        const log = subflowLog(parent, taskId, parentTaskRunId, line);
        await backend.logs.append([log]);
      } catch (error) {
        await admission.signal(parent.id, {
          type: "subflow-failed",
          taskRunId: parentTaskRunId,
          message: `Unable to restart execution '${child.id}': ${errorMessage(error)}`,
        });
      }
    });
    return true;
  }

  /** An execution ended: tell its parent (Subflow), free a concurrency slot, fire flow triggers. */
  async endedMessages(
    stored: StoredExecution,
    execution: Execution,
    graph: FlowGraph | undefined,
  ): Promise<NewMessage[]> {
    return endedMessages(this.ctx, this.ctx.backend, stored, execution, graph);
  }

  private async failWithoutFlow(
    stored: StoredExecution,
    messages: readonly QueueMessage<ExecutorEvent>[],
    error: unknown,
  ): Promise<void> {
    const { backend } = this.ctx;
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
    await backend.transaction(async (tx) => {
      await tx.executions.update(x, stored.executorState, true);
      await tx.logs.append([log]);
      await consume(tx, messages);
    });
    backend.notifier.notify(NOTIFY.execution, x);
    backend.notifier.notify(NOTIFY.executionEnd, x);
  }
}

/** A log line on the task run of a Subflow (or ForEachItem) in its parent execution. */
function subflowLog(parent: Execution, taskId: string, taskRunId: string, message: string): LogEntry {
  return {
    namespace: parent.namespace,
    flowId: parent.flowId,
    executionId: parent.id,
    taskId,
    taskRunId,
    level: "INFO",
    message,
    timestamp: new Date().toISOString(),
  };
}

/**
 * The messages of an execution that ended: to its parent (Subflow), to the oldest execution of
 * its flow waiting for a concurrency slot, to the scheduler (Flow triggers). Read through `db`
 * (a transaction, when called inside one).
 */
export async function endedMessages(
  ctx: Pick<RoleContext, "config" | "admission">,
  db: Backend,
  stored: StoredExecution,
  execution: Execution,
  graph: FlowGraph | undefined,
): Promise<NewMessage[]> {
  const outgoing: NewMessage[] = [];
  if (stored.parentExecutionId && stored.parentTaskRunId) {
    outgoing.push({
      topic: "executor",
      key: stored.parentExecutionId,
      payload: { type: "subflow-ended", taskRunId: stored.parentTaskRunId, child: execution },
    });
  }
  if (graph?.flow.concurrency) {
    const queued = await db.executions.oldestQueued(
      execution.tenantId ?? ctx.config.tenantId,
      execution.namespace,
      execution.flowId,
    );
    if (queued && queued !== execution.id)
      outgoing.push({ topic: "executor", key: queued, payload: { type: "concurrency-released" } });
  }
  outgoing.push(...ctx.admission.flowTriggerMessages(execution));
  return outgoing;
}
