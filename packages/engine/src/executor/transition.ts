/**
 * The executor: a function of (flow, execution, executor state, events) to (execution,
 * executor state, commands, logs). It performs no I/O; renders go through `deps`.
 *
 * Each call applies the events, then repeats a pass until a pass changes nothing: a worker
 * result may end a flowable, which ends its parent, which ends the execution, all in one call.
 */
import type { Execution } from "../model/execution.ts";
import type { FlowGraph } from "../flow/flowGraph.ts";
import { applyEvent } from "./events.ts";
import { ExecutorRun, type ExecutorDeps } from "./executorRun.ts";
import {
  handleCreation,
  handleEnd,
  handleKilling,
  handleRestart,
  handleRetries,
  isFullyTerminated,
} from "./lifecycle.ts";
import { checkAssertions, scheduleMaxDurations } from "./sla.ts";
import { handleDispatch, handleFlowableStates, handleNexts } from "./taskSteps.ts";
import type { ExecutorCommand, ExecutorEvent, ExecutorState, LogEntry } from "./types.ts";

export type { ExecutorDeps } from "./executorRun.ts";

export interface TransitionResult {
  execution: Execution;
  state: ExecutorState;
  commands: ExecutorCommand[];
  logs: LogEntry[];
  /** False when nothing changed (the caller need not persist). */
  changed: boolean;
  /** True once the execution is terminated and its `afterExecution` tasks ran. */
  finished: boolean;
}

/** Upper bound on passes per call; a flow needs about one per nesting level. */
const MAX_PASSES = 500;

/**
 * A step of a pass: a promise only when it waits for something (a render, a plugin): most steps
 * of most passes wait for nothing, and go without the promises of an async call. STOP ends the pass.
 */
type PassStep = (run: ExecutorRun, first: boolean) => Promise<void> | void | typeof STOP;
const STOP = Symbol("stop");

const PASS: readonly PassStep[] = [
  scheduleMaxDurations,
  (run) => (handleCreation(run) ? undefined : STOP),
  // Kestra evaluates assertion SLAs once per execution change it processes, before processing it.
  (run, first) => (first ? checkAssertions(run) : undefined),
  (run) => (handleRestart(run) ? undefined : STOP),
  handleRetries,
  handleEnd,
  handleKilling,
  handleNexts,
  handleFlowableStates,
  handleKilling,
  handleDispatch,
];

/** Runs the steps of a pass from `from` on; a promise only once a step waits. */
function pass(run: ExecutorRun, first: boolean, from = 0): Promise<void> | void {
  for (let i = from; i < PASS.length; i++) {
    const outcome = PASS[i]!(run, first);
    if (outcome === STOP) return;
    if (outcome) return outcome.then(() => pass(run, first, i + 1));
  }
}

/**
 * Applies `events` to `execution` and runs the passes until nothing changes. The execution is
 * changed in place and returned as `result.execution` (the executor hands over the copy it has
 * just read; a caller keeping the original passes a clone).
 */
export async function transition(
  graph: FlowGraph,
  execution: Execution,
  state: ExecutorState,
  events: readonly ExecutorEvent[],
  deps: ExecutorDeps,
): Promise<TransitionResult> {
  const run = new ExecutorRun(graph, execution, copyState(state), deps);
  for (const event of events) {
    const applying = applyEvent(run, event);
    if (applying) await applying;
  }
  for (let i = 0; i < MAX_PASSES; i++) {
    const before = run.version;
    const passing = pass(run, i === 0);
    if (passing) await passing;
    if (run.version === before) break;
  }
  const result = run.result();
  // a literal: a spread of `result` followed by new keys is many times slower in V8
  return {
    execution: result.execution,
    state: result.state,
    commands: result.commands,
    logs: result.logs,
    changed: run.version > 0,
    finished: isFullyTerminated(run),
  };
}

/** A copy of the executor state the transition may change (its values are flags, a list and a map of counts). */
export function copyState(state: ExecutorState): ExecutorState {
  const copy: ExecutorState = { ...state, dispatched: state.dispatched.slice() };
  if (state.interruptions) copy.interruptions = { ...state.interruptions };
  return copy;
}
