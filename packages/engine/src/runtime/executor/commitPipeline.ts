/**
 * The executor's pipeline of group commits: steps of this process's executions run ahead of the
 * disk and commit together. A group commits when the executor has nothing more to do now (no
 * message waiting, no job it handed over about to answer), after `PIPELINE_MS`, after
 * `PIPELINE_STEPS` steps, before a step reads other executions, and when the executor stops. A
 * failing group commit discards its steps (their messages are handled again) and turns the
 * pipeline off for `FALLBACK_MS`: steps then commit batch by batch (`batchCommit.ts`).
 */
import type { ExecutorEvent } from "../../executor/types.ts";
import type { QueueMessage } from "../../backend/queue.ts";
import type { LoadedExecution } from "../../backend/records.ts";
import { isBundled, rowSeqs } from "../handoff.ts";
import type { RoleContext } from "../roleContext.ts";
import { fenceFailure } from "../../backend/fence.ts";
import { PipelineFailed, PipelineRedo, type Group, type Step } from "./step.ts";

export const PIPELINE_MS = 5;
export const PIPELINE_STEPS = 256;
/** After a failed group commit the executor commits batch by batch (as without the pipeline) this long. */
export const FALLBACK_MS = 5_000;

/** What the pipeline asks of the executor it serves. */
export interface PipelineHost {
  /** An execution's uncommitted steps were dropped: its working copy and its in-flight mark go. */
  forget(executionId: string): void;
  /** An execution's steps are committed: it is no longer in flight. */
  settle(executionId: string): void;
  /** Messages of dropped steps, handled again before any other. */
  retry(messages: QueueMessage<ExecutorEvent>[]): void;
}

export class CommitPipeline {
  /** Pipelined steps not committed yet, oldest first, and since when the oldest waits (ms). */
  unflushed: Step[] = [];
  private unflushedSince = 0;
  /** The executions as the uncommitted steps left them, with the task runs last committed. */
  readonly speculative = new Map<string, LoadedExecution>();
  /** Executions whose next write is whole (a step ran across a commit of earlier steps of theirs). */
  readonly wholeNext = new Set<string>();
  /** Someone else wrote an execution with uncommitted steps: the group is redone from the database. */
  foreign = false;
  /** A group commit is being written (its own writes are not foreign). */
  flushing = false;
  /** Until when steps commit batch by batch, without the pipeline (after a failed group commit). */
  fallbackUntil = 0;
  /** Steps of group commits redone because someone else wrote one of the group's executions meanwhile. */
  redoneSteps = 0;

  constructor(
    private readonly ctx: RoleContext,
    private readonly host: PipelineHost,
  ) {}

  /** A step joins the group. */
  add(step: Step): void {
    if (!this.unflushed.length) this.unflushedSince = performance.now();
    this.unflushed.push(step);
  }

  /** How long the oldest uncommitted step has waited (ms). */
  waited(): number {
    return performance.now() - this.unflushedSince;
  }

  /** The group is to commit now (a bound is reached, or the executor stops). */
  due(running: boolean): boolean {
    return this.unflushed.length >= PIPELINE_STEPS || this.waited() >= PIPELINE_MS || !running;
  }

  /** Any other write to an execution (the store's write hook). */
  written(executionId: string): void {
    if (!this.flushing && this.speculative.has(executionId)) this.foreign = true;
  }

  /** A group commit failed: steps commit batch by batch for a while. */
  fallBack(): void {
    this.fallbackUntil = Date.now() + FALLBACK_MS;
  }

  get fallingBack(): boolean {
    return Date.now() < this.fallbackUntil;
  }

  /**
   * Commits the pipelined steps in one transaction (one update per execution; no queue row for a
   * job created and ended within it), then does what each does once committed. Nothing of it was
   * announced before. On failure (or when someone else wrote one of the executions meanwhile)
   * the steps are discarded and their messages kept for a retry; a failure throws `PipelineFailed`.
   */
  async flush(): Promise<void> {
    const steps = this.unflushed.splice(0);
    if (!steps.length) return;
    if (this.foreign) {
      this.discard(steps);
      this.redoneSteps += steps.length;
      throw new PipelineRedo(new Error("an execution was written by someone else meanwhile"));
    }
    const group: Group = { last: new Map(), changed: new Set(), ended: new Set(), consumed: new Set() };
    for (const step of steps) {
      group.last.set(step.executionId, step);
      if (step.changed) group.changed.add(step.executionId);
      if (step.ended) group.ended.add(step.executionId);
      for (const m of step.messages)
        if (isBundled(m) && m.bundle.final && m.bundle.row.seq === undefined) group.consumed.add(m.bundle.row);
    }
    this.flushing = true;
    try {
      await this.ctx.backend.transaction(async (tx) => {
        for (const step of steps) await step.write(tx, group);
      });
    } catch (error) {
      this.discard(steps);
      // another process wrote one of the executions: redone from the database, as after a local write
      if (fenceFailure(error) === "written-meanwhile") {
        this.redoneSteps += steps.length;
        throw new PipelineRedo(error);
      }
      throw new PipelineFailed(error);
    } finally {
      this.flushing = false;
    }
    this.speculative.clear();
    for (const executionId of group.last.keys()) this.host.settle(executionId);
    this.ctx.disk.ok();
    for (const step of steps) {
      this.ctx.leases.drop(rowSeqs(step.messages));
      try {
        await step.committed(group);
      } catch (error) {
        this.ctx.report.internalError(`executor failed after a step of execution '${step.executionId}'`, error);
      }
    }
  }

  /**
   * Drops uncommitted steps: what they derived (the executions as they left them, the jobs they
   * handed over) is forgotten, and the messages they consumed are handled again from the database
   * state; a job's outcome whose row is not on disk is dropped with them (the job is redone).
   */
  discard(steps: Step[]): void {
    for (const step of steps) {
      step.cancel();
      step.discard();
    }
    for (const executionId of this.speculative.keys()) this.host.forget(executionId);
    this.speculative.clear();
    this.wholeNext.clear();
    this.foreign = false;
    const kept = steps.flatMap((step) =>
      step.messages.filter((m) => !isBundled(m) || (!m.bundle.row.stale && m.bundle.row.seq !== undefined)),
    );
    this.host.retry(kept);
  }
}
