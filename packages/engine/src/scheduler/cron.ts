/**
 * Cron expressions as Kestra's Schedule reads them: 5 fields (minute precision), or 6 with
 * `withSeconds` (seconds first); day of week 0–7 (0 and 7 are Sunday); month and day names;
 * the nicknames `@yearly @annually @monthly @weekly @daily @midnight @hourly`; evaluated in a
 * time zone. When both day of month and day of week are restricted, either may match (Vixie cron).
 * Next and previous dates come from croner.
 */
import { SakerError } from "@saker/sdk";
import { Cron } from "croner";
import { isValidZone, systemZone } from "../model/dates.ts";

export interface CronOptions {
  /** A 6th (first) field for seconds. Default false. */
  withSeconds?: boolean;
  /** IANA zone the fields are read in. Default: the zone of this process. */
  timezone?: string;
}

/** A parsed schedule: dates strictly after or before a given instant. */
export interface CronSchedule {
  readonly cron: string;
  readonly timezone: string;
  readonly withSeconds: boolean;
  /** The first date strictly after `after`, or undefined when there is none. */
  next(after: Date): Date | undefined;
  /** The last date strictly before `before`, or undefined when there is none. */
  previous(before: Date): Date | undefined;
  /** Every date in `(after, until]`, oldest first, at most `limit`. */
  between(after: Date, until: Date, limit?: number): Date[];
}

const NICKNAMES: Readonly<Record<string, string>> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

const MONTHS = "JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC";
const DAYS = "SUN|MON|TUE|WED|THU|FRI|SAT";
/** Only what Kestra's cron definition accepts: numbers, names, `*`, ranges, lists and steps (no `?`, `L`, `W`, `#`). */
function fieldPattern(names?: string): RegExp {
  const atom = names ? `(?:\\d+|${names})` : "\\d+";
  const range = `(?:\\*|${atom}(?:-${atom})?)(?:/\\d+)?`;
  return new RegExp(`^${range}(?:,${range})*$`, "i");
}
const PLAIN = fieldPattern();
const MONTH_FIELD = fieldPattern(MONTHS);
const DAY_FIELD = fieldPattern(DAYS);

function expand(cron: string, withSeconds: boolean): string {
  const text = cron.trim();
  const nickname = NICKNAMES[text.toLowerCase()];
  if (nickname) return withSeconds ? `0 ${nickname}` : nickname;
  return text;
}

/** Why `cron` is not a valid Kestra cron expression, or undefined when it is. */
export function cronError(cron: string, options: CronOptions = {}): string | undefined {
  const withSeconds = options.withSeconds === true;
  const text = expand(cron, withSeconds);
  if (text.startsWith("@"))
    return `unknown cron nickname '${cron.trim()}' (allowed: ${Object.keys(NICKNAMES).join(", ")})`;
  const fields = text.split(/\s+/);
  const wanted = withSeconds ? 6 : 5;
  if (fields.length !== wanted) {
    return `a cron expression needs ${wanted} fields${withSeconds ? " (withSeconds: true)" : ""}, got ${fields.length} in '${cron}'`;
  }
  const patterns = withSeconds
    ? [PLAIN, PLAIN, PLAIN, PLAIN, MONTH_FIELD, DAY_FIELD]
    : [PLAIN, PLAIN, PLAIN, MONTH_FIELD, DAY_FIELD];
  const bad = fields.findIndex((field, i) => !patterns[i]!.test(field));
  if (bad >= 0) return `invalid cron field '${fields[bad]}' in '${cron}'`;
  if (options.timezone !== undefined && !isValidZone(options.timezone))
    return `unknown time zone '${options.timezone}'`;
  try {
    new Cron(text, {
      mode: withSeconds ? "6-part" : "5-part",
      ...(options.timezone ? { timezone: options.timezone } : {}),
    });
  } catch (error) {
    return `invalid cron expression '${cron}': ${(error as Error).message.replace(/^CronPattern: /, "")}`;
  }
  return undefined;
}

/** Parses a Kestra cron expression; throws a `CRON_INVALID` SakerError. */
export function parseCron(cron: string, options: CronOptions = {}): CronSchedule {
  const problem = cronError(cron, options);
  if (problem) throw new SakerError("CRON_INVALID", problem);
  const withSeconds = options.withSeconds === true;
  const timezone = options.timezone ?? systemZone();
  const job = new Cron(expand(cron, withSeconds), { mode: withSeconds ? "6-part" : "5-part", timezone });
  const next = (after: Date): Date | undefined => job.nextRun(after) ?? undefined;
  return {
    cron,
    timezone,
    withSeconds,
    next,
    previous: (before) => job.previousRuns(1, before)[0],
    between(after, until, limit = 10_000) {
      const dates: Date[] = [];
      for (let date = next(after); date && date <= until && dates.length < limit; date = next(date)) dates.push(date);
      return dates;
    },
  };
}
