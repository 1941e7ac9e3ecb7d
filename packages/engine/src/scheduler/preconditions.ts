/**
 * The conditions a Flow trigger's `preconditions` wait for, each under a stable key of the window
 * state: `condition_1`, `condition_2`… for the upstream `flows`, then `condition_N_<id>` for the
 * `where` filters (Kestra's keys).
 */
import { hasLabels, toLabels, type ExecutionView } from "../model/executionView.ts";
import { testExecutionFilter, type ExecutionFilter } from "./whereFilters.ts";

export interface UpstreamFlow {
  namespace: string;
  flowId?: string | undefined;
  states?: readonly string[] | undefined;
  labels?: Readonly<Record<string, unknown>> | undefined;
}

export interface PreconditionSet {
  flows?: readonly UpstreamFlow[] | undefined;
  where?: readonly ExecutionFilter[] | undefined;
}

/** Whether an execution is one of the upstream flow's (namespace, flow id, state and labels). */
export function matchesUpstreamFlow(upstream: UpstreamFlow, execution: ExecutionView): boolean {
  if (execution.namespace !== upstream.namespace) return false;
  if (upstream.flowId !== undefined && execution.flowId !== upstream.flowId) return false;
  if (upstream.states && !upstream.states.includes(execution.state)) return false;
  return upstream.labels === undefined || hasLabels(execution, toLabels(upstream.labels));
}

export interface PreconditionEntry {
  key: string;
  test(execution: ExecutionView, render: (template: string) => Promise<string>): Promise<boolean>;
}

/** The keyed conditions of a precondition set. */
export function preconditionEntries(set: PreconditionSet): PreconditionEntry[] {
  let n = 0;
  const flows = (set.flows ?? []).map((upstream) => ({
    key: `condition_${++n}`,
    test: async (execution: ExecutionView) => matchesUpstreamFlow(upstream, execution),
  }));
  const where = (set.where ?? []).map((filter) => ({
    key: `condition_${++n}_${filter.id}`,
    test: (execution: ExecutionView, render: (template: string) => Promise<string>) =>
      testExecutionFilter(filter, execution, render),
  }));
  return [...flows, ...where];
}
