/**
 * The `trigger` variables of an execution started by a Schedule: `date` (the schedule date),
 * `next` and `previous` (the dates around it), written in the trigger's time zone. With
 * conditions, `next` and `previous` skip the dates the conditions reject, as Kestra does.
 */
import type { CronSchedule } from "./cron.ts";
import { formatZoned } from "../model/dates.ts";

export interface ScheduleVariables {
  date: string;
  next?: string;
  previous?: string;
}

export interface ScheduleVariableOptions {
  /** Whether the trigger's conditions accept a date (given its own variables). */
  accept?: (variables: ScheduleVariables) => Promise<boolean>;
  /** How many dates to look through for an accepted next/previous one. Default 1000. */
  maxSteps?: number;
}

/** `{date, next, previous}` for one date of the schedule, conditions ignored. */
export function plainScheduleVariables(schedule: CronSchedule, date: Date): ScheduleVariables {
  const zone = schedule.timezone;
  const next = schedule.next(date);
  const previous = schedule.previous(date);
  return {
    date: formatZoned(date, zone),
    ...(next ? { next: formatZoned(next, zone) } : {}),
    ...(previous ? { previous: formatZoned(previous, zone) } : {}),
  };
}

async function firstAccepted(
  schedule: CronSchedule,
  from: Date,
  step: (d: Date) => Date | undefined,
  options: ScheduleVariableOptions,
): Promise<Date | undefined> {
  const max = options.maxSteps ?? 1000;
  let date = step(from);
  for (let i = 0; date && i < max; i++, date = step(date)) {
    if (!options.accept || (await options.accept(plainScheduleVariables(schedule, date)))) return date;
  }
  return undefined;
}

/** `{date, next, previous}` for one date of the schedule; with `accept`, next and previous are accepted dates. */
export async function scheduleVariables(
  schedule: CronSchedule,
  date: Date,
  options: ScheduleVariableOptions = {},
): Promise<ScheduleVariables> {
  if (!options.accept) return plainScheduleVariables(schedule, date);
  const zone = schedule.timezone;
  const next = await firstAccepted(schedule, date, (d) => schedule.next(d), options);
  const previous = await firstAccepted(schedule, date, (d) => schedule.previous(d), options);
  return {
    date: formatZoned(date, zone),
    ...(next ? { next: formatZoned(next, zone) } : {}),
    ...(previous ? { previous: formatZoned(previous, zone) } : {}),
  };
}
