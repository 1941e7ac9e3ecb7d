/**
 * Runs worker jobs from the queue, at most `worker.concurrency` at once. A job announces its
 * start, runs, then in one transaction reports its result and removes itself from the queue; a
 * job interrupted by a crash is claimed and run again after a restart.
 */
import { setImmediate as nextTurn } from "node:timers/promises";
import { errorMessage } from "@saker/sdk";
import type { LogEntry, WorkerJob } from "../executor/types.ts";
import { runJob, type WorkerOutcome } from "../worker/runJob.ts";
import { removeSharedDirectory, sharedDirectoryPath } from "../worker/workingDirectory.ts";
import type { QueueMessage } from "../queue/queue.ts";
import { isDiskFull } from "../storage/diskFull.ts";
import { backoffMs } from "./diskWatch.ts";
import { LEASE_MS } from "./leases.ts";
import type { Instance } from "./instance.ts";

const LOG_FLUSH_MS = 100;
/** While the disk is full, task logs wait in memory up to this many lines (the oldest go first). */
const MAX_PENDING_LOGS = 10_000;
/** Pending log lines are written once this many wait, so a chatty task holds few in memory. */
const LOG_BATCH = 1000;

export class WorkerService {
  private running = false;
  private readonly active = new Map<number, { job: WorkerJob; controller: AbortController; done: Promise<void> }>();
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private pendingLogs: LogEntry[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private stopping = new AbortController();

  constructor(private readonly instance: Instance) {}

  get activeCount(): number {
    return this.active.size;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopping = new AbortController();
    const unsubscribe = this.instance.queue.onMessage("worker", () => this.wake?.());
    this.loop = this.run().finally(unsubscribe);
  }

  /** Stops taking jobs; running ones are killed when `kill` is set, else awaited. */
  async stop(kill = true): Promise<void> {
    this.running = false;
    this.stopping.abort();
    this.wake?.();
    await this.loop;
    if (kill) for (const entry of this.active.values()) entry.controller.abort(new Error("worker stopping"));
    await Promise.all([...this.active.values()].map((a) => a.done));
    this.flushLogs(false);
  }

  /** Aborts the running jobs of an execution (kill). */
  /** Removes the shared directory of an ended WorkingDirectory. */
  removeWorkingDirectory(workingDirectoryId: string): void {
    removeSharedDirectory(sharedDirectoryPath(this.instance.config.tmpDir, workingDirectoryId)).catch(
      (error: unknown) => this.instance.reportInternalError(`removing working directory ${workingDirectoryId}`, error),
    );
  }

  abortExecution(executionId: string): void {
    for (const entry of this.active.values())
      if (entry.job.executionId === executionId) entry.controller.abort(new Error("killed"));
  }

  private async run(): Promise<void> {
    const limit = this.instance.config.worker.concurrency;
    while (this.running) {
      const free = limit - this.active.size;
      let jobs: QueueMessage<WorkerJob>[] = [];
      try {
        jobs = free > 0 ? this.instance.queue.claim<WorkerJob>("worker", free, this.instance.backend.owner, LEASE_MS) : [];
      } catch (error) {
        this.instance.reportLoopError("worker", error);
      }
      for (const message of jobs) this.startJob(message);
      if (jobs.length === 0 || this.active.size >= limit) await this.sleep();
    }
  }

  private sleep(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(), 1000);
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
    const controller = new AbortController();
    const done = this.execute(message, controller)
      .catch((error: unknown) =>
        this.instance.reportInternalError(`worker failed on task run '${job.taskRunId}'`, error),
      )
      .finally(() => {
        this.active.delete(message.seq);
        this.wake?.();
      });
    this.active.set(message.seq, { job, controller, done });
  }

  private async execute(message: QueueMessage<WorkerJob>, controller: AbortController): Promise<void> {
    const instance = this.instance;
    const job = message.payload;
    const started = await this.untilWritten(() =>
      instance.db.transaction(() => {
        instance.queue.send([
          {
            topic: "executor",
            key: job.executionId,
            payload: {
              type: "worker-started",
              taskRunId: job.taskRunId,
              attempt: job.attempt,
              date: new Date().toISOString(),
              pluginVersion: job.pluginVersion,
            },
          },
        ]);
      })(),
    );
    // Stopped while the disk was full: the job stays claimed and runs after the restart.
    if (!started) return;
    instance.queue.notify(["executor"]);
    let outcome: WorkerOutcome;
    try {
      outcome = await runJob(
        job,
        instance.workerDeps((entry) => this.log(entry)),
        controller.signal,
      );
    } catch (error) {
      this.log({
        namespace: job.flow.namespace,
        flowId: job.flow.id,
        executionId: job.executionId,
        taskId: job.task.id,
        taskRunId: job.taskRunId,
        level: "ERROR",
        message: `Worker error: ${errorMessage(error)}`,
        timestamp: new Date().toISOString(),
      });
      outcome = { attemptState: "FAILED", state: "FAILED", outputs: null, metrics: [] };
    }
    if (!this.running && controller.signal.aborted) return;
    await nextTurn(); // the result may be megabytes: its write is a step of its own
    const logs = this.takeLogs();
    const saved = await this.untilWritten(() =>
      instance.db.transaction(() => {
        instance.logs.append(logs);
        // Tags are stored as text: one holding a secret is kept masked, never in clear on disk.
        instance.metrics.append(
          job,
          outcome.metrics.map((m) => (m.tags ? { ...m, tags: instance.secretGuard.masker().maskValue(m.tags) } : m)),
        );
        instance.queue.send([
          {
            topic: "executor",
            key: job.executionId,
            payload: {
              type: "worker-result",
              taskRunId: job.taskRunId,
              attempt: job.attempt,
              attemptState: outcome.attemptState,
              state: outcome.state,
              outputs: outcome.outputs,
              date: new Date().toISOString(),
              ...(outcome.workingDirectoryFiles ? { workingDirectoryFiles: outcome.workingDirectoryFiles } : {}),
            },
          },
        ]);
        instance.queue.ack([message.seq]);
      })(),
    );
    if (saved) instance.queue.notify(["executor"]);
  }

  /**
   * Runs a write, again and again while the disk is full (the outcome of a task is never thrown
   * away for lack of space); false when the worker stops meanwhile.
   */
  private async untilWritten(write: () => void): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        write();
        this.instance.disk.ok();
        return true;
      } catch (error) {
        if (!isDiskFull(error)) throw error;
        if (!this.running) return false;
        await this.instance.disk.wait(error, attempt, this.stopping.signal);
        if (!this.running) return false;
      }
    }
  }

  private log(entry: LogEntry): void {
    this.pendingLogs.push(entry);
    this.instance.events.emit("log", entry);
    if (this.pendingLogs.length >= LOG_BATCH) this.flushLogs();
    else this.flushTimer ??= setTimeout(() => this.flushLogs(), LOG_FLUSH_MS);
  }

  private takeLogs(): LogEntry[] {
    const logs = this.pendingLogs;
    this.pendingLogs = [];
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    return logs;
  }

  /** Saves the pending task logs; on a full disk they wait for the next try (unless `retry` is off). */
  private flushLogs(retry = true): void {
    const logs = this.takeLogs();
    if (!logs.length) return;
    try {
      this.instance.db.transaction(() => this.instance.logs.append(logs))();
      this.instance.disk.ok();
    } catch (error) {
      this.instance.reportLoopError("saving task logs", error);
      if (!retry || !isDiskFull(error)) return;
      this.pendingLogs = [...logs, ...this.pendingLogs].slice(-MAX_PENDING_LOGS);
      this.flushTimer ??= setTimeout(() => this.flushLogs(), backoffMs(4));
    }
  }
}
