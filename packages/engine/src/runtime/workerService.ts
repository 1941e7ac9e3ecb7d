/**
 * Runs worker jobs from the queue, at most `worker.concurrency` at once. A job announces its
 * start, runs, then in one transaction reports its result and removes itself from the queue; a
 * job interrupted by a crash is claimed and run again after a restart.
 */
import { errorMessage } from "@saker/sdk";
import type { LogEntry, WorkerJob } from "../executor/types.ts";
import { runJob, type WorkerOutcome } from "../worker/runJob.ts";
import { removeSharedDirectory, sharedDirectoryPath } from "../worker/workingDirectory.ts";
import type { QueueMessage } from "../queue/queue.ts";
import type { Instance } from "./instance.ts";

const LOG_FLUSH_MS = 100;
/** Pending log lines are written once this many wait, so a chatty task holds few in memory. */
const LOG_BATCH = 1000;

export class WorkerService {
  private running = false;
  private readonly active = new Map<number, { job: WorkerJob; controller: AbortController; done: Promise<void> }>();
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private pendingLogs: LogEntry[] = [];
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(private readonly instance: Instance) {}

  get activeCount(): number {
    return this.active.size;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const unsubscribe = this.instance.queue.onMessage("worker", () => this.wake?.());
    this.loop = this.run().finally(unsubscribe);
  }

  /** Stops taking jobs; running ones are killed when `kill` is set, else awaited. */
  async stop(kill = true): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    if (kill) for (const entry of this.active.values()) entry.controller.abort(new Error("worker stopping"));
    await Promise.all([...this.active.values()].map((a) => a.done));
    this.flushLogs();
  }

  /** Aborts the running jobs of an execution (kill). */
  /** Removes the shared directory of an ended WorkingDirectory. */
  removeWorkingDirectory(workingDirectoryId: string): void {
    removeSharedDirectory(sharedDirectoryPath(this.instance.config.tmpDir, workingDirectoryId)).catch((error: unknown) =>
      this.instance.reportInternalError(`removing working directory ${workingDirectoryId}`, error),
    );
  }

  abortExecution(executionId: string): void {
    for (const entry of this.active.values()) if (entry.job.executionId === executionId) entry.controller.abort(new Error("killed"));
  }

  private async run(): Promise<void> {
    const limit = this.instance.config.worker.concurrency;
    while (this.running) {
      const free = limit - this.active.size;
      const jobs = free > 0 ? this.instance.queue.claim<WorkerJob>("worker", free) : [];
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
    const done = this.execute(message, controller).finally(() => {
      this.active.delete(message.seq);
      this.wake?.();
    });
    this.active.set(message.seq, { job, controller, done });
  }

  private async execute(message: QueueMessage<WorkerJob>, controller: AbortController): Promise<void> {
    const instance = this.instance;
    const job = message.payload;
    instance.db.transaction(() => {
      instance.queue.send([{ topic: "executor", key: job.executionId, payload: { type: "worker-started", taskRunId: job.taskRunId, attempt: job.attempt, date: new Date().toISOString(), pluginVersion: job.pluginVersion } }]);
    })();
    instance.queue.notify(["executor"]);
    let outcome: WorkerOutcome;
    try {
      outcome = await runJob(job, instance.workerDeps((entry) => this.log(entry)), controller.signal);
    } catch (error) {
      this.log({ namespace: job.flow.namespace, flowId: job.flow.id, executionId: job.executionId, taskId: job.task.id, taskRunId: job.taskRunId, level: "ERROR", message: `Worker error: ${errorMessage(error)}`, timestamp: new Date().toISOString() });
      outcome = { attemptState: "FAILED", state: "FAILED", outputs: null, metrics: [] };
    }
    if (!this.running && controller.signal.aborted) return;
    const logs = this.takeLogs();
    instance.db.transaction(() => {
      instance.logs.append(logs);
      instance.metrics.append(job, outcome.metrics);
      instance.queue.send([
        {
          topic: "executor",
          key: job.executionId,
          payload: { type: "worker-result", taskRunId: job.taskRunId, attempt: job.attempt, attemptState: outcome.attemptState, state: outcome.state, outputs: outcome.outputs, date: new Date().toISOString(), ...(outcome.workingDirectoryFiles ? { workingDirectoryFiles: outcome.workingDirectoryFiles } : {}) },
        },
      ]);
      instance.queue.ack([message.seq]);
    })();
    instance.queue.notify(["executor"]);
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

  private flushLogs(): void {
    const logs = this.takeLogs();
    if (logs.length) this.instance.db.transaction(() => this.instance.logs.append(logs))();
  }
}
