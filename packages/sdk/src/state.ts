/**
 * Execution and task run states, with Kestra's names and predicates.
 *
 * @module
 */

export const STATE_TYPES = [
  "CREATED",
  "RUNNING",
  "PAUSED",
  "RESTARTED",
  "KILLING",
  "SUCCESS",
  "WARNING",
  "FAILED",
  "KILLED",
  "CANCELLED",
  "QUEUED",
  "RETRYING",
  "RETRIED",
  "SKIPPED",
] as const;

export type StateType = (typeof STATE_TYPES)[number];

const TERMINATED: ReadonlySet<StateType> = new Set([
  "FAILED",
  "WARNING",
  "SUCCESS",
  "KILLED",
  "CANCELLED",
  "RETRIED",
  "SKIPPED",
]);

/** FAILED, WARNING, SUCCESS, KILLED, CANCELLED, RETRIED, SKIPPED. */
export function isTerminated(state: StateType): boolean {
  return TERMINATED.has(state);
}

/** CREATED or RESTARTED: waiting to be started. */
export function isCreated(state: StateType): boolean {
  return state === "CREATED" || state === "RESTARTED";
}

/** RUNNING or KILLING. */
export function isRunning(state: StateType): boolean {
  return state === "RUNNING" || state === "KILLING";
}

export function isFailed(state: StateType): boolean {
  return state === "FAILED";
}

export function isPaused(state: StateType): boolean {
  return state === "PAUSED";
}

/** RETRYING or RETRIED. */
export function isRetrying(state: StateType): boolean {
  return state === "RETRYING" || state === "RETRIED";
}

export function isStateType(value: unknown): value is StateType {
  return typeof value === "string" && (STATE_TYPES as readonly string[]).includes(value);
}

/** Every terminated state, the default of a Flow trigger's `states`. */
export const TERMINATED_STATES: readonly StateType[] = STATE_TYPES.filter(isTerminated);
