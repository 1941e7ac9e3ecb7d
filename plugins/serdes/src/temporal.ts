/**
 * Dates, times and date-times counted as Parquet stores them (epoch days, units of the day, epoch
 * units) written back as Ion timestamp text, any year. Parsing text with the task's Java patterns
 * is in `javaTime.ts`.
 */

const pad = (n: number | bigint, width: number) => String(n).padStart(width, "0");

/** Year, month and day of a day count since 1970-01-01 (proleptic Gregorian, any year). */
function civil(days: number): [number, number, number] {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

/**
 * `yyyy-MM-dd` of a day count since the epoch (an Ion timestamp of day precision). A year outside
 * 0001–9999, which Ion cannot hold, is written with its sign (`+290000-12-30`): see {@link ionTimestamp}.
 */
export function dateText(days: number): string {
  const [y, m, d] = civil(days);
  const year = y >= 1 && y <= 9999 ? pad(y, 4) : `${y < 0 ? "-" : "+"}${pad(Math.abs(y), 4)}`;
  return `${year}-${pad(m, 2)}-${pad(d, 2)}`;
}

/** The text as an Ion timestamp when its year fits Ion's (0001–9999), else as an Ion string. */
export function ionTimestamp(text: string): string {
  return text[4] === "-" && !text.startsWith("0000") ? text : JSON.stringify(text);
}

/** `HH:mm:ss[.fraction]` of a time of day given in `unitsPerSecond` (1e3, 1e6 or 1e9). */
export function timeText(value: bigint, digits: 3 | 6 | 9): string {
  const perSecond = 10n ** BigInt(digits);
  const seconds = value / perSecond;
  const fraction = value % perSecond;
  const h = seconds / 3600n;
  const m = (seconds / 60n) % 60n;
  const s = seconds % 60n;
  return `${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}.${pad(fraction, digits)}`;
}

/**
 * The Ion timestamp text of an instant counted in 10^-digits seconds since the epoch: `Z` when
 * the instant is UTC, Ion's unknown offset `-00:00` for a local date-time.
 */
export function timestampText(value: bigint, digits: 3 | 6 | 9, utc: boolean): string {
  const perSecond = 10n ** BigInt(digits);
  let seconds = value / perSecond;
  let fraction = value % perSecond;
  if (fraction < 0n) {
    fraction += perSecond;
    seconds -= 1n;
  }
  const days = Number(seconds / 86_400n) - (seconds % 86_400n < 0n ? 1 : 0);
  const ofDay = Number(seconds - BigInt(days) * 86_400n);
  const h = Math.floor(ofDay / 3600);
  const m = Math.floor(ofDay / 60) % 60;
  const s = ofDay % 60;
  return `${dateText(days)}T${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}.${pad(fraction, digits)}${utc ? "Z" : "-00:00"}`;
}
