/**
 * Regular expressions written by users (flow authors, API callers) run on RE2 (the `re2js`
 * port): matching takes time linear in the input whatever the pattern, so `^(a+)+$` cannot stall
 * the event loop. RE2 reads Java's syntax for everything but backreferences, lookaround and
 * possessive or atomic groups; a pattern using those is refused with a clear error rather than run
 * on a backtracking engine. Replacement strings follow Java's `Matcher.replaceAll` (`$1`, `${name}`,
 * `\$`), as Pebble does. Import it as `@saker/sdk/regex` (plugins that do not use it never load RE2).
 */
import { RE2JS } from "re2js";
import { SakerError } from "./errors.ts";
import { Lru } from "./lru.ts";

/** `text` cut to `max` characters (with an ellipsis) for an error message. */
const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);

export class RegexError extends SakerError {
  static override readonly kind: string = "RegexError";
  /** What is wrong, without the pattern: RE2's reason, after a word on RE2 when it is unsupported syntax. */
  readonly problem: string;
  constructor(pattern: string, reason: string, unsupported: boolean) {
    const shown = cut(pattern, 120);
    const problem = unsupported
      ? `uses syntax the linear-time regex engine (RE2) does not support (backreferences, lookaround, possessive or atomic groups): ${reason}`
      : reason;
    super(
      unsupported ? "REGEX_UNSUPPORTED" : "REGEX_INVALID",
      unsupported ? `The regular expression '${shown}' ${problem}` : `Invalid regular expression '${shown}': ${reason}`,
      { details: { pattern: shown } },
    );
    this.problem = problem;
  }
}

/** RE2's messages for syntax it knows but refuses (rather than plain mistakes). */
const UNSUPPORTED =
  /invalid or unsupported Perl syntax|invalid escape sequence: `\\[1-9kK]|invalid named capture: `\(\?<[=!]|invalid nested repetition operator: `[*+?}]\+/;

/** Compiled patterns by flags and text. */
const cache = new Lru<string, RE2JS>(500);

/** How {@link userRegex} reads a pattern. */
export interface RegexOptions {
  /** `.` matches line breaks too (Java's `DOTALL`). */
  dotAll?: boolean;
  /** Letters match either case (Java's `CASE_INSENSITIVE`). */
  caseInsensitive?: boolean;
}

/**
 * Java's escapes RE2 spells otherwise: `\uXXXX` (a UTF-16 unit) and `\cX` (a control character)
 * become `\x{…}`; the rest (`\\u`, an escaped backslash before a `u`, and `\Q…\E`) is kept as written.
 */
function javaEscapes(pattern: string): string {
  if (!/\\[uc]/.test(pattern)) return pattern;
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c !== "\\") {
      out += c;
      continue;
    }
    const next = pattern[i + 1];
    const hex = pattern.slice(i + 2, i + 6);
    if (next === "Q") {
      // quoted up to \\E: literal, as written
      const end = pattern.indexOf("\\E", i + 2);
      const to = end < 0 ? pattern.length : end + 2;
      out += pattern.slice(i, to);
      i = to - 1;
    } else if (next === "u" && /^[0-9A-Fa-f]{4}$/.test(hex)) {
      out += `\\x{${hex}}`;
      i += 5;
    } else if (next === "c" && i + 2 < pattern.length) {
      out += `\\x{${(pattern.charCodeAt(i + 2) ^ 64).toString(16)}}`;
      i += 2;
    } else {
      out += c + (next ?? "");
      i++;
    }
  }
  return out;
}

/** Compiles a user pattern (cached); throws a `RegexError` naming the pattern when RE2 refuses it. */
export function userRegex(pattern: string, options: RegexOptions = {}): RE2JS {
  const flags = (options.dotAll ? RE2JS.DOTALL : 0) | (options.caseInsensitive ? RE2JS.CASE_INSENSITIVE : 0);
  const key = `${flags}:${pattern}`;
  let compiled = cache.get(key);
  if (compiled) return compiled;
  try {
    compiled = RE2JS.compile(javaEscapes(pattern), flags);
  } catch (error) {
    // RE2JS quotes the pattern with its flags prefixed, `(?s)…`: quoted as the user wrote it
    let reason = (error as Error).message.replace(/^error parsing regexp: /, "");
    if (flags !== 0) reason = reason.replace(/`\(\?[is]+\)/, "`");
    throw new RegexError(pattern, reason, UNSUPPORTED.test(reason));
  }
  cache.set(key, compiled);
  return compiled;
}

/**
 * Whether a `*`/`?` wildcard matches the whole of `text` (`*` any run of characters, `?` one, the
 * rest literal), on RE2: `*a*a*a*a*a*a*a*a*b` against a long name would hold a backtracking
 * engine for minutes. `options` as {@link userRegex} (`dotAll` lets `*` and `?` take line breaks).
 */
export function wildcardMatch(text: string, pattern: string, options: RegexOptions = {}): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\*?]/g, (c) => (c === "*" ? ".*" : c === "?" ? "." : `\\${c}`));
  return userRegex(source, options).testExact(text);
}

/** Whether `pattern` matches the whole of `text` (Java's `String.matches`). */
export function fullMatch(pattern: string, text: string): boolean {
  return userRegex(pattern).testExact(text);
}

/** Calls `onMatch(start, end)` for each match of `pattern` in `text`, in order, until it returns false; `tick` runs between matches. */
export function eachMatch(
  pattern: string,
  text: string,
  onMatch: (start: number, end: number, group: (n: number | string) => string | null) => boolean,
  tick: () => void = () => {},
): void {
  const matcher = userRegex(pattern).matcher(text);
  while (matcher.find()) {
    tick();
    if (onMatch(matcher.start(), matcher.end(), (n) => matcher.group(n)) === false) return;
  }
}

/** Expands a Java replacement string (`$1`, `${name}`, `\x` for a literal x) for one match. */
function expand(replacement: string, group: (n: number | string) => string | null, groupCount: number): string {
  let out = "";
  for (let i = 0; i < replacement.length; i++) {
    const c = replacement[i]!;
    if (c === "\\") {
      if (++i >= replacement.length)
        throw new SakerError("REGEX_REPLACEMENT", "character to be escaped is missing in the replacement");
      out += replacement[i];
    } else if (c === "$") {
      if (replacement[i + 1] === "{") {
        const close = replacement.indexOf("}", i + 2);
        if (close < 0)
          throw new SakerError("REGEX_REPLACEMENT", "named capturing group is missing trailing '}' in the replacement");
        out += group(replacement.slice(i + 2, close)) ?? "";
        i = close;
        continue;
      }
      let j = i + 1;
      if (!/\d/.test(replacement[j] ?? ""))
        throw new SakerError("REGEX_REPLACEMENT", `illegal group reference in the replacement '${replacement}'`);
      let n = Number(replacement[j]);
      if (n > groupCount) throw new SakerError("REGEX_REPLACEMENT", `no group ${n} in the pattern`);
      while (/\d/.test(replacement[j + 1] ?? "") && n * 10 + Number(replacement[j + 1]) <= groupCount)
        n = n * 10 + Number(replacement[++j]);
      out += group(n) ?? "";
      i = j;
    } else out += c;
  }
  return out;
}

/** Java's `String.replaceAll(pattern, replacement)`; `tick` runs between matches (a time budget). */
export function replaceAll(text: string, pattern: string, replacement: string, tick?: () => void): string {
  const groups = userRegex(pattern).groupCount();
  const parts: string[] = [];
  let last = 0;
  eachMatch(
    pattern,
    text,
    (start, end, group) => {
      parts.push(text.slice(last, start), expand(replacement, group, groups));
      last = end;
      return true;
    },
    tick,
  );
  parts.push(text.slice(last));
  return parts.join("");
}
