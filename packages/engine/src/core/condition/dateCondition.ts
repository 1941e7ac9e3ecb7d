/** What the date conditions share: the `date` property (default `{{ trigger.date }}`) and its reading. */
import { SakerError, raw, z, type ConditionContext } from "@saker/sdk";
import type { DateTime } from "luxon";
import { parseLocalDate, parseZonedDateTime } from "../../model/dates.ts";

export const DAYS_OF_WEEK = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"] as const;
export type DayOfWeek = (typeof DAYS_OF_WEEK)[number];

/** `date`, rendered by the condition itself against the trigger's variables. */
export function dateProperty() {
  return raw(z.string().default("{{ trigger.date }}")).describe(
    "The date to test: an expression or an ISO-8601 date; the trigger date by default.",
  );
}

async function rendered(template: string, ctx: ConditionContext): Promise<string> {
  return (await ctx.render(template)).trim();
}

/** The calendar date of the rendered `date` (its own offset's local date). */
export async function renderLocalDate(template: string, ctx: ConditionContext): Promise<DateTime> {
  const text = await rendered(template, ctx);
  const date = parseLocalDate(text);
  if (!date) throw new SakerError("CONDITION_INVALID", `'${text}' is not an ISO-8601 date or date-time with an offset`);
  return date;
}

/** The rendered `date` as a zoned date-time. */
export async function renderZonedDate(template: string, ctx: ConditionContext): Promise<DateTime> {
  const text = await rendered(template, ctx);
  const date = parseZonedDateTime(text);
  if (!date) throw new SakerError("CONDITION_INVALID", `'${text}' is not an ISO-8601 date-time with an offset`);
  return date;
}

/** MONDAY… of a date (luxon numbers Monday 1 to Sunday 7). */
export function dayOfWeek(date: DateTime): DayOfWeek {
  return DAYS_OF_WEEK[date.weekday - 1]!;
}
