import { formatDuration, isPaused, isTerminated, type StateType } from "@saker/sdk";

export interface StateHistory {
  state: StateType;
  date: string;
}

/** Kestra's `State`: the current state and every change with its date (ISO-8601). */
export interface State {
  current: StateType;
  histories: StateHistory[];
  startDate: string;
  endDate?: string;
  /** ISO-8601 duration from the first history to the end (or to the last change while running). */
  duration: string;
}

export function newState(now: Date, current: StateType = "CREATED"): State {
  const date = now.toISOString();
  return { current, histories: [{ state: current, date }], startDate: date, duration: "PT0S" };
}

/** Appends `next` to the histories; moving to the current state is a no-op, as in Kestra. */
export function withState(state: State, next: StateType, now: Date): State {
  if (state.current === next) return state;
  const histories = state.histories.slice();
  histories.push({ state: next, date: now.toISOString() });
  return summarise(next, histories, now.getTime());
}

/**
 * Rebuilds a state from histories (used when histories are trimmed or copied). `lastMs`: the
 * time of the last history, when the caller has it (it need not be parsed back).
 */
export function summarise(current: StateType, histories: StateHistory[], lastMs?: number): State {
  const startDate = histories[0]!.date;
  const last = histories[histories.length - 1]!.date;
  const ended = isTerminated(current) || isPaused(current);
  const state: State = {
    current,
    histories,
    startDate,
    duration: formatDuration((lastMs ?? Date.parse(last)) - Date.parse(startDate)),
  };
  if (ended) state.endDate = last;
  return state;
}

/** The date of the last change. */
export function lastDate(state: State): string {
  return state.histories[state.histories.length - 1]!.date;
}

/** True when `type` appears anywhere in the histories. */
export function hasBeen(state: State, type: StateType): boolean {
  return state.histories.some((h) => h.state === type);
}
