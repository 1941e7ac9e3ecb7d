/**
 * Dates and number formats for the Excel tasks: Java `DateTimeFormatter` patterns turned into
 * Excel number formats (IonToExcel), Excel formats rendered to text (ExcelToIon's
 * `FORMATTED_VALUE` and `FORMATTED_STRING`), and wall-clock times in a time zone. Kept small and
 * local on purpose: only what a spreadsheet cell can show.
 */
import { NonRetryableError } from "@saker/sdk";
import { DAYS, MONTHS } from "./javaTime.ts";

/**
 * The Excel number format showing what the Java pattern `pattern` shows: `yyyy-MM-dd'T'HH:mm:ss.SSS[XXX]`
 * becomes `yyyy-mm-dd"T"hh:mm:ss.000`. Optional sections (`[…]`) and zones are left out: an Excel
 * date has no zone. Letters Excel has no counterpart for are dropped.
 */
export function excelNumberFormat(pattern: string): string {
  let out = "";
  let twelveHours = false;
  let hasAmPm = false;
  let i = 0;
  let depth = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === "[") {
      depth++;
      i++;
      continue;
    }
    if (c === "]") {
      depth = Math.max(0, depth - 1);
      i++;
      continue;
    }
    if (c === "'") {
      const end = pattern.indexOf("'", i + 1);
      const text = end < 0 ? pattern.slice(i + 1) : pattern.slice(i + 1, end);
      i = end < 0 ? pattern.length : end + 1;
      if (depth > 0) continue;
      out += text === "" ? "'" : `"${text.replace(/"/g, "")}"`;
      continue;
    }
    let n = 1;
    while (pattern[i + n] === c) n++;
    i += n;
    if (depth > 0) continue;
    switch (c) {
      case "y":
      case "u":
        out += n === 2 ? "yy" : "yyyy";
        break;
      case "M":
      case "L":
        out += n >= 4 ? "mmmm" : n === 3 ? "mmm" : n === 2 ? "mm" : "m";
        break;
      case "d":
        out += n >= 2 ? "dd" : "d";
        break;
      case "E":
        out += n >= 4 ? "dddd" : "ddd";
        break;
      case "H":
      case "k":
        out += n >= 2 ? "hh" : "h";
        break;
      case "h":
      case "K":
        twelveHours = true;
        out += n >= 2 ? "hh" : "h";
        break;
      case "m":
        out += n >= 2 ? "mm" : "m";
        break;
      case "s":
        out += n >= 2 ? "ss" : "s";
        break;
      case "S":
        out += "0".repeat(Math.min(n, 3));
        break;
      case "a":
        hasAmPm = true;
        out += "AM/PM";
        break;
      case "X":
      case "x":
      case "Z":
      case "z":
      case "O":
      case "V":
      case "G":
      case "Q":
      case "w":
      case "W":
      case "D":
      case "F":
      case "n":
      case "N":
      case "A":
        break; // no Excel counterpart
      default:
        out += /[A-Za-z]/.test(c) ? "" : /[-/:., ()]/.test(c) ? c.repeat(n) : `\\${c}`.repeat(n);
    }
  }
  if (twelveHours && !hasAmPm) out += " AM/PM";
  return out.trim() || "General";
}

/** Whether the Excel number format `format` shows a date or a time (as Excel decides it). */
export function isDateFormat(format: string | undefined): boolean {
  if (!format) return false;
  const section = format.split(";")[0]!;
  const bare = section
    .replace(/"[^"]*"/g, "")
    .replace(/\\./g, "")
    .replace(/\[[^\]]*\]/g, "");
  return /[dmyhs]/i.test(bare) && !/^[#0.,%E+-]*$/i.test(bare);
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/**
 * `date` (its UTC fields are the wall-clock time, as Excel stores it) as the Excel format `format`
 * shows it: years, months, days, hours, minutes, seconds, fractions and AM/PM; quoted and escaped
 * literals are kept, colours and locales (`[…]`) are ignored.
 */
export function formatExcelDate(date: Date, format: string): string {
  const section = format.split(";")[0]!;
  const tokens: { kind: string; text: string }[] = [];
  for (let i = 0; i < section.length;) {
    const c = section[i]!;
    if (c === '"') {
      const end = section.indexOf('"', i + 1);
      tokens.push({ kind: "lit", text: section.slice(i + 1, end < 0 ? undefined : end) });
      i = end < 0 ? section.length : end + 1;
    } else if (c === "\\" || c === "_" || c === "*") {
      if (c === "\\") tokens.push({ kind: "lit", text: section[i + 1] ?? "" });
      i += 2;
    } else if (c === "[") {
      const end = section.indexOf("]", i);
      i = end < 0 ? section.length : end + 1;
    } else if (/^(AM\/PM|A\/P)/i.test(section.slice(i))) {
      const m = /^(AM\/PM|A\/P)/i.exec(section.slice(i))![0];
      tokens.push({ kind: "ampm", text: m });
      i += m.length;
    } else if (/[ymdhs]/i.test(c)) {
      let n = 1;
      while (section[i + n]?.toLowerCase() === c.toLowerCase()) n++;
      tokens.push({ kind: c.toLowerCase(), text: section.slice(i, i + n) });
      i += n;
    } else if (c === "." && section[i + 1] === "0") {
      let n = 1;
      while (section[i + n] === "0") n++;
      tokens.push({ kind: "frac", text: section.slice(i + 1, i + n) });
      i += n;
    } else {
      tokens.push({ kind: "lit", text: c });
      i++;
    }
  }
  const twelve = tokens.some((t) => t.kind === "ampm");
  // An `m` right after hours or right before seconds is minutes.
  for (let t = 0; t < tokens.length; t++) {
    if (tokens[t]!.kind !== "m") continue;
    const before = tokens
      .slice(0, t)
      .reverse()
      .find((x) => x.kind !== "lit");
    const after = tokens.slice(t + 1).find((x) => x.kind !== "lit");
    if (before?.kind === "h" || after?.kind === "s") tokens[t]!.kind = "min";
  }
  const hours = date.getUTCHours();
  let out = "";
  for (const { kind, text } of tokens) {
    const n = text.length;
    switch (kind) {
      case "y":
        out += n <= 2 ? pad(date.getUTCFullYear() % 100) : pad(date.getUTCFullYear(), 4);
        break;
      case "m": {
        const month = date.getUTCMonth();
        out +=
          n === 1
            ? String(month + 1)
            : n === 2
              ? pad(month + 1)
              : n === 3
                ? MONTHS[month]!.slice(0, 3)
                : n === 5
                  ? MONTHS[month]![0]
                  : MONTHS[month];
        break;
      }
      case "d":
        out +=
          n === 1
            ? String(date.getUTCDate())
            : n === 2
              ? pad(date.getUTCDate())
              : n === 3
                ? DAYS[date.getUTCDay()]!.slice(0, 3)
                : DAYS[date.getUTCDay()];
        break;
      case "h": {
        const h = twelve ? hours % 12 || 12 : hours;
        out += n >= 2 ? pad(h) : String(h);
        break;
      }
      case "min":
        out += n >= 2 ? pad(date.getUTCMinutes()) : String(date.getUTCMinutes());
        break;
      case "s":
        out += n >= 2 ? pad(date.getUTCSeconds()) : String(date.getUTCSeconds());
        break;
      case "frac":
        out += `.${pad(date.getUTCMilliseconds(), 3).slice(0, n).padEnd(n, "0")}`;
        break;
      case "ampm":
        out += text.length === 3 ? (hours < 12 ? "A" : "P") : hours < 12 ? "AM" : "PM";
        break;
      default:
        out += text;
    }
  }
  return out;
}

/**
 * `value` as the Excel number format `format` shows it, for the common formats: `General`,
 * fixed decimals (`0.00`), thousands separators (`#,##0`) and percentages (`0.0%`). Other formats
 * show the plain number.
 */
export function formatExcelNumber(value: number, format: string | undefined): string {
  const section = (format ?? "General").split(";")[0]!;
  const bare = section
    .replace(/"[^"]*"/g, "")
    .replace(/\\./g, "")
    .replace(/\[[^\]]*\]/g, "");
  const m = /([#0,]*0[#0,]*|#[#,]*)(?:\.([0#]+))?/.exec(bare);
  if (!m || /general/i.test(bare) || /E[+-]/i.test(bare)) return String(value);
  const percent = bare.includes("%");
  const n = percent ? value * 100 : value;
  const decimals = m[2]?.length ?? 0;
  let text = n.toFixed(decimals);
  if (m[1]!.includes(",")) {
    const [whole, frac] = text.split(".");
    text = whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ",") + (frac === undefined ? "" : `.${frac}`);
  }
  return `${text}${percent ? "%" : ""}`;
}

const zoneFormats = new Map<string, Intl.DateTimeFormat>();

/** Checks `zone` (an IANA id such as `Europe/Paris` or `Etc/UTC`); a clear error names the property. */
export function checkZone(zone: string): string {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return zone;
  } catch {
    throw new NonRetryableError(`unknown timeZoneId '${zone}' (use an IANA id such as Europe/Paris or Etc/UTC)`);
  }
}

/** The wall-clock time of the instant `ms` in `zone`, as a Date whose UTC fields are that wall time. */
export function wallTime(ms: number, zone: string): Date {
  if (zone === "UTC" || zone === "Etc/UTC" || zone === "Z" || zone === "GMT") return new Date(ms);
  let f = zoneFormats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    zoneFormats.set(zone, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(ms))) if (part.type !== "literal") p[part.type] = Number(part.value);
  return new Date(Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!, ((ms % 1000) + 1000) % 1000));
}
