/**
 * ScheduleOnDates: a fixed list of zoned dates. Due dates are those in `(lastDate, now]`, chosen
 * with the same missed-schedule rules as a cron Schedule; a trigger just created (no last date)
 * runs only the dates still to come, as Kestra starts it at its creation date.
 */
import { SakerError } from "@saker/sdk";
import { parseZonedDateTime } from "../model/dates.ts";
import { selectDueDates, type DueOptions, type ScheduleDue } from "./dueSchedules.ts";

/** The dates of the trigger, parsed and sorted; throws `PROPERTY_INVALID` naming a bad one. */
export function parseScheduleDates(dates: readonly string[]): Date[] {
  return dates
    .map((text, i) => {
      const parsed = parseZonedDateTime(text);
      if (!parsed)
        throw new SakerError(
          "PROPERTY_INVALID",
          `property 'dates[${i}]' must be an ISO-8601 date-time with an offset (got ${JSON.stringify(text)})`,
        );
      // Kestra truncates the dates to the second.
      return new Date(Math.floor(parsed.toMillis() / 1000) * 1000);
    })
    .sort((a, b) => a.getTime() - b.getTime());
}

/** Dates of the list due between the last handled date and now, and the next one to wait for. */
export function dueScheduleOnDates(
  dates: readonly Date[],
  lastDate: Date | undefined,
  options: DueOptions,
): ScheduleDue {
  const now = options.now.getTime();
  const after = lastDate?.getTime() ?? now;
  const fallen = dates.filter((d) => d.getTime() > after && d.getTime() <= now);
  const next = dates.find((d) => d.getTime() > now);
  return { ...selectDueDates(fallen, options), ...(next ? { next } : {}) };
}
