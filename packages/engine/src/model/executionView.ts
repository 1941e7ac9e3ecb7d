/**
 * Reads the fields conditions test from an execution-like record (an `Execution`, or its JSON).
 */
import { SakerError } from "@saker/sdk";
import type { Label } from "./execution.ts";

export interface ExecutionView {
  id?: string;
  namespace: string;
  flowId: string;
  flowRevision?: number;
  state: string;
  labels: Label[];
  outputs?: Record<string, unknown>;
  /** The states of every attempt of task runs that were attempted more than once. */
  retriedAttemptStates: string[];
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `[{key, value}]` or `{key: value}` to a list of labels with string values. */
export function toLabels(raw: unknown): Label[] {
  if (Array.isArray(raw)) return raw.filter(isMap).map((l) => ({ key: String(l.key), value: String(l.value) }));
  if (isMap(raw)) return Object.entries(raw).map(([key, value]) => ({ key, value: String(value) }));
  return [];
}

function stateOf(value: unknown): string {
  return isMap(value) ? String(value.current ?? "") : String(value ?? "");
}

function retriedAttemptStates(taskRunList: unknown): string[] {
  if (!Array.isArray(taskRunList)) return [];
  return taskRunList.filter(isMap).flatMap((taskRun) => {
    const attempts = Array.isArray(taskRun.attempts) ? taskRun.attempts.filter(isMap) : [];
    return attempts.length > 1 ? attempts.map((attempt) => stateOf(attempt.state)) : [];
  });
}

/** The execution a condition tests; fails as Kestra does when there is none. */
export function viewExecution(execution: Readonly<Record<string, unknown>> | undefined): ExecutionView {
  if (!execution) throw new SakerError("CONDITION_INVALID", "Invalid condition with null execution");
  return {
    ...(typeof execution.id === "string" ? { id: execution.id } : {}),
    namespace: String(execution.namespace ?? ""),
    flowId: String(execution.flowId ?? ""),
    ...(typeof execution.flowRevision === "number" ? { flowRevision: execution.flowRevision } : {}),
    state: stateOf(execution.state),
    labels: toLabels(execution.labels),
    ...(isMap(execution.outputs) ? { outputs: execution.outputs } : {}),
    retriedAttemptStates: retriedAttemptStates(execution.taskRunList),
  };
}

/** Whether every label of `wanted` is on the execution (same key and value). */
export function hasLabels(execution: ExecutionView, wanted: readonly Label[]): boolean {
  return wanted.every((w) => execution.labels.some((l) => l.key === w.key && l.value === w.value));
}
