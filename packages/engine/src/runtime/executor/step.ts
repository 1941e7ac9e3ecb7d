/**
 * A prepared executor step (one execution's transition over its messages) and what a group
 * commit of several steps knows of them.
 */
import { errorMessage } from "@saker/sdk";
import type { ExecutorEvent } from "../../executor/types.ts";
import type { Backend } from "../../backend/backend.ts";
import type { QueueMessage } from "../../backend/queue.ts";
import type { JobRow } from "../handoff.ts";

/**
 * What a group commit of pipelined steps knows of all its steps: the last step of each execution
 * (the only one that writes it, against the task runs last committed), which executions changed
 * and which ended, and the jobs created and ended within the group (no queue row at all).
 */
export interface Group {
  last: Map<string, Step>;
  changed: Set<string>;
  ended: Set<string>;
  consumed: Set<JobRow>;
}

/** One execution's step, prepared: its writes (in the batch's transaction) and what follows the commit. */
export interface Step {
  executionId: string;
  messages: QueueMessage<ExecutorEvent>[];
  /** It changed the execution (it is written), and ended it. */
  changed: boolean;
  ended: boolean;
  write(tx: Backend, group?: Group): Promise<void>;
  committed(group?: Group): Promise<void>;
  /** The step will not be committed: its reservations end. */
  cancel(): void;
  /** The step is dropped after it handed its jobs over: their outcomes are dropped (see `JobRow`). */
  discard(): void;
}

/** A group commit of the pipeline failed; the steps were discarded, their messages kept for a retry. */
export class PipelineFailed extends Error {
  constructor(override readonly cause: unknown) {
    super(`committing the executor's pipelined steps: ${errorMessage(cause)}`);
  }
}

/** Someone else wrote an execution the uncommitted steps had changed: they are redone from the database. */
export class PipelineRedo extends PipelineFailed {}

/** A batch's messages by execution, in order. */
export function groupByExecution(
  batch: readonly QueueMessage<ExecutorEvent>[],
): Map<string, QueueMessage<ExecutorEvent>[]> {
  const groups = new Map<string, QueueMessage<ExecutorEvent>[]>();
  for (const message of batch) {
    const key = message.key ?? "";
    const group = groups.get(key);
    if (group) group.push(message);
    else groups.set(key, [message]);
  }
  return groups;
}
