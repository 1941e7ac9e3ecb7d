/**
 * Runs worker jobs from the queue, at most `worker.concurrency` at once. A job announces its
 * start, runs, then in one transaction reports its result and removes itself from the queue; a
 * job interrupted by a crash is claimed and run again after a restart.
 */
import { errorMessage, SakerError } from "@saker/sdk";
import type { ExecutorEvent, LogEntry, WorkerJob } from "../executor/types.ts";
import { runJob, type WorkerDeps, type WorkerOutcome } from "../worker/runJob.ts";
import { removeSharedDirectory, sharedDirectoryPath } from "../worker/workingDirectory.ts";
import type { Backend } from "../backend/backend.ts";
import { NOTIFY, onEachPoll } from "../backend/notifier.ts";
import type { NewMessage, QueueMessage } from "../backend/queue.ts";
import { isDiskFull } from "../storage/diskFull.ts";
import { backoffMs } from "./diskWatch.ts";
import { jobRow, localHandoff, type JobRow } from "./handoff.ts";
import { ROLE_TOPICS, type RoleContext, type RoleState, type RoleStatus } from "./roleContext.ts";
import { KillSwitch, untilOrStopped } from "../model/killSwitch.ts";

/** Task log lines are written in groups: at most this long after the first of a group. */
const LOG_FLUSH_MS = 100;
/** While the disk is full, task logs wait in memory up to this many lines (the oldest go first). */
const MAX_PENDING_LOGS = 10_000;
/** Pending log lines are written once this many wait, so a chatty task holds few in memory. */
const LOG_BATCH = 1000;

export class WorkerService {
  private running = false;
  private readonly active = new Map<number, { job: WorkerJob; kill: KillSwitch; done: Promise<void> }>();
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private pendingLogs: LogEntry[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private stopping = new AbortController();
  private state: RoleState = "INITIALIZED";
  /**
   * There may be ready jobs nobody claimed: set at start, by a wake-up, by a claim that filled
   * every free slot and by the poll. A claim is made only then, so no empty claim follows each job.
   */
  private pending = true;
  /** Job results waiting for their group commit (`writeResult`). */
  private results: {
    write: (tx: Backend) => Promise<void>;
    resolve: (saved: boolean) => void;
    reject: (error: unknown) => void;
  }[] = [];
  private resultFlush: NodeJS.Immediate | undefined;
  private unregister: () => void = () => undefined;
  /** Jobs handed over before their step committed that wait for it to read the database. */
  private readonly onDisk = new Map<JobRow, (() => void)[]>();
  /** Log lines of jobs whose step was not on disk when they were logged, told later. */
  private readonly untold = new Map<JobRow, LogEntry[]>();
  /** A read of the running jobs' executions is under way (see {@link stopKilledJobs}). */
  private checkingKills = false;

  constructor(private readonly ctx: RoleContext) {}

  get activeCount(): number {
    return this.active.size;
  }

  status(): RoleStatus {
    return { state: this.state, inFlight: this.active.size };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.state = "RUNNING";
    this.stopping = new AbortController();
    this.pending = true;
    const notifier = this.ctx.backend.notifier;
    const unsubscribe = [
      notifier.on(NOTIFY.queue("worker"), () => {
        this.pending = true;
        this.wake?.();
      }),
      notifier.on(ROLE_TOPICS.killTasks, (executionId) => this.abortExecution(String(executionId))),
      // where a kill's notification may be lost: see stopKilledJobs
      onEachPoll(notifier, () => void this.stopKilledJobs()),
      notifier.on(ROLE_TOPICS.removeWorkingDirectory, (id) => this.removeWorkingDirectory(String(id))),
      // the jobs this process's executor commits already claimed for this worker
      (this.unregister = localHandoff(this.ctx.backend).register("worker", {
        room: () => (this.running ? this.ctx.config.worker.concurrency - this.active.size : 0),
        rowsSettled: (rows) => {
          for (const row of rows) {
            if (!row.stale) this.tell(row);
            else this.untold.delete(row);
            for (const resolve of this.onDisk.get(row) ?? []) resolve();
            this.onDisk.delete(row);
          }
        },
        take: (messages) => {
          // a job handed over before its step committed has no row yet: the executor holds it once inserted
          // packed whatever V8's compiler tier (see packedMap)
          const held: number[] = [];
          for (const m of messages) if (m.seq > 0) held.push(m.seq);
          this.ctx.leases.hold(held);
          for (const message of messages) this.startJob(message as QueueMessage<WorkerJob>);
        },
      })),
    ];
    this.loop = this.run()
      .then(() => void (this.state = "STOPPED"))
      .catch((error: unknown) => {
        this.state = "FAILED";
        this.ctx.report.internalError("worker stopped", error);
      })
      .finally(() => unsubscribe.forEach((off) => off()));
  }

  /** Stops taking jobs; running ones are killed when `kill` is set, else awaited. */
  async stop(kill = true): Promise<void> {
    if (this.running) this.state = "STOPPING";
    this.running = false;
    this.unregister();
    this.stopping.abort();
    this.wake?.();
    await this.loop;
    if (kill)
      for (const entry of this.active.values()) entry.kill.abort(new SakerError("INTERRUPTED", "worker stopping"));
    await Promise.all([...this.active.values()].map((a) => a.done));
    await this.flushLogs(false);
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.state === "STOPPING") this.state = "STOPPED";
  }

  /** Removes the shared directory of an ended WorkingDirectory. */
  removeWorkingDirectory(workingDirectoryId: string): void {
    removeSharedDirectory(sharedDirectoryPath(this.ctx.config.tmpDir, workingDirectoryId)).catch((error: unknown) =>
      this.ctx.report.internalError(`removing working directory ${workingDirectoryId}`, error),
    );
  }

  /**
   * Aborts the running jobs of the executions being killed (KILLING, KILLED) or already finished
   * (ended by an Exit task or an SLA, or deleted): what their executor's kill notification does,
   * for a notifier that may lose it (another process's executor killed the execution).
   */
  private async stopKilledJobs(): Promise<void> {
    if (this.checkingKills || this.active.size === 0) return;
    this.checkingKills = true;
    try {
      const executionIds = new Set([...this.active.values()].map((entry) => entry.job.executionId));
      for (const executionId of executionIds) {
        const status = await this.ctx.backend.executions.status(executionId);
        if (!status || status.finished || status.state === "KILLING" || status.state === "KILLED")
          this.abortExecution(executionId);
      }
    } catch (error) {
      this.ctx.report.loopError("worker (reading the running jobs' executions)", error);
    } finally {
      this.checkingKills = false;
    }
  }

  /** Aborts the running jobs of an execution (kill). */
  abortExecution(executionId: string): void {
    for (const entry of this.active.values())
      if (entry.job.executionId === executionId) entry.kill.abort(new SakerError("INTERRUPTED", "killed"));
  }

  private async run(): Promise<void> {
    const { backend, config, leases } = this.ctx;
    const limit = config.worker.concurrency;
    const handoff = localHandoff(backend);
    const claimOptions = config.server.workerGroup ? { workerGroup: config.server.workerGroup } : {};
    while (this.running) {
      const free = limit - this.active.size - handoff.reserved("worker");
      let jobs: QueueMessage<WorkerJob>[] = [];
      if (free > 0 && this.pending) {
        this.pending = false;
        try {
          jobs = await backend.queue.claim<WorkerJob>("worker", free, backend.owner, leases.leaseMs, claimOptions);
        } catch (error) {
          this.ctx.report.loopError("worker", error); // claimed again at the next poll
        }
        if (jobs.length === free) this.pending = true;
      }
      if (jobs.length) leases.hold(jobs.map((m) => m.seq));
      for (const message of jobs) this.startJob(message);
      await this.sleep();
    }
  }

  /** Returns at once when there may be work and a free slot; else at a wake-up, the end of a job while claims wait for a slot, or the poll. */
  private sleep(): Promise<void> {
    if (!this.running || (this.pending && this.active.size < this.ctx.config.worker.concurrency))
      return Promise.resolve();
    return new Promise((resolve) => {
      // the poll: a job sent by a process that could not notify this one waits at most this long
      const timer = setTimeout(() => {
        this.pending = true;
        done();
      }, 1000);
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      this.wake = done;
    });
  }

  private startJob(message: QueueMessage<WorkerJob>): void {
    const job = message.payload;
    const kill = new KillSwitch();
    const row = jobRow(message);
    const done = this.execute(message, row, kill)
      .catch((error: unknown) => {
        this.ctx.report.internalError(`worker failed on task run '${job.taskRunId}'`, error);
        return false;
      })
      .then((handedOver) => {
        this.active.delete(message.seq);
        // a job whose outcome went to the executor unsaved stays claimed until the executor's step
        if (!handedOver && row.seq !== undefined) this.ctx.leases.drop([row.seq]);
        // the freed slot matters to the claim loop only when there may be jobs to claim: else it
        // sleeps on (a wake-up, or its poll, tells it there may be)
        if (this.pending) this.wake?.();
      });
    this.active.set(message.seq, { job, kill, done });
  }

  /**
   * Runs a job and reports its outcome; true when the outcome went to this process's executor
   * unsaved (a `WorkerBundle`): the job is then the executor's to acknowledge.
   */
  private async execute(message: QueueMessage<WorkerJob>, row: JobRow, kill: KillSwitch): Promise<boolean> {
    const { backend, secretGuard } = this.ctx;
    const job = message.payload;
    const handoff = localHandoff(backend);
    const started: NewMessage<ExecutorEvent> = {
      topic: "executor",
      key: job.executionId,
      payload: {
        type: "worker-started",
        taskRunId: job.taskRunId,
        attempt: job.attempt,
        date: new Date().toISOString(),
        pluginVersion: job.pluginVersion,
      },
    };
    // A job that ends within this turn (most do) reports its start with its result, in one
    // commit; one still running at the next turn reports its start then, before its result: to
    // this process's executor in memory, else written.
    let startWritten: Promise<boolean> | undefined;
    let startHanded = false;
    const writeStart = setImmediate(() => {
      if (handoff.handBundle({ job, row, final: false, events: [started], logs: [], metrics: [] })) {
        startHanded = true;
        return;
      }
      // no row: its step never committed (the executor stopped or failed first); it is redone from the database
      if (row.seq === undefined) return;
      startWritten = this.untilWritten((tx) => tx.queue.send([started])).then((ok) => {
        if (ok) backend.notifier.notify(NOTIFY.queue("executor"));
        return ok;
      });
      startWritten.catch(() => undefined); // awaited (and rethrown) before the result is written
    });
    let outcome: WorkerOutcome;
    try {
      outcome = await runJob(
        job,
        this.readsAfterStep(
          this.ctx.workerDeps((entry) => this.log(entry, row)),
          row,
          kill,
        ),
        kill,
      );
    } catch (error) {
      this.log(
        {
          namespace: job.flow.namespace,
          flowId: job.flow.id,
          executionId: job.executionId,
          taskId: job.task.id,
          taskRunId: job.taskRunId,
          level: "ERROR",
          message: `Worker error: ${errorMessage(error)}`,
          timestamp: new Date().toISOString(),
        },
        row,
      );
      outcome = { attemptState: "FAILED", state: "FAILED", outputs: null, metrics: [] };
    }
    clearImmediate(writeStart);
    // Stopped while the disk was full: the job stays claimed and runs again after the restart.
    if (startWritten && !(await startWritten)) return false;
    if (!this.running && kill.aborted) return false;
    const logs = this.takeLogs();
    // Tags are stored as text: one holding a secret is kept masked, never in clear on disk.
    const metrics = outcome.metrics.length
      ? outcome.metrics.map((m) => (m.tags ? { ...m, tags: secretGuard.masker().maskValue(m.tags) } : m))
      : outcome.metrics;
    const result: Extract<ExecutorEvent, { type: "worker-result" }> = {
      type: "worker-result",
      taskRunId: job.taskRunId,
      attempt: job.attempt,
      attemptState: outcome.attemptState,
      state: outcome.state,
      outputs: outcome.outputs,
      date: new Date().toISOString(),
    };
    if (outcome.workingDirectoryFiles) result.workingDirectoryFiles = outcome.workingDirectoryFiles;
    const resultMessage: NewMessage<ExecutorEvent> = { topic: "executor", key: job.executionId, payload: result };
    const toExecutor = startWritten || startHanded ? [resultMessage] : [started, resultMessage];
    // This process's executor takes the outcome unsaved: its step writes the logs and metrics and
    // acknowledges the job, one commit for both roles. A job whose start was written already
    // (it outlived its turn) reports the old way, so its result never overtakes its start.
    const untold = this.untold.get(row) ?? [];
    this.untold.delete(row);
    if (!startWritten && handoff.handBundle({ job, row, final: true, events: toExecutor, logs, metrics, untold }))
      return true;
    if (row.seq === undefined || row.stale) {
      // the step that created the job is not on disk: the job is created and run again from there
      this.pendingLogs.unshift(...logs);
      this.flushWithin(LOG_FLUSH_MS);
      return false;
    }
    // else it takes the result in memory, already claimed for it (see handoff.ts)
    const reservation = handoff.reserve("executor", toExecutor.length);
    const local = reservation.granted === toExecutor.length;
    let handed: QueueMessage[] = [];
    let saved = false;
    try {
      saved = await this.writeResult(async (tx) => {
        await tx.logs.append(logs);
        await tx.metrics.append(job, metrics);
        if (local) handed = await tx.queue.sendClaimed(toExecutor, backend.owner, this.ctx.leases.leaseMs);
        else await tx.queue.send(toExecutor);
        await tx.queue.ack([row.seq!]);
      });
    } finally {
      if (!saved) reservation.cancel();
    }
    if (!saved) return false;
    if (!local) backend.notifier.notify(NOTIFY.queue("executor"));
    else if (!reservation.deliver(handed)) await this.release(handed);
    return false;
  }

  /** Gives back messages claimed for a receiver that stopped before taking them. */
  private async release(messages: readonly QueueMessage[]): Promise<void> {
    for (const m of messages) await this.ctx.backend.queue.release(m.seq);
    this.ctx.backend.notifier.notify(NOTIFY.queue("executor"));
  }

  /**
   * Writes a job's result with those of the other jobs that ended in the same turn, in one
   * commit (one commit for many results under load; a lone job waits one turn). As `untilWritten`.
   */
  private writeResult(write: (tx: Backend) => Promise<void>): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.results.push({ write, resolve, reject });
      this.resultFlush ??= setImmediate(() => void this.flushResults());
    });
  }

  private async flushResults(): Promise<void> {
    this.resultFlush = undefined;
    const group = this.results.splice(0);
    try {
      const saved = await this.untilWritten(async (tx) => {
        for (const result of group) await result.write(tx);
      });
      for (const result of group) result.resolve(saved);
    } catch (error) {
      if (group.length === 1) return group[0]!.reject(error);
      // one of them fails (not for lack of space): each is written alone, failing alone
      for (const result of group) await this.untilWritten(result.write).then(result.resolve, result.reject);
    }
  }

  /**
   * Runs a write in a transaction, again and again while the disk is full (the outcome of a task
   * is never thrown away for lack of space); false when the worker stops meanwhile.
   */
  private async untilWritten(write: (tx: Backend) => Promise<void>): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.ctx.backend.transaction(write);
        this.ctx.disk.ok();
        return true;
      } catch (error) {
        if (!isDiskFull(error)) throw error;
        if (!this.running) return false;
        await this.ctx.disk.wait(error, attempt, this.stopping.signal);
        if (!this.running) return false;
      }
    }
  }

  /**
   * Keeps a task's log line to be written, and tells the followers of it; the lines of a job whose
   * step is not on disk yet are told once it is (`tell`), or with its outcome.
   */
  private log(entry: LogEntry, row?: JobRow): void {
    this.pendingLogs.push(entry);
    if (row && row.seq === undefined && !row.stale) {
      const untold = this.untold.get(row);
      if (untold) untold.push(entry);
      else this.untold.set(row, [entry]);
    } else this.ctx.backend.notifier.notify(NOTIFY.log, entry);
    if (this.pendingLogs.length >= LOG_BATCH) void this.flushLogs();
    else this.flushWithin(LOG_FLUSH_MS);
  }

  /** Saves the pending lines within `ms`, or sooner when a save is due already. */
  private flushWithin(ms: number): void {
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = undefined;
      void this.flushLogs();
    }, ms);
  }

  /**
   * The dependencies of a job handed over before its step committed: what reads the database
   * (the engine services of core tasks, the error logs) first waits until that step is on disk,
   * so that it sees all the steps before it (the executor commits within milliseconds).
   */
  private readsAfterStep(deps: WorkerDeps, row: JobRow, kill: KillSwitch): WorkerDeps {
    if (row.seq !== undefined) return deps;
    const settled = () =>
      row.seq !== undefined || row.stale
        ? Promise.resolve()
        : untilOrStopped(kill, (onDisk) => {
            const waiting = this.onDisk.get(row);
            if (waiting) waiting.push(onDisk);
            else this.onDisk.set(row, [onDisk]);
          });
    const guarded: WorkerDeps = { ...deps, errorLogs: afterSettled(deps.errorLogs, settled) };
    if (deps.engine) guarded.engine = guardedView(deps.engine, settled);
    return guarded;
  }

  /** Tells the lines kept back for a job once its row is on disk. */
  private tell(row: JobRow): void {
    const untold = this.untold.get(row);
    if (!untold) return;
    this.untold.delete(row);
    for (const entry of untold) this.ctx.backend.notifier.notify(NOTIFY.log, entry);
  }

  /**
   * The pending lines, taken to be written. A save due later stays due: it saves the lines logged
   * meanwhile, or finds none (most jobs hand their lines over with their outcome: a timer is not
   * set and cleared for each of them).
   */
  private takeLogs(): LogEntry[] {
    const logs = this.pendingLogs;
    this.pendingLogs = [];
    return logs;
  }

  /** Saves the pending task logs; on a full disk they wait for the next try (unless `retry` is off). Never rejects. */
  private async flushLogs(retry = true): Promise<void> {
    const logs = this.takeLogs();
    if (!logs.length) return;
    try {
      await this.ctx.backend.transaction((tx) => tx.logs.append(logs));
      this.ctx.disk.ok();
    } catch (error) {
      this.ctx.report.loopError("saving task logs", error);
      if (!retry || !isDiskFull(error)) return;
      this.pendingLogs = [...logs, ...this.pendingLogs].slice(-MAX_PENDING_LOGS);
      this.flushWithin(backoffMs(4));
    }
  }
}

/** `fn`, each call waiting for `settled` first. */
function afterSettled<A extends unknown[], R>(
  fn: (...args: A) => Promise<R>,
  settled: () => Promise<void>,
): (...args: A) => Promise<R> {
  return async (...args: A): Promise<R> => {
    await settled();
    return fn(...args);
  };
}

/** The groups of engine services a task reaches through `RunContext` (see plugins/engineServices.ts). */
const SERVICE_GROUPS: ReadonlySet<string> = new Set(["logs", "executions", "metrics", "kv", "triggers", "flows"]);

/** What a guarded view's calls wait for first. */
const SETTLED = Symbol("settled");
type View = { [SETTLED]: () => Promise<void> };

/** Per services object (the engine's, and each of its groups), the prototype of its guarded views. */
const viewPrototypes = new WeakMap<object, object>();

/**
 * `services` with each call waiting for `settled` first. A view is one object over a prototype
 * built once per services object: each call (and each group of the engine services) is wrapped
 * when a task first reaches it, as most tasks reach none, and kept on the view.
 */
function guardedView<T extends object>(services: T, settled: () => Promise<void>): T {
  let prototype = viewPrototypes.get(services);
  if (!prototype) viewPrototypes.set(services, (prototype = viewPrototype(services)));
  const view = Object.create(prototype) as View;
  view[SETTLED] = settled;
  return view as unknown as T;
}

function viewPrototype(services: object): object {
  const prototype: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(services)) {
    const group = SERVICE_GROUPS.has(name) && typeof value === "object" && value !== null;
    if (!group && typeof value !== "function") {
      prototype[name] = value;
      continue;
    }
    Object.defineProperty(prototype, name, {
      enumerable: true,
      get(this: View) {
        const settled = this[SETTLED];
        const guarded = group
          ? guardedView(value as object, settled)
          : afterSettled(value as (...args: unknown[]) => Promise<unknown>, settled);
        Object.defineProperty(this, name, { value: guarded, enumerable: true });
        return guarded;
      },
    });
  }
  return prototype;
}
