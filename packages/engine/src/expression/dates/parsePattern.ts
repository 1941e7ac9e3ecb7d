/**
 * Parsing a date with a Java pattern (`existingFormat`), by translating it to luxon's tokens.
 * Named formats (iso, rfc_1123_date_time…) are read with luxon's own parsers.
 */
import { DateTime, type Zone } from "luxon";
import { EvalError } from "../errors.ts";

const TOKEN_MAP: Record<string, string> = {
  yyyy: "yyyy",
  yy: "yy",
  y: "y",
  uuuu: "yyyy",
  MMMM: "MMMM",
  MMM: "MMM",
  MM: "MM",
  M: "M",
  LLLL: "LLLL",
  LLL: "LLL",
  dd: "dd",
  d: "d",
  HH: "HH",
  H: "H",
  hh: "hh",
  h: "h",
  kk: "HH",
  mm: "mm",
  m: "m",
  ss: "ss",
  s: "s",
  SSS: "SSS",
  SS: "SS",
  S: "S",
  a: "a",
  EEEE: "EEEE",
  EEE: "EEE",
  E: "EEE",
  ZZZZZ: "ZZ",
  XXX: "ZZ",
  XX: "ZZZ",
  X: "Z",
  Z: "ZZZ",
  z: "z",
  VV: "z",
  D: "o",
  DDD: "ooo",
};

function toLuxon(pattern: string): string {
  let out = "";
  for (let i = 0; i < pattern.length;) {
    const ch = pattern[i]!;
    if (ch === "'") {
      const end = pattern.indexOf("'", i + 1);
      const literal = end < 0 ? pattern.slice(i + 1) : pattern.slice(i + 1, end);
      out += literal === "" ? "''" : `'${literal}'`;
      i = end < 0 ? pattern.length : end + 1;
      continue;
    }
    if (/[A-Za-z]/.test(ch)) {
      let j = i;
      while (pattern[j] === ch) j++;
      let run = pattern.slice(i, j);
      if (ch === "S" && run.length > 3) run = "SSS";
      const token = TOKEN_MAP[run] ?? TOKEN_MAP[ch];
      if (!token) throw new EvalError(`the pattern letter '${ch}' is not supported for parsing ('${pattern}')`);
      out += token;
      i = j;
      continue;
    }
    out += ch;
    i++;
  }
  return out;
}

export function parseWithPattern(
  text: string,
  format: string,
  zone: Zone,
  locale = "en",
): { dt: DateTime; nanos: number } {
  const named = format.toLowerCase();
  let dt: DateTime;
  if (named === "rfc_1123_date_time") dt = DateTime.fromRFC2822(text, { zone, setZone: true });
  else if (named.startsWith("iso")) dt = DateTime.fromISO(text, { zone, setZone: true });
  else if (named === "sql" || named === "sql_seq") dt = DateTime.fromSQL(text, { zone });
  else dt = DateTime.fromFormat(text, toLuxon(format), { zone, locale, setZone: true });
  if (!dt.isValid)
    throw new EvalError(
      `'${text}' does not match the format '${format}': ${dt.invalidExplanation ?? dt.invalidReason}`,
    );
  return { dt, nanos: dt.millisecond * 1e6 };
}
