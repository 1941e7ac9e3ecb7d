/** Date filters: date, dateAdd, timestamp, timestampMilli, timestampMicro, timestampNano. */
import { EvalError } from "../errors.ts";
import type { CallArgs } from "../registry.ts";
import type { FilterDef } from "../registry.ts";
import { describe } from "../evaluator.ts";
import { isFloating, JavaNumber } from "../values.ts";
import { epochOf, inDisplayZone, readDate, toDateValue, type DateOptions, type DateValue } from "../dates/dateValue.ts";
import { formatDate } from "../dates/format.ts";
import { filter, longArg } from "./helpers.ts";

function optionalText(args: CallArgs, name: string, index: number): string | undefined {
  const value = args.get(name, index);
  return value === undefined || value === null ? undefined : String(value);
}

/** Kestra reads a Long as epoch seconds; a Double or a Float is no date (a ClassCastException there). */
function dateInput(input: unknown, name: string): unknown {
  if (isFloating(input))
    throw new EvalError(
      `the '${name}' filter needs a date text or a whole number of epoch seconds, got ${describe(input)}`,
    );
  return input;
}

/**
 * commons-lang3 LocaleUtils.toLocale, as a BCP 47 tag: `fr`, `fr_FR` or `fr-FR` (a language of 2
 * or 3 lower-case letters, a country of 2 upper-case letters or 3 digits, then a variant).
 */
export function javaLocale(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const m = /^([a-z]{2,3})(?:([_-])([A-Z]{2}|\d{3})?(?:\2(.+))?)?$/.exec(text);
  if (!m || (m[2] !== undefined && m[3] === undefined && m[4] === undefined))
    throw new EvalError(`'${text}' is not a locale: use a language like 'fr' or a language and country like 'fr_FR'`);
  return m[3] ? `${m[1]}-${m[3]}` : m[1];
}

function dateOptions(args: CallArgs, zoneIndex: number): DateOptions {
  const timeZone = optionalText(args, "timeZone", zoneIndex);
  const existingFormat = optionalText(args, "existingFormat", zoneIndex + 1);
  const locale = javaLocale(optionalText(args, "locale", zoneIndex + 2));
  return {
    ...(timeZone ? { timeZone } : {}),
    ...(existingFormat ? { existingFormat } : {}),
    ...(locale ? { locale } : {}),
  };
}

const UNITS: Record<string, (v: DateValue, amount: number) => DateValue> = {
  NANOS: (v, a) => addNanos(v, a),
  MICROS: (v, a) => addNanos(v, a * 1000),
  MILLIS: (v, a) => addNanos(v, a * 1e6),
  SECONDS: (v, a) => ({ ...v, dt: v.dt.plus({ seconds: a }) }),
  MINUTES: (v, a) => ({ ...v, dt: v.dt.plus({ minutes: a }) }),
  HOURS: (v, a) => ({ ...v, dt: v.dt.plus({ hours: a }) }),
  HALF_DAYS: (v, a) => ({ ...v, dt: v.dt.plus({ hours: a * 12 }) }),
  DAYS: (v, a) => ({ ...v, dt: v.dt.plus({ days: a }) }),
  WEEKS: (v, a) => ({ ...v, dt: v.dt.plus({ weeks: a }) }),
  MONTHS: (v, a) => ({ ...v, dt: v.dt.plus({ months: a }) }),
  YEARS: (v, a) => ({ ...v, dt: v.dt.plus({ years: a }) }),
  DECADES: (v, a) => ({ ...v, dt: v.dt.plus({ years: a * 10 }) }),
  CENTURIES: (v, a) => ({ ...v, dt: v.dt.plus({ years: a * 100 }) }),
  MILLENNIA: (v, a) => ({ ...v, dt: v.dt.plus({ years: a * 1000 }) }),
};

function addNanos(v: DateValue, amount: number): DateValue {
  const total = v.nanos + amount;
  const carrySeconds = Math.floor(total / 1e9);
  const nanos = total - carrySeconds * 1e9;
  const dt = v.dt.plus({ seconds: carrySeconds }).set({ millisecond: Math.floor(nanos / 1e6) });
  return { ...v, dt, nanos };
}

function timestamp(scale: "s" | "ms" | "us" | "ns", name: string): FilterDef {
  return filter((input, args) => {
    const value = toDateValue(dateInput(input, name), dateOptions(args, 0));
    if (!value) return null;
    const { seconds, nanos } = epochOf(value);
    const big =
      BigInt(seconds) * { s: 1n, ms: 1000n, us: 1_000_000n, ns: 1_000_000_000n }[scale] +
      BigInt(Math.floor(nanos / { s: 1e9, ms: 1e6, us: 1e3, ns: 1 }[scale]));
    return Number.isSafeInteger(Number(big)) ? Number(big) : new JavaNumber(big, "Long");
  });
}

export const dateFilters: Record<string, FilterDef> = {
  date: filter((input, args) => {
    const value = toDateValue(dateInput(input, "date"), dateOptions(args, 1));
    if (!value) return null;
    return formatDate(value, optionalText(args, "format", 0), javaLocale(optionalText(args, "locale", 3)));
  }),
  dateAdd: filter((input, args) => {
    if (input === null || input === undefined) return null;
    const amount = longArg(args, "amount", 0);
    const unit = String(args.get("unit", 1) ?? "");
    const add = UNITS[unit];
    if (!add) throw new EvalError(`'${unit}' is not a unit: use one of ${Object.keys(UNITS).join(", ")}`);
    const options = dateOptions(args, 3);
    // Kestra adds in the date's own zone (an ISO offset stays fixed), then formats in the timeZone
    const value = readDate(dateInput(input, "dateAdd"), options);
    if (!value) return null;
    return formatDate(
      inDisplayZone(add(value, amount), options),
      optionalText(args, "format", 2),
      javaLocale(optionalText(args, "locale", 5)),
    );
  }),
  timestamp: timestamp("s", "timestamp"),
  timestampMilli: timestamp("ms", "timestampMilli"),
  timestampMicro: timestamp("us", "timestampMicro"),
  timestampNano: timestamp("ns", "timestampNano"),
};
