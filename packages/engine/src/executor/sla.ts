/**
 * Flow-level SLAs, as Kestra runs them. A MAX_DURATION SLA becomes a delay at creation + duration;
 * when it fires on an execution still going, the SLA is violated. An EXECUTION_ASSERTION SLA is
 * evaluated on each change of a running execution (once per executor call, before its passes),
 * and is violated when its expression renders false. A violation is logged; the first one of a
 * check applies its behaviour (FAIL or CANCEL end the execution, NONE leaves it) and its labels.
 */
import { errorMessage, formatDuration, isTerminated, parseDuration, type StateType } from "@saker/sdk";
import { isTruthy } from "../expression/index.ts";
import type { FlowSla } from "../model/flow.ts";
import { mergeLabels } from "../model/labels.ts";
import type { ExecutorRun } from "./executorRun.ts";
import { referencedBy } from "./variables.ts";

interface Violation {
  sla: FlowSla;
  reason: string;
}

function startOf(run: ExecutorRun): number {
  return Date.parse(run.x.state.histories[0]?.date ?? run.now().toISOString());
}

/** Turns each MAX_DURATION SLA into a delay, once per execution. */
export function scheduleMaxDurations(run: ExecutorRun): void {
  if (run.state.slaScheduled || isTerminated(run.x.state.current)) return;
  const slas = run.graph.flow.sla ?? [];
  if (!slas.some((s) => s.type === "MAX_DURATION")) return;
  run.state.slaScheduled = true;
  run.version++;
  const start = startOf(run);
  slas.forEach((sla, index) => {
    if (sla.type !== "MAX_DURATION" || !sla.duration) return;
    run.command({
      type: "delay",
      delay: { kind: "SLA_MAX_DURATION", sla: index, state: "RUNNING", at: start + parseDuration(sla.duration) },
    });
  });
}

/** A MAX_DURATION delay fired: an execution still going has exceeded it. */
export function maxDurationReached(run: ExecutorRun, index: number | undefined): void {
  const sla = index === undefined ? undefined : run.graph.flow.sla?.[index];
  if (!sla || sla.type !== "MAX_DURATION" || !sla.duration || isTerminated(run.x.state.current)) return;
  const elapsed = run.now().getTime() - startOf(run);
  if (elapsed < parseDuration(sla.duration)) return;
  const reason = `execution duration of ${formatDuration(Math.trunc(elapsed))} exceed the maximum duration of ${sla.duration}.`;
  run.log("WARN", `SLA '${sla.id}' violated: ${reason}`);
  applyViolation(run, { sla, reason });
}

/**
 * Evaluates the EXECUTION_ASSERTION SLAs of a running execution; the first violation applies. A
 * promise only when there is one to evaluate.
 */
export function checkAssertions(run: ExecutorRun): Promise<void> | void {
  if (!run.graph.flow.sla?.length) return;
  const slas = run.graph.flow.sla.filter((s) => s.type === "EXECUTION_ASSERTION" && s.assert);
  if (slas.length === 0 || isTerminated(run.x.state.current)) return;
  return evaluateAssertions(run, slas);
}

async function evaluateAssertions(run: ExecutorRun, slas: readonly FlowSla[]): Promise<void> {
  const violations: Violation[] = [];
  for (const sla of slas) {
    try {
      // evaluated at every step: the outputs and task states built are those the assertion names
      const rendered = await run.deps.render(
        sla.assert!,
        run.variables(undefined, undefined, true, referencedBy(sla.assert)),
        false,
      );
      if (!isTruthy(rendered)) violations.push({ sla, reason: `assertion is false: ${sla.assert}.` });
    } catch (error) {
      run.log("ERROR", `Ignoring SLA '${sla.id}' because of the error: ${errorMessage(error)}`);
    }
  }
  for (const v of violations) run.log("WARN", `SLA '${v.sla.id}' violated: ${v.reason}`);
  if (violations[0]) applyViolation(run, violations[0]);
}

function applyViolation(run: ExecutorRun, { sla, reason }: Violation): void {
  if (sla.behavior === "FAIL") {
    run.log("ERROR", `Execution failed due to SLA '${sla.id}' violated: ${reason}`);
    endAs(run, "FAILED");
  } else if (sla.behavior === "CANCEL") {
    endAs(run, "CANCELLED");
  }
  const labels = sla.labels ?? [];
  const missing = labels.filter((l) => !run.x.labels.some((have) => have.key === l.key && have.value === l.value));
  if (missing.length > 0) {
    run.x.labels = mergeLabels(run.x.labels, run.seal(missing));
    run.version++;
  }
}

/** Ends the execution in `state` at once: unfinished task runs take it, running work is killed. */
function endAs(run: ExecutorRun, state: StateType): void {
  // a task run sent to a worker may still be CREATED (queued): every unfinished one is killed
  let unfinished = false;
  for (const taskRun of run.x.taskRunList) {
    if (isTerminated(taskRun.state.current)) continue;
    unfinished = true;
    if (taskRun.attempts?.length) run.setLastAttemptState(taskRun, state);
    run.setTaskRunState(taskRun, state);
  }
  run.setExecutionState(state);
  if (unfinished) {
    run.command({ type: "kill-tasks" });
    run.command({ type: "kill-subflows" });
  }
}
