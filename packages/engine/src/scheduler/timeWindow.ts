/**
 * The time window of a Flow trigger's `preconditions` (and of the legacy MultipleCondition): which
 * of its conditions were met by executions inside the window, kept in a small state object the
 * scheduler persists between executions. Everything here is a pure function of that state, the
 * conditions met by the execution being handled, and the clock.
 *
 * - `DURATION_WINDOW` (default, `window` P1D): fixed windows of `window` starting at midnight
 *   (plus `windowAdvance`), e.g. PT6H gives 00:00–06:00, 06:00–12:00…; a window longer than a day,
 *   or one that does not divide a day, starts at the midnight (plus advance) before the first event.
 * - `SLIDING_WINDOW` (`window` P1D): a condition counts when it was last met within `window`
 *   before now.
 * - `DAILY_TIME_DEADLINE` (`deadline`): from midnight to the deadline, every day.
 * - `DAILY_TIME_WINDOW` (`startTime`, `endTime`): between the two times, every day.
 *
 * Executions outside a daily window are not counted. When every condition is met, the trigger
 * fires and, with `resetOnSuccess` (default), the window starts over.
 */
import { SakerError } from "@saker/sdk";
import { DateTime } from "luxon";
import { systemZone } from "../model/dates.ts";

export const TIME_WINDOW_TYPES = [
  "DURATION_WINDOW",
  "SLIDING_WINDOW",
  "DAILY_TIME_DEADLINE",
  "DAILY_TIME_WINDOW",
] as const;
export type TimeWindowType = (typeof TIME_WINDOW_TYPES)[number];

export interface TimeWindow {
  type?: TimeWindowType;
  /** Milliseconds. */
  window?: number;
  /** Milliseconds. */
  windowAdvance?: number;
  /** `HH:mm[:ss]`. */
  deadline?: string;
  startTime?: string;
  endTime?: string;
}

/** What the scheduler persists per precondition set (by its id). */
export interface WindowState {
  /** ISO bounds of the current window (fixed and daily windows). */
  start?: string;
  end?: string;
  /** Condition key → ISO date it was last met inside the window. */
  results: Record<string, string>;
}

const DAY_MS = 86_400_000;
const LOCAL_TIME = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/;

/** `09:00:00` → milliseconds since midnight; undefined when it is not a time of day. */
export function parseLocalTime(text: string): number | undefined {
  const match = LOCAL_TIME.exec(text.trim());
  if (!match) return undefined;
  const [h, m, s] = [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
  if (h > 23 || m > 59 || s > 59) return undefined;
  return ((h * 60 + m) * 60 + s) * 1000 + (match[4] ? Math.floor(Number(`0.${match[4]}`) * 1000) : 0);
}

function timeOfDay(text: string | undefined, what: string): number {
  const value = text === undefined ? undefined : parseLocalTime(text);
  if (value === undefined)
    throw new SakerError(
      "CONDITION_INVALID",
      `time window: '${what}' must be a time of day such as 09:00:00 (got ${JSON.stringify(text)})`,
    );
  return value;
}

/** The bounds of the window holding `now` (SLIDING_WINDOW: the `window` just before now). */
export function windowBounds(
  timeWindow: TimeWindow,
  now: Date,
  zone: string = systemZone(),
): { start: Date; end: Date } {
  const at = DateTime.fromJSDate(now).setZone(zone);
  const midnight = at.startOf("day");
  const type = timeWindow.type ?? "DURATION_WINDOW";
  switch (type) {
    case "SLIDING_WINDOW":
      return { start: new Date(now.getTime() - (timeWindow.window ?? DAY_MS)), end: now };
    case "DAILY_TIME_DEADLINE":
      return {
        start: midnight.toJSDate(),
        end: midnight.plus({ milliseconds: timeOfDay(timeWindow.deadline, "deadline") }).toJSDate(),
      };
    case "DAILY_TIME_WINDOW":
      return {
        start: midnight.plus({ milliseconds: timeOfDay(timeWindow.startTime, "startTime") }).toJSDate(),
        end: midnight.plus({ milliseconds: timeOfDay(timeWindow.endTime, "endTime") }).toJSDate(),
      };
    case "DURATION_WINDOW": {
      const window = timeWindow.window ?? DAY_MS;
      const advance = timeWindow.windowAdvance ?? 0;
      let start: DateTime;
      if (window > 0 && window <= DAY_MS && DAY_MS % window === 0) {
        const slots = Math.floor((at.toMillis() - midnight.toMillis() - advance) / window);
        start = midnight.plus({ milliseconds: advance + slots * window });
      } else {
        start = midnight.plus({ milliseconds: advance });
        if (start > at) start = start.minus({ days: 1 });
      }
      return { start: start.toJSDate(), end: start.plus({ milliseconds: window - 1 }).toJSDate() };
    }
  }
}

export interface WindowInput {
  timeWindow?: TimeWindow;
  /** Default true. */
  resetOnSuccess?: boolean;
  /** Every condition key of the precondition set. */
  keys: readonly string[];
  /** The keys the execution being handled meets. */
  met: readonly string[];
  state: WindowState | undefined;
  now: Date;
  /** Zone of midnight and daily times. Default: the zone of this process. */
  zone?: string;
}

export interface WindowResult {
  /** Every condition is met inside the window, this execution meeting at least one: the trigger fires. */
  satisfied: boolean;
  /** The state to persist; undefined to delete it. */
  state: WindowState | undefined;
}

function within(date: Date, start: Date, end: Date): boolean {
  return date.getTime() >= start.getTime() && date.getTime() <= end.getTime();
}

/** The stored window when it still holds `now` (its results still count), else a new one. */
function currentWindow(input: WindowInput): { start: Date; end: Date; results: Record<string, string> } {
  const state = input.state;
  const bounds = windowBounds(input.timeWindow ?? {}, input.now, input.zone);
  if ((input.timeWindow?.type ?? "DURATION_WINDOW") === "SLIDING_WINDOW") {
    const results = Object.entries(state?.results ?? {}).filter(([, at]) =>
      within(new Date(at), bounds.start, bounds.end),
    );
    return { ...bounds, results: Object.fromEntries(results) };
  }
  if (state?.start !== undefined && state.end !== undefined) {
    const stored = { start: new Date(state.start), end: new Date(state.end) };
    if (within(input.now, stored.start, stored.end)) return { ...stored, results: { ...state.results } };
  }
  return { ...bounds, results: {} };
}

/** Records the conditions an execution meets and tells whether the precondition set is now satisfied. */
export function advanceWindow(input: WindowInput): WindowResult {
  const type = input.timeWindow?.type ?? "DURATION_WINDOW";
  const { results, ...bounds } = currentWindow(input);
  if (!within(input.now, bounds.start, bounds.end)) return { satisfied: false, state: undefined };
  const at = input.now.toISOString();
  const met = input.met.filter((key) => input.keys.includes(key));
  for (const key of met) results[key] = at;
  const satisfied = met.length > 0 && input.keys.every((key) => key in results);
  if (Object.keys(results).length === 0 || (satisfied && input.resetOnSuccess !== false))
    return { satisfied, state: undefined };
  const stored =
    type === "SLIDING_WINDOW"
      ? { results }
      : { start: bounds.start.toISOString(), end: bounds.end.toISOString(), results };
  return { satisfied, state: stored };
}
