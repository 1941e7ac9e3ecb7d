/**
 * Kestra's calendar functions: isWeekend, dayOfWeek, dayOfMonth, monthOfYear, hourOfDay,
 * isDayWeekInMonth and isPublicHoliday. A date is ISO-8601 text: a plain `2025-01-06`, or a
 * date-time with an offset whose own local date counts (no conversion to UTC).
 */
import type { DateTime } from "luxon";
import { DateTime as LuxonDateTime } from "luxon";
import { isPublicHoliday } from "../../model/publicHolidays.ts";
import { parseLocalDate, parseZonedDateTime } from "../../model/dates.ts";
import { EvalError } from "../errors.ts";
import type { CallArgs } from "../registry.ts";
import type { FunctionDef } from "../registry.ts";
import { javaToString } from "../values.ts";
import { fn } from "./core.ts";

const DAYS = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"] as const;
const POSITIONS = ["FIRST", "SECOND", "THIRD", "FOURTH", "LAST"] as const;

function argument(args: CallArgs, name: string, index: number, fnName: string): string {
  const value = args.get(name, index);
  if (value === undefined || value === null)
    throw new EvalError(`The '${fnName}()' function expects a '${name}' argument.`);
  return javaToString(value);
}

function localDate(args: CallArgs, fnName: string): DateTime {
  const text = argument(args, "date", 0, fnName);
  const date = parseLocalDate(text);
  if (!date)
    throw new EvalError(
      `The '${fnName}()' function could not parse 'date': '${text}' is not an ISO-8601 date or date-time with an offset`,
    );
  return date;
}

/** The weekday of the last `weekday` of the date's month, or of its first plus `weeks` weeks. */
function nthWeekday(date: DateTime, weekday: number, position: (typeof POSITIONS)[number]): DateTime {
  if (position === "LAST") {
    const last = date.endOf("month").startOf("day");
    return last.minus({ days: (last.weekday - weekday + 7) % 7 });
  }
  const first = date.startOf("month");
  return first.plus({ days: (weekday - first.weekday + 7) % 7, weeks: POSITIONS.indexOf(position) });
}

export const calendarFunctions: Record<string, FunctionDef> = {
  isWeekend: fn((args) => localDate(args, "isWeekend").weekday >= 6),
  dayOfWeek: fn((args) => DAYS[localDate(args, "dayOfWeek").weekday - 1]),
  dayOfMonth: fn((args) => localDate(args, "dayOfMonth").day),
  monthOfYear: fn((args) => localDate(args, "monthOfYear").month),
  hourOfDay: fn((args) => {
    const text = argument(args, "date", 0, "hourOfDay");
    // A date-time with an offset, else one without (LocalDateTime); a plain date has no hour.
    const date =
      parseZonedDateTime(text) ??
      (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?$/.test(text)
        ? LuxonDateTime.fromISO(text, { zone: "UTC" })
        : undefined);
    if (!date?.isValid)
      throw new EvalError(`The 'hourOfDay()' function could not parse 'date': '${text}' is not an ISO-8601 date-time`);
    return date.hour;
  }),
  isDayWeekInMonth: fn((args) => {
    const date = localDate(args, "isDayWeekInMonth");
    const day = argument(args, "dayOfWeek", 1, "isDayWeekInMonth").toUpperCase();
    const weekday = DAYS.indexOf(day as (typeof DAYS)[number]) + 1;
    if (weekday === 0)
      throw new EvalError(
        `The 'isDayWeekInMonth()' function received an invalid 'dayOfWeek' value: '${day}'. Expected one of: ${DAYS.join(", ")}.`,
      );
    const position = argument(args, "position", 2, "isDayWeekInMonth").toUpperCase() as (typeof POSITIONS)[number];
    if (!POSITIONS.includes(position))
      throw new EvalError(
        `The 'isDayWeekInMonth()' function received an invalid 'position' value: '${position}'. Expected one of: ${POSITIONS.join(", ")}.`,
      );
    return nthWeekday(date, weekday, position).hasSame(date, "day");
  }),
  isPublicHoliday: fn((args, ctx) => {
    const date = localDate(args, "isPublicHoliday").toISODate()!;
    const country = argument(args, "countryCode", 1, "isPublicHoliday");
    const sub = args.get("subDivision", 2);
    const subDivision =
      sub === undefined || sub === null || javaToString(sub).trim() === "" ? undefined : javaToString(sub);
    return ctx.resolve(`isPublicHoliday:${date}:${country}:${subDivision ?? ""}`, async () => {
      try {
        return await isPublicHoliday(date, country, subDivision);
      } catch (error) {
        throw new EvalError(
          `The 'isPublicHoliday()' function: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    });
  }),
};
