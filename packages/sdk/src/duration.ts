/**
 * ISO-8601 durations as Java's `Duration` reads and prints them (`PT5S`, `P1DT2H`, `PT0.25S`).
 * Kestra writes every duration property this way, so plugins receive and return these strings.
 *
 * @module
 */

const PATTERN = /^([-+]?)P(?:([-+]?\d+)D)?(?:T(?:([-+]?\d+)H)?(?:([-+]?\d+)M)?(?:([-+]?\d+)(?:[.,](\d{0,9}))?S)?)?$/i;

/** True when `text` is an ISO-8601 duration that {@link parseDuration} accepts. */
export function isDuration(text: string): boolean {
  const m = PATTERN.exec(text.trim());
  return m !== null && !/T$/i.test(text.trim()) && m.slice(2, 6).some((g) => g !== undefined);
}

/**
 * Parses an ISO-8601 duration into milliseconds, as `java.time.Duration.parse` does (days, hours,
 * minutes and seconds with up to nine decimals; no years, months or weeks).
 *
 * @throws RangeError when the text is not a duration.
 * @example parseDuration("PT1M30S") // 90000
 */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  const m = PATTERN.exec(trimmed);
  if (!m || !isDuration(trimmed)) throw new RangeError(`'${text}' is not an ISO-8601 duration (e.g. PT30S, PT5M, P1D)`);
  const sign = m[1] === "-" ? -1 : 1;
  const days = Number(m[2] ?? 0);
  const hours = Number(m[3] ?? 0);
  const minutes = Number(m[4] ?? 0);
  const secondsText = m[5] ?? "0";
  const seconds = Number(secondsText);
  const fraction = m[6] ? Number(`0.${m[6]}`) * (secondsText.startsWith("-") ? -1 : 1) : 0;
  const ms = ((days * 24 + hours) * 60 + minutes) * 60_000 + (seconds + fraction) * 1000;
  return (sign * Math.round(ms * 1000)) / 1000;
}

/**
 * Prints milliseconds the way Java's `Duration.toString()` does: `PT0S`, `PT1.5S`, `PT2H3M`.
 * @example formatDuration(90_500) // "PT1M30.5S"
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms === 0) return "PT0S";
  const negative = ms < 0;
  let rest = Math.abs(ms);
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = rest / 1000;
  const sign = negative ? "-" : "";
  let text = "PT";
  if (hours) text += `${sign}${hours}H`;
  if (minutes) text += `${sign}${minutes}M`;
  if (seconds) text += `${sign}${secondsText(rest)}S`;
  return text;
}

/**
 * Seconds with up to six decimals and no trailing zero (`1.5`, `30`, `0.000123`), from the
 * milliseconds of a duration under a minute. Every state change prints its duration: whole
 * milliseconds, the common case, are printed without formatting a float.
 */
function secondsText(ms: number): string {
  if (!Number.isInteger(ms)) return (ms / 1000).toFixed(6).replace(/0+$/, "").replace(/\.$/, "");
  const whole = Math.floor(ms / 1000);
  const millis = ms - whole * 1000;
  if (millis === 0) return String(whole);
  const digits = millis % 100 === 0 ? 1 : millis % 10 === 0 ? 2 : 3;
  return `${whole}.${String(millis).padStart(3, "0").slice(0, digits)}`;
}
