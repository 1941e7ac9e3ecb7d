/**
 * Which schedule dates the scheduler starts executions for, between the last date it handled and
 * now. A date is *missed* when it is older than `missedAfterMs` (the scheduler was not running, or
 * could not keep up); `recoverMissedSchedules` decides what happens to those: `ALL` runs every one,
 * `LAST` only the latest (none when a date is due on time), `NONE` none. A date later than
 * `lateMaximumDelay` is skipped whatever the policy, as Kestra's Schedule does.
 */
import type { CronSchedule } from "./cron.ts";

export const RECOVER_MISSED_SCHEDULES = ["ALL", "LAST", "NONE"] as const;
export type RecoverMissedSchedules = (typeof RECOVER_MISSED_SCHEDULES)[number];

export interface DueOptions {
  now: Date;
  /** Default `ALL`, as Kestra when no global plugin configuration says otherwise. */
  recoverMissedSchedules?: RecoverMissedSchedules;
  /** A date whose execution would start later than this after it is skipped. */
  lateMaximumDelayMs?: number;
  /** Older than this, a due date counts as missed. Default one minute. */
  missedAfterMs?: number;
}

export interface DueDates {
  /** Dates to start an execution for, oldest first. */
  due: Date[];
  /** Dates passed over (missed and not recovered, or too late). */
  skipped: Date[];
  /** The latest date handled (due or skipped): the trigger's new last date. */
  last?: Date;
}

export const DEFAULT_MISSED_AFTER_MS = 60_000;

/** Splits dates that fell due (all ≤ now, oldest first) into those to run and those to skip. */
export function selectDueDates(dates: readonly Date[], options: DueOptions): DueDates {
  const now = options.now.getTime();
  const missedAfter = options.missedAfterMs ?? DEFAULT_MISSED_AFTER_MS;
  const late = options.lateMaximumDelayMs;
  const inTime = dates.filter((d) => late === undefined || d.getTime() + late >= now);
  const onTime = inTime.filter((d) => now - d.getTime() <= missedAfter);
  const missed = inTime.filter((d) => now - d.getTime() > missedAfter);
  let due: Date[];
  switch (options.recoverMissedSchedules ?? "ALL") {
    case "ALL":
      due = inTime;
      break;
    case "LAST":
      due = onTime.length > 0 ? onTime : missed.slice(-1);
      break;
    case "NONE":
      due = onTime;
      break;
  }
  const kept = new Set(due);
  const last = dates[dates.length - 1];
  return { due, skipped: dates.filter((d) => !kept.has(d)), ...(last ? { last } : {}) };
}

export interface ScheduleDue extends DueDates {
  /** The next date after now, when the scheduler should look again. */
  next?: Date;
}

/**
 * The dates of `schedule` due in `(lastDate, now]`. Without a last date (a trigger just created)
 * nothing is due: Kestra starts a new Schedule at its next date.
 */
export function dueScheduleDates(
  schedule: CronSchedule,
  lastDate: Date | undefined,
  options: DueOptions & { limit?: number },
): ScheduleDue {
  const next = schedule.next(options.now);
  const withNext = next ? { next } : {};
  if (!lastDate) return { due: [], skipped: [], ...withNext };
  const dates = schedule.between(lastDate, options.now, options.limit);
  const selected = selectDueDates(dates, options);
  // A capped list stops short of now: look again right after its last date.
  const capped = options.limit !== undefined && dates.length >= options.limit;
  const after = capped ? schedule.next(dates[dates.length - 1]!) : next;
  return { ...selected, ...(after ? { next: after } : {}) };
}
