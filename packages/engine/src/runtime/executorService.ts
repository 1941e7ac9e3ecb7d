/**
 * Runs the executor over the queue: claims executor messages, groups them by execution, runs
 * `transition`, then commits in one transaction the new execution, its outgoing messages (worker
 * jobs, delays, child executions), its logs and the acknowledgement of what it consumed.
 *
 * Executions of one batch are processed one after the other, so that a concurrency limit sees
 * the executions admitted just before.
 */
import { setImmediate as nextTurn } from "node:timers/promises";
import { errorMessage, isSakerError } from "@saker/sdk";
import { transition } from "../executor/transition.ts";
import { takesConcurrencySlot } from "../executor/lifecycle.ts";
import type { ExecutorCommand, ExecutorEvent, LogEntry, WorkerJob } from "../executor/types.ts";
import type { Execution } from "../model/execution.ts";
import type { FlowGraph } from "../flow/flowGraph.ts";
import { jsonCopy } from "../model/jsonCopy.ts";
import { packedMap } from "../model/packedMap.ts";
import { withState } from "../model/state.ts";
import { NOTIFY } from "../backend/notifier.ts";
import type { NewMessage, QueueMessage } from "../backend/queue.ts";
import type { LoadedExecution, StoredExecution } from "../backend/records.ts";
import { Lru } from "../model/lru.ts";
import { isDiskFull } from "../storage/diskFull.ts";
import { backoffMs } from "./diskWatch.ts";
import {
  bundlesOf,
  consume,
  inBundle,
  isBundled,
  localHandoff,
  rowSeqs,
  saveBundle,
  type BundledMessage,
  type HandedJob,
  type JobRow,
  type LocalHandoff,
  type WorkerBundle,
} from "./handoff.ts";
import { type RoleContext, type RoleState, type RoleStatus } from "./roleContext.ts";
import { endedMessages, handleCommand, type StepEffects } from "./executor/commands.ts";
import { CommitPipeline, PIPELINE_MS } from "./executor/commitPipeline.ts";
import { commitSteps, dropFailed, type Settle } from "./executor/batchCommit.ts";
import { groupByExecution, PipelineFailed, PipelineRedo, type Step } from "./executor/step.ts";
import { StepDeps } from "./executor/stepDeps.ts";

export { endedMessages } from "./executor/commands.ts";

/**
 * Running executions whose working copy the executor keeps between steps (read back from the
 * database after a restart, and after any other write to them): enough for a burst of small
 * executions, and at most this many task runs in all, so that large ones do not fill the memory.
 */
const WORKING_COPIES = 4096;
const WORKING_COPY_TASK_RUNS = 50_000;

const NO_LOGS: readonly LogEntry[] = [];

/** Commands whose handling reads other executions: the steps prepared before them commit first. */
const READS_OTHERS: ReadonlySet<ExecutorCommand["type"]> = new Set(["create-subflow", "kill-subflows", "replay"]);

export class ExecutorService {
  /**
   * Steps run ahead of the disk and commit in groups (see `runPipelined`); off, each batch
   * commits on its own before its jobs go to the worker.
   */
  pipeline = true;
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
  private readonly working = new Lru<string, LoadedExecution>(WORKING_COPIES, {
    weigh: (copy) => 1 + copy.stored.execution.taskRunList.length,
    maxWeight: WORKING_COPY_TASK_RUNS,
  });
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
  /** Jobs handed to this process's worker whose outcome has not come back. */
  private readonly outstanding = new Set<JobRow>();
  /** The group commits of pipelined steps. */
  private readonly commits: CommitPipeline;
  private readonly settle: Settle = (messages, done) => this.settled(messages, done);
  private readonly redo = (step: Step) => this.redone(step);
  /** Steps committed alone and redone because someone else wrote their execution meanwhile. */
  private redoneSteps = 0;

  /**
   * On a shared database (PostgreSQL) other processes may write an execution this one keeps a
   * working copy of (another executor stepping a message of it, see docs/cluster.md). Each commit
   * is fenced (backend/fence.ts): its execution must still be at the revision the step started
   * from, and its messages still claimed by this process; else the commit fails as a whole and the
   * step is redone from the database (or dropped, when the messages went to another process).
   */
  private readonly shared: boolean;

  constructor(private readonly ctx: RoleContext) {
    this.shared = ctx.config.database.type === "postgres";
    this.handoff = localHandoff(ctx.backend);
    this.commits = new CommitPipeline(ctx, {
      forget: (executionId) => {
        this.working.delete(executionId);
        this.inFlight.delete(executionId);
      },
      settle: (executionId) => this.inFlight.delete(executionId),
      retry: (messages) => (this.held = [...messages, ...this.held]),
    });
  }

  status(): RoleStatus {
    return {
      state: this.state,
      inFlight: this.held.length + this.inFlight.size + this.commits.unflushed.length,
      stepsRedone: this.redoneSteps + this.commits.redoneSteps,
    };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.state = "RUNNING";
    this.pending = true;
    this.outstanding.clear();
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
      this.commits.written(id);
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

  /**
   * An execution being inserted by this process (called inside the inserting transaction, after
   * the insert): kept as the working copy, so that its first step does not read it back. Any later
   * write drops it (the write hook); a rolled-back insert leaves one that no message names. Only
   * one without task runs (their stored texts are not known here).
   */
  seed(stored: StoredExecution): void {
    const id = stored.execution.id;
    if (!this.running || stored.execution.taskRunList.length > 0) return;
    if (this.commits.speculative.has(id) || this.inFlight.has(id)) return;
    // never at the cost of a running execution's copy (a burst seeds its first ones only)
    if (this.working.size >= WORKING_COPIES / 2) return;
    // as `load` would read it back (a copy: the caller keeps the document it inserted, and a step
    // changes its copy in place), the task runs last
    const { taskRunList: _runs, ...head } = stored.execution;
    const execution = jsonCopy(head) as Execution;
    // added, not spread with the head: V8 gives every `{ ...object, newKey }` a map of its own once
    // the site is warm, and the execution's accesses for the rest of its life would see a new map
    execution.taskRunList = [];
    const copy: StoredExecution = {
      execution,
      executorState: jsonCopy(stored.executorState),
      finished: stored.finished,
    };
    if (stored.parentExecutionId) copy.parentExecutionId = stored.parentExecutionId;
    if (stored.parentTaskRunId) copy.parentTaskRunId = stored.parentTaskRunId;
    // an inserted execution is at revision 0 (a shared database's fence, backend/fence.ts)
    this.working.set(id, this.shared ? { stored: copy, runs: [], revision: 0 } : { stored: copy, runs: [] });
  }

  /** A worker job's unsaved outcome: its events join the inbox; its job stays held in the leases. */
  private takeBundle(bundle: WorkerBundle): boolean {
    if (!this.running) return false;
    // the step that created the job was discarded: the job is created and run again
    if (bundle.row.stale) return true;
    if (bundle.final) {
      this.outstanding.delete(bundle.row);
      if (bundle.row.seq !== undefined) this.ctx.leases.hold([bundle.row.seq]);
    }
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

  /**
   * The execution as its uncommitted steps left it, else its working copy (taken: a step that
   * fails leaves none behind), else the stored one.
   */
  private async take(executionId: string): Promise<LoadedExecution | undefined> {
    const ahead = this.commits.speculative.get(executionId);
    if (ahead) return ahead;
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
        if (isBundled(m)) {
          if (!m.bundle.row.stale) bundles.add(m.bundle);
        } else await this.ctx.backend.queue.release(m.seq);
    } catch (error) {
      // still claimed by this open: freed at the next open, or once its lease lapses
      this.ctx.report.internalError("releasing the executor's unprocessed messages", error);
    }
    // the outcomes handed over unsaved are saved as the worker would have: queued for the next start
    for (const bundle of bundles) {
      try {
        await this.ctx.backend.transaction((tx) => saveBundle(tx, bundle));
        this.ctx.backend.notifier.notify(NOTIFY.queue("executor"));
        for (const log of bundle.untold ?? []) this.ctx.backend.notifier.notify(NOTIFY.log, log);
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
        this.ctx.report.loopError("executor", error instanceof PipelineFailed ? error.cause : error);
        await this.sleep(backoffMs(attempt++));
        this.pending = true;
      }
    }
    try {
      await this.commits.flush();
    } catch (error) {
      // the steps are discarded, their messages still claimed: handled again after the next open
      this.ctx.report.loopError("executor", error instanceof PipelineFailed ? error.cause : error);
    }
  }

  /**
   * Claims a batch (or takes back the one a full disk interrupted) and processes it. On a full
   * disk the unprocessed messages stay claimed and are kept for the retry: nothing is lost.
   */
  private async runOnce(): Promise<void> {
    const pipelined = this.pipeline && !this.commits.fallingBack;
    if (!pipelined)
      try {
        await this.commits.flush();
      } catch (error) {
        if (!(error instanceof PipelineRedo)) throw error;
      }
    const batch = await this.nextBatch();
    if (pipelined) return this.runPipelined(batch);
    if (batch.length === 0) {
      await this.sleep();
      return;
    }
    const groups = groupByExecution(batch);
    // The steps of a batch's executions commit together (one commit for many executions); a step
    // that reads other executions (a concurrency limit, a Subflow) first commits those before it.
    const done = new Set<number>();
    const steps: Step[] = [];
    const flush = () => commitSteps(this.ctx, this.settle, this.redo, steps.splice(0), done);
    try {
      let first = true;
      for (const [executionId, messages] of groups) {
        // A step (read, transition, write) may move megabytes of outputs: other requests run
        // between the steps of a batch, so the event loop is held by one step at a time.
        if (!first) await nextTurn();
        first = false;
        this.inFlight.set(executionId, false);
        try {
          const step = await this.process(executionId, messages, flush, false);
          if (step) steps.push(step);
          else this.settled(messages, done);
        } catch (error) {
          if (isDiskFull(error)) throw error;
          await dropFailed(this.ctx, this.settle, executionId, messages, error, done);
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

  /**
   * Processes a batch in the pipeline: each step's jobs go to this process's worker at once, the
   * next step of an execution starts from what the step before left, uncommitted, and the steps
   * commit together (`flushPending`) once the executor has nothing more to do now, or a bound is
   * reached. A failing group commit discards the steps, keeps their messages for a retry and
   * turns the pipeline off for a while.
   */
  private async runPipelined(batch: QueueMessage<ExecutorEvent>[]): Promise<void> {
    if (batch.length === 0 && !this.commits.unflushed.length) return this.sleep();
    const groups = groupByExecution(batch);
    let back: QueueMessage<ExecutorEvent>[] = [];
    let backGroups: Map<string, QueueMessage<ExecutorEvent>[]> | undefined;
    const done = new Set<number>();
    const due = () => this.commits.due(this.running);
    try {
      if (batch.length === 0) {
        // a job handed over answers within a turn or two: its outcome joins the group
        const waited = this.commits.waited();
        if (this.outstanding.size > 0 && waited < PIPELINE_MS && !this.commits.foreign && this.running)
          return await this.sleep(Math.max(1, PIPELINE_MS - waited));
        return await this.commits.flush();
      }
      await this.processGroups(groups, done);
      // The outcomes already back of the jobs the group's steps handed over join it before it
      // commits: an execution's steps then commit once (one write, no row for the job), instead
      // of its next step waiting for the next group (a burst: each execution in two groups).
      if (due() && this.running && !this.commits.foreign && !this.held.length) {
        back = this.takeOutcomes();
        if (back.length) {
          backGroups = groupByExecution(back);
          await this.processGroups(backGroups, done);
        }
      }
      if (due()) await this.commits.flush();
    } catch (error) {
      this.commits.discard(this.commits.unflushed.splice(0));
      this.held.push(...[...batch, ...back].filter((m) => !done.has(m.seq)));
      for (const executionId of [...groups.keys(), ...(backGroups?.keys() ?? [])]) this.inFlight.delete(executionId);
      if (error instanceof PipelineRedo) return;
      const cause = error instanceof PipelineFailed ? error.cause : error;
      // step by step (and a failing one alone) for a while
      this.commits.fallBack();
      if (isDiskFull(cause)) throw error;
      this.ctx.report.internalError("executor: a pipelined commit failed; committing batch by batch", cause);
    }
  }

  /** The inbox's messages for executions with uncommitted steps (taken out of it, in order). */
  private takeOutcomes(): QueueMessage<ExecutorEvent>[] {
    if (!this.inbox.length || !this.commits.speculative.size) return [];
    const taken: QueueMessage<ExecutorEvent>[] = [];
    const kept: QueueMessage<ExecutorEvent>[] = [];
    for (const m of this.inbox) (m.key !== null && this.commits.speculative.has(m.key) ? taken : kept).push(m);
    if (taken.length) this.inbox = kept;
    return taken;
  }

  /** The steps of a batch's executions, one after the other, added to the pipeline's group. */
  private async processGroups(groups: Map<string, QueueMessage<ExecutorEvent>[]>, done: Set<number>): Promise<void> {
    const flush = () => this.commits.flush();
    let first = true;
    for (const [executionId, messages] of groups) {
      if (!first) await nextTurn();
      first = false;
      if (!this.inFlight.has(executionId)) this.inFlight.set(executionId, false);
      try {
        const step = await this.process(executionId, messages, flush, true);
        if (step) this.commits.add(step);
        else if (!this.commits.speculative.has(executionId)) this.inFlight.delete(executionId);
        for (const m of messages) done.add(m.seq);
        if (!step) this.ctx.leases.drop(rowSeqs(messages));
      } catch (error) {
        if (isDiskFull(error) || error instanceof PipelineFailed) throw error;
        // a step that fails alone: what is pending commits first, then its messages are dropped
        await this.commits.flush();
        await dropFailed(this.ctx, this.settle, executionId, messages, error, done);
      }
    }
  }

  /** The messages to process next: those a full disk held back, else the inbox and a claim. */
  private async nextBatch(): Promise<QueueMessage<ExecutorEvent>[]> {
    const { backend, config, leases } = this.ctx;
    if (this.held.length) return this.held.splice(0);
    const limit = config.executor.fetchLimit;
    if (this.pending) {
      this.pending = false;
      this.nextDelayed = undefined;
      const claimed = await backend.queue.claim<ExecutorEvent>("executor", limit, backend.owner, leases.leaseMs);
      if (claimed.length === limit) this.pending = true;
      leases.hold(claimed.map((m) => m.seq));
      // the outcomes handed over unsaved come last: they are newer than any row claimed now
      if (claimed.length)
        this.inbox = this.inbox.length
          ? [...this.inbox.filter((m) => m.seq > 0), ...claimed]
              .sort((a, b) => a.seq - b.seq)
              .concat(this.inbox.filter((m) => m.seq < 0))
          : claimed;
    }
    // A burst hands thousands over at once: taken a batch at a time, each group commits (and its
    // steps' objects die) before the next starts, instead of one commit for the whole burst. A
    // job's outcome is never cut in two: its events acknowledge its row and write its lines once.
    let end = Math.min(limit, this.inbox.length);
    const last = this.inbox[end - 1];
    if (last && isBundled(last)) while (end < this.inbox.length && inBundle(this.inbox[end]!, last.bundle)) end++;
    return this.inbox.splice(0, end);
  }

  /**
   * A step whose commit found its execution written by another process: its copy is stale, its
   * messages (still claimed by this process) are handled again first, from the execution as stored.
   */
  private redone(step: Step): void {
    this.redoneSteps++;
    this.working.delete(step.executionId);
    this.inFlight.delete(step.executionId);
    this.held.push(...step.messages);
  }

  /** Messages handled and acknowledged (committed). */
  private settled(messages: readonly QueueMessage[], done: Set<number>): void {
    for (const m of messages) done.add(m.seq);
    this.ctx.leases.drop(rowSeqs(messages));
    if (messages[0]?.key) this.inFlight.delete(messages[0].key);
    this.ctx.disk.ok();
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

  /**
   * Runs the transition of one execution over its messages; returns the step to commit, or
   * undefined when it committed on its own (no such execution, no flow). `flush` commits the
   * steps prepared before, for a step that reads other executions. `pipelined`: the step's jobs
   * go to this process's worker at once, and its result is where the next step starts.
   */
  private async process(
    executionId: string,
    messages: QueueMessage<ExecutorEvent>[],
    commitBefore: () => Promise<void>,
    pipelined: boolean,
  ): Promise<Step | undefined> {
    const { backend, config, flows, secretGuard } = this.ctx;
    const ahead = this.commits.speculative.get(executionId);
    // Task runs as last committed, against which the step's changed ones are written; unknown
    // (the whole execution is written) once steps of this execution committed during this one.
    let baseline = !this.commits.wholeNext.has(executionId);
    const flush = async () => {
      await commitBefore();
      if (ahead) baseline = false;
    };
    const loaded = await this.take(executionId);
    const stored = loaded?.stored;
    if (!loaded || !stored) {
      await backend.transaction((tx) => consume(tx, messages));
      return undefined;
    }
    const x0 = stored.execution;
    let graph: FlowGraph;
    try {
      graph = await flows.graphCaughtUp(x0.namespace, x0.flowId, x0.flowRevision);
    } catch (error) {
      await this.failWithoutFlow(stored, messages, error);
      return undefined;
    }
    if (graph.flow.concurrency) await flush();
    const running = graph.flow.concurrency
      ? await backend.executions.countRunning(x0.tenantId ?? config.tenantId, x0.namespace, x0.flowId, x0.id)
      : 0;
    // the state as loaded: the transition changes `x0` in place
    const before = x0.state;
    const result = await transition(
      graph,
      x0,
      stored.executorState,
      messages.map((m) => m.payload),
      new StepDeps(this.ctx, x0, graph.flow, running),
    );
    // the executor's own lines (an error message quoting a rendered value) are masked as a task's are
    const masker = result.logs.length ? secretGuard.masker() : undefined;
    const effects: StepEffects = { outgoing: [], inserts: [], logs: [], afterCommit: [] };
    if (result.commands.some((c) => READS_OTHERS.has(c.type))) await flush();
    for (const command of result.commands) await handleCommand(this.ctx, command, result, graph, effects);
    const { outgoing, inserts, afterCommit } = effects;
    // lines of the commands (a Subflow's "Created new execution") come before the step's own
    const logs = result.logs.length
      ? [...effects.logs, ...result.logs.map((log) => ({ ...log, message: masker!.mask(log.message) }))]
      : effects.logs;
    const justFinished = result.finished && !stored.finished;
    if (justFinished) outgoing.push(...(await this.endedMessages(stored, result.execution, graph)));
    // Kestra evaluates Flow triggers once per processing whose final state differs from the first.
    else if (result.execution.state.current !== before.current)
      outgoing.push(...this.ctx.admission.stateChangeMessages(result.execution));
    const write = result.changed || justFinished;
    // let run under the flow's concurrency limit: checked again in the commit against the other
    // executors' admissions (a shared database)
    const limit = graph.flow.concurrency?.limit;
    const admitted = limit !== undefined && takesConcurrencySlot(before, result.execution.state.current);
    let runs = loaded.runs;
    const after: StoredExecution = {
      ...stored,
      execution: result.execution,
      executorState: result.state,
      finished: result.finished,
    };
    // the jobs this process's worker has room for are handed to it: committed already claimed,
    // or in the pipeline at once, their rows inserted by the group commit if they still run then
    const jobs = outgoing.filter((m) => m.topic === "worker" && this.forLocalWorker(m));
    const reservation = this.handoff.reserve("worker", jobs.length);
    let local = jobs.slice(0, reservation.granted);
    let queued = reservation.granted ? outgoing.filter((m) => !local.includes(m)) : outgoing;
    let handed: QueueMessage[] = [];
    let early: HandedJob[] = [];
    const inserted = new Map<JobRow, number>();
    // where the next step starts: uncommitted (pipelined), then the working copy once committed;
    // its revision (a shared database) is set when it is written
    const next: LoadedExecution = { stored: after, runs };
    if (this.shared) next.revision = loaded.revision;
    let writtenAt: number | undefined;
    if (pipelined) {
      this.commits.speculative.set(executionId, next);
      if (!baseline) this.commits.wholeNext.add(executionId);
      if (local.length) {
        // pushed, packed whatever the compiler tier (see packedMap)
        for (const m of local)
          early.push({
            seq: this.handoff.virtualSeq(),
            topic: "worker",
            key: m.key ?? null,
            // as a claim would read it back
            payload: jsonCopy(m.payload as WorkerJob),
            availableAt: 0,
            row: { seq: undefined, stale: false },
          });
        if (reservation.deliver(early)) for (const job of early) this.outstanding.add(job.row);
        else {
          queued = outgoing;
          local = [];
          early = [];
        }
      }
    }
    let attempts = 0;
    return {
      executionId,
      messages,
      changed: write,
      ended: justFinished,
      cancel: () => reservation.cancel(),
      discard: () => {
        for (const job of early) {
          job.row.stale = true;
          this.outstanding.delete(job.row);
        }
        this.handoff.rowsSettled(early.map((job) => job.row));
      },
      write: async (tx, group) => {
        // A shared database: the execution is written (or, by a step that does not write it, kept)
        // at the revision this step started from, read now: a commit of earlier steps during this
        // one moved it on (backend/fence.ts). The step that started it loaded it or wrote it last.
        const revision = this.shared ? loaded.revision : undefined;
        writtenAt = undefined;
        // Written by someone else while this step ran, or written again after a rolled-back
        // attempt (a failed group commit, retried step by step: the first attempt already counted
        // its changed runs as written): the whole execution is written. The store's write hook
        // also marks a rolled-back write as foreign; the attempt count does not rely on that.
        const whole = this.inFlight.get(executionId) === true || attempts++ > 0 || !baseline;
        if (admitted && tx.executions.admit)
          await tx.executions.admit(x0.tenantId ?? config.tenantId, x0.namespace, x0.flowId, limit, executionId);
        // in a group, the execution is written once, as its last step left it
        const writes = group
          ? group.last.get(executionId)?.messages === messages && group.changed.has(executionId)
          : write;
        if (writes) {
          runs = await tx.executions.update(
            result.execution,
            result.state,
            result.finished,
            whole ? undefined : runs,
            revision,
          );
          writtenAt = revision;
        } else if (revision !== undefined && (!group || group.last.get(executionId)?.messages === messages))
          await tx.executions.fence?.(executionId, revision);
        for (const child of inserts) await tx.executions.insert(child);
        if (!pipelined) handed = await tx.queue.sendClaimed(local, backend.owner, this.ctx.leases.leaseMs);
        else {
          // a job whose outcome this group handles needs no row; one still running gets it, claimed
          const running = early.filter((job) => !group?.consumed.has(job.row));
          const claims = packedMap(running, (job): NewMessage => ({
            topic: "worker",
            key: job.key,
            payload: job.payload,
          }));
          if (claims.length) {
            const rows = await tx.queue.sendClaimed(claims, backend.owner, this.ctx.leases.leaseMs);
            running.forEach((job, i) => inserted.set(job.row, rows[i]!.seq));
          }
        }
        // an await costs a promise and a turn of the microtask queue even for nothing to write
        if (queued.length) await tx.queue.send(queued);
        // the task lines of the results handed over unsaved, then the step's own; the acknowledgements
        await consume(tx, messages, logs, this.shared ? backend.owner : undefined);
      },
      committed: async (group) => {
        for (const [row, seq] of inserted) {
          row.seq = seq;
          if (!row.stale) this.ctx.leases.hold([seq]);
        }
        if (inserted.size) this.handoff.rowsSettled([...inserted.keys()]);
        const last = group ? group.last.get(executionId)?.messages === messages : true;
        const written = group ? last && group.changed.has(executionId) : write;
        if (last) this.commits.wholeNext.delete(executionId);
        // The working copy is what the database holds (a later write by anyone else drops it).
        // A step that wrote nothing keeps none: the next one reads the execution as stored, as before.
        if (written && !result.finished) {
          next.runs = runs;
          if (writtenAt !== undefined) next.revision = writtenAt + 1;
          this.working.set(executionId, next);
        }
        let notified = queued;
        if (!pipelined && !reservation.deliver(handed)) {
          // the worker stopped meanwhile: the jobs go back to the queue for whoever runs next
          for (const m of handed) await backend.queue.release(m.seq);
          notified = [...queued, ...local];
        }
        if (notified.length)
          for (const topic of new Set(notified.map((m) => m.topic))) backend.notifier.notify(NOTIFY.queue(topic));
        for (const effect of afterCommit) await effect();
        // followers hear of the execution once per commit, as it was written
        const ended = group ? last && group.ended.has(executionId) : justFinished;
        const untold = bundlesOf(messages).flatMap((bundle) => bundle.untold ?? NO_LOGS);
        this.announce(untold, logs, written ? result.execution : undefined, inserts, ended);
      },
    };
  }

  /**
   * Whether a worker job may go to this process's worker in memory: on a shared database a job of
   * a worker group runs only on a worker of that group (this process's worker takes its group's
   * jobs, and without a group only ungrouped ones, as its claims do); on SQLite groups are ignored.
   */
  private forLocalWorker(job: NewMessage): boolean {
    if (!this.shared) return true;
    const group = (job.payload as Partial<WorkerJob>).task?.workerGroup as { key?: unknown } | undefined;
    return (group?.key ?? undefined) === this.ctx.config.server.workerGroup;
  }

  /** Tells the followers (live views, waits) what a committed step wrote. */
  private announce(
    untold: readonly LogEntry[],
    logs: readonly LogEntry[],
    written: Execution | undefined,
    inserts: readonly StoredExecution[],
    ended: boolean,
  ): void {
    const notifier = this.ctx.backend.notifier;
    for (const log of untold) notifier.notify(NOTIFY.log, log);
    for (const log of logs) notifier.notify(NOTIFY.log, log);
    if (written) notifier.notify(NOTIFY.execution, written);
    for (const child of inserts) notifier.notify(NOTIFY.execution, child.execution);
    if (ended && written) notifier.notify(NOTIFY.executionEnd, written);
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
