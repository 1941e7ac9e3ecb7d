/**
 * A date-time as Kestra's date filters see it: a luxon DateTime (millisecond precision) plus the
 * nanoseconds within the second, so that microsecond and nanosecond inputs survive.
 */
import { DateTime, FixedOffsetZone, IANAZone, type Zone } from "luxon";
import { EvalError } from "../errors.ts";
import { isNumeric, JavaNumber, num } from "../values.ts";
import { parseWithPattern } from "./parsePattern.ts";

export interface DateValue {
  dt: DateTime;
  /** Nanosecond of second (0–999,999,999). */
  nanos: number;
  /** The zone is a region (Europe/Paris, UTC) rather than a fixed offset. */
  region: boolean;
}

const ISO =
  /^([+-]?\d{4,9})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2}(?::?\d{2})?)?)?(?:\[([^\]]+)\])?$/i;

export function zoneOf(name: string | undefined): { zone: Zone; region: boolean } {
  if (!name) return { zone: DateTime.local().zone, region: true };
  if (/^(Z|UTC|GMT)$/i.test(name) && name !== "Z") return { zone: IANAZone.create("UTC"), region: true };
  const offset = /^(?:UTC|GMT)?([+-]\d{1,2})(?::?(\d{2}))?$/.exec(name);
  if (name === "Z") return { zone: FixedOffsetZone.utcInstance, region: false };
  if (offset) {
    const minutes = Number(offset[1]) * 60 + Math.sign(Number(offset[1]) || 1) * Number(offset[2] ?? 0);
    return { zone: FixedOffsetZone.instance(minutes), region: false };
  }
  const zone = IANAZone.create(name);
  if (!zone.isValid) throw new EvalError(`Unknown time zone '${name}'`);
  return { zone, region: true };
}

function offsetZone(text: string): Zone {
  if (/^z$/i.test(text)) return FixedOffsetZone.utcInstance;
  const m = /^([+-])(\d{2}):?(\d{2})?/.exec(text)!;
  return FixedOffsetZone.instance((m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0)));
}

function fromIso(text: string, target: { zone: Zone; region: boolean }): DateValue | undefined {
  const m = ISO.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, offset, region] = m;
  const fraction = (frac ?? "").padEnd(9, "0");
  const nanos = Number(fraction);
  const parts = {
    year: Number(y),
    month: Number(mo),
    day: Number(d),
    hour: Number(h ?? 0),
    minute: Number(mi ?? 0),
    second: Number(s ?? 0),
    millisecond: Math.floor(nanos / 1e6),
  };
  let dt: DateTime;
  let isRegion = target.region;
  if (region) {
    const zone = zoneOf(region);
    dt = DateTime.fromObject(parts, { zone: zone.zone });
    isRegion = zone.region;
  } else if (offset) {
    dt = DateTime.fromObject(parts, { zone: offsetZone(offset) });
    isRegion = false;
  } else {
    dt = DateTime.fromObject(parts, { zone: target.zone });
  }
  if (!dt.isValid) throw new EvalError(`'${text}' is not a valid date: ${dt.invalidExplanation ?? dt.invalidReason}`);
  return { dt, nanos, region: isRegion };
}

export interface DateOptions {
  timeZone?: string;
  existingFormat?: string;
  locale?: string;
}

/**
 * Kestra's conversion of a filter input to a date (AbstractDate.convert): an ISO string keeps its
 * own offset or zone, a local one and epoch seconds are read in the timeZone (the system's when
 * none is given). Arithmetic (dateAdd) happens in that zone.
 */
export function readDate(input: unknown, options: DateOptions): DateValue | null {
  if (input === null || input === undefined) return null;
  const target = zoneOf(options.timeZone);
  if (isNumeric(input)) {
    const seconds = input instanceof JavaNumber && typeof input.value === "bigint" ? Number(input.value) : num(input);
    return {
      dt: DateTime.fromMillis(Math.floor(seconds) * 1000, { zone: target.zone }),
      nanos: 0,
      region: target.region,
    };
  }
  if (typeof input !== "string")
    throw new EvalError(
      `a date must be a string or a number of seconds, got ${Array.isArray(input) ? "a list" : typeof input}`,
    );
  if (options.existingFormat) {
    const parsed = parseWithPattern(input, options.existingFormat, target.zone, options.locale);
    return { dt: parsed.dt, nanos: parsed.nanos, region: target.region };
  }
  const iso = fromIso(input, target);
  if (iso) return iso;
  throw new EvalError(`'${input}' is not a date Kestra can read (use existingFormat)`);
}

/** A date as Kestra formats it: `withZone(timeZone ?? ZoneId.systemDefault())`. */
export function inDisplayZone(value: DateValue, options: DateOptions): DateValue {
  const target = zoneOf(options.timeZone);
  return { dt: value.dt.setZone(target.zone), nanos: value.nanos, region: target.region };
}

/** readDate, then shown in the timeZone (the system's when none is given). */
export function toDateValue(input: unknown, options: DateOptions): DateValue | null {
  const value = readDate(input, options);
  return value && inDisplayZone(value, options);
}

/** Epoch seconds and nanoseconds of a date value. */
export function epochOf(value: DateValue): { seconds: number; nanos: number } {
  return { seconds: Math.floor(value.dt.toMillis() / 1000), nanos: value.nanos };
}
