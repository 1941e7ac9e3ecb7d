/** Dates, durations and sizes as the UI shows them. */

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** The formatter of `formatDate` for a time zone (made once: making one costs far more than using it). */
function dateFormat(timeZone: string | undefined): Intl.DateTimeFormat {
  const key = timeZone ?? "";
  let format = dateFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat("en-CA", {
      timeZone: timeZone || undefined,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
    });
    dateFormats.set(key, format);
  }
  return format;
}

/** A date in the user's time zone (Settings), `2026-12-05 07:12:03`. */
export function formatDate(iso: string | undefined | null, timeZone?: string): string {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return formatInstant(date, timeZone);
}

/** {@link formatDate} of a valid date already parsed. */
export function formatInstant(date: Date, timeZone?: string): string {
  const p: Record<string, string> = {};
  for (const part of dateFormat(timeZone).formatToParts(date)) p[part.type] = part.value;
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

/** Milliseconds from an ISO-8601 duration (`PT1M2.5S`, `P1DT2H`); NaN when it is not one. */
export function parseDuration(iso: string | undefined | null): number {
  if (!iso) return NaN;
  const m = /^(-)?P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(
    iso,
  );
  if (!m) return NaN;
  const [, sign, d, h, min, s] = m;
  const ms = (Number(d ?? 0) * 86400 + Number(h ?? 0) * 3600 + Number(min ?? 0) * 60 + Number(s ?? 0)) * 1000;
  return sign ? -ms : ms;
}

/** `850ms`, `12.3s`, `4m 05s`, `2h 03m`, `3d 04h`. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return "";
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 2 : 1)}s`;
  const pad = (n: number) => String(Math.floor(n)).padStart(2, "0");
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${pad((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d ${pad((s % 86400) / 3600)}h`;
}

/** The duration of a state: its ISO duration, or from its start to its end (or now). */
export function stateDurationMs(
  state: { startDate?: string; endDate?: string; duration?: string },
  now = Date.now(),
): number {
  const d = parseDuration(state.duration);
  if (Number.isFinite(d) && state.endDate) return d;
  if (!state.startDate) return NaN;
  const start = Date.parse(state.startDate);
  const end = state.endDate ? Date.parse(state.endDate) : now;
  return end - start;
}

export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return "";
  const units = ["B", "KB", "MB", "GB", "TB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`;
}
