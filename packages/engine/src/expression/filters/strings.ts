/** String filters: Pebble's (abbreviate, capitalize, title, trim, upper, lower, urlencode…) and Kestra's. */
import { EvalError } from "../errors.ts";
import type { FilterDef } from "../registry.ts";
import { isMap, JChar, javaToString } from "../values.ts";
import { describe, setKey } from "../evaluator.ts";
import type { CallArgs, CallContext } from "../registry.ts";
import { replaceAll } from "../../model/regex.ts";
import { asText, castString, filter, longArg, stringArg, stringInput } from "./helpers.ts";
import { hashMapOrder } from "./javaHashMap.ts";

/** Kestra's startsWith/endsWith call `toString()` on the input: null is an error. */
function nonNull(input: unknown, name: string): string {
  if (input === null || input === undefined) throw new EvalError(`the '${name}' filter cannot be applied to null`);
  return asText(input);
}

function javaTrim(s: string): string {
  return s.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, "");
}

/** Java's Character.isWhitespace (not the no-break spaces U+00A0, U+2007, U+202F, unlike JS `\s`). */
const JAVA_WHITESPACE = /[\t\n\u000B\f\r\u001C-\u001F \u1680\u2000-\u2006\u2008-\u200A\u2028\u2029\u205F\u3000]/;

/** Java's Character.toTitleCase of one UTF-16 unit: the digraphs have a title form, ß and ligatures stay. */
function titleCaseChar(c: string): string {
  const code = c.charCodeAt(0);
  if (code >= 0x1c4 && code <= 0x1cc) return String.fromCharCode(0x1c5 + 3 * Math.floor((code - 0x1c4) / 3));
  if (code >= 0x1f1 && code <= 0x1f3) return "\u01F2";
  const upper = c.toUpperCase();
  return upper.length === 1 ? upper : c;
}

/** Pebble's title (every letter after whitespace) or capitalize (the first non-whitespace one). */
function titleCase(text: string, all: boolean): string {
  let out = "";
  let next = true;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (JAVA_WHITESPACE.test(c)) {
      next = true;
      out += c;
    } else if (next) {
      out += titleCaseChar(c);
      next = false;
      if (!all) return out + text.slice(i + 1);
    } else out += c;
  }
  return out;
}

/** java.net.URLEncoder with UTF-8: letters, digits, `.-*_` stay; space is `+`; a lone surrogate is `?`. */
export function urlEncode(text: string): string {
  return [
    ...new TextEncoder().encode(
      text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "?"),
    ),
  ]
    .map((b) => {
      const c = String.fromCharCode(b);
      if (/[A-Za-z0-9.\-*_]/.test(c)) return c;
      if (c === " ") return "+";
      return `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
    })
    .join("");
}

/** `amount` copies of `prefix`, refused before it is built when it would pass the output limit. */
function indentPrefix(args: CallArgs, ctx: CallContext, name: string): string {
  const unit = args.has("prefix", 1) ? castString(args, "prefix", 1) : " ";
  if (unit === null) throw new EvalError("the indent prefix cannot be null");
  const amount = longArg(args, "amount", 0);
  if (amount < 0) throw new EvalError(`the '${name}' filter needs an amount of 0 or more, got ${amount}`);
  if (amount * unit.length > ctx.limits.maxOutputSize)
    throw new EvalError(`an indent of ${amount} exceeds the output limit of ${ctx.limits.maxOutputSize} characters`);
  return unit.repeat(Math.max(0, amount));
}

/** java.net.URLDecoder with UTF-8: `+` is a space, `%XX` runs are UTF-8 bytes (bad ones become U+FFFD). */
function urlDecode(text: string): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c !== "%") {
      out += c === "+" ? " " : c;
      i++;
      continue;
    }
    const bytes: number[] = [];
    while (i + 2 < text.length && text[i] === "%") {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[+-]?[0-9A-Fa-f]+$/.test(hex) || Number.parseInt(hex, 16) < 0)
        throw new EvalError(`'${text}' is not URL-encoded text: bad escape '%${hex}'`);
      bytes.push(Number.parseInt(hex, 16));
      i += 3;
    }
    if (i < text.length && text[i] === "%")
      throw new EvalError(`'${text}' is not URL-encoded text: incomplete escape at the end`);
    out += new TextDecoder("utf-8").decode(new Uint8Array(bytes));
  }
  return out;
}

/** Kestra's Slugify: ASCII, whitespace and `_` to `-`, other punctuation dropped, lower case. */
export function slugify(text: string): string {
  return text
    .normalize("NFD")
    .replace(/[^\x00-\x7F]/g, "")
    .replace(/[\s_]+/g, "-")
    .replace(/[^A-Za-z0-9-]/g, "")
    .replace(/-+/g, "-")
    .replace(/^-|-$/g, "")
    .toLowerCase();
}

function lineSeparator(text: string): string {
  if (text.includes("\r\n")) return "\r\n";
  if (text.includes("\n\r")) return "\n\r";
  if (text.includes("\n")) return "\n";
  if (text.includes("\r")) return "\r";
  return "\n";
}

function indentLines(text: string, prefix: string, first: boolean): string {
  const sep = lineSeparator(text);
  const lines = text.split(sep);
  return lines.map((line, i) => (i === 0 && !first ? line : prefix + line)).join(sep);
}

function substring(kind: "before" | "after" | "beforeLast" | "afterLast"): FilterDef {
  return filter((input, args) => {
    if (input === null || input === undefined) return null;
    const text = asText(input);
    if (!args.has("separator", 0))
      throw new EvalError(`the 'substring${kind[0]!.toUpperCase()}${kind.slice(1)}' filter needs a separator`);
    const given = args.get("separator", 0);
    const sep = given === null || given === undefined ? null : castString(args, "separator", 0);
    // commons-lang3 StringUtils semantics, including the empty and the null separator
    if (text === "") return text;
    switch (kind) {
      case "before":
        return sep === null ? text : sep === "" ? "" : text.includes(sep) ? text.slice(0, text.indexOf(sep)) : text;
      case "after":
        return sep === null ? "" : text.includes(sep) ? text.slice(text.indexOf(sep) + sep.length) : "";
      case "beforeLast":
        return !sep || !text.includes(sep) ? text : text.slice(0, text.lastIndexOf(sep));
      case "afterLast":
        return !sep || !text.includes(sep) ? "" : text.slice(text.lastIndexOf(sep) + sep.length);
    }
  });
}

const ESCAPES: Record<string, (s: string) => string> = {
  single: (s) => s.replace(/'/g, "\\'"),
  double: (s) => s.replace(/"/g, '\\"'),
  shell: (s) => s.replace(/'/g, "'\\''"),
};

/**
 * Kestra's replace/escapeChar walk: lists and maps are rebuilt (a map as a HashMap, so in hash
 * order), every other item becomes a string; a null item is an error, as in Kestra.
 */
function mapStrings(value: unknown, fn: (s: string) => string): unknown {
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, fn));
  if (isMap(value)) {
    const out: Record<string, unknown> = {};
    for (const k of hashMapOrder(Object.keys(value))) setKey(out, k, mapStrings(value[k], fn));
    return out;
  }
  if (value === null || value === undefined) throw new EvalError("a null item cannot be escaped or replaced");
  return fn(asText(value));
}

export const stringFilters: Record<string, FilterDef> = {
  upper: filter((input) => (input === null || input === undefined ? null : asText(input).toUpperCase())),
  lower: filter((input) => (input === null || input === undefined ? null : asText(input).toLowerCase())),
  trim: filter((input) => (input === null || input === undefined ? null : javaTrim(stringInput(input, "trim")))),
  capitalize: filter((input) =>
    input === null || input === undefined ? null : titleCase(stringInput(input, "capitalize"), false),
  ),
  title: filter((input) =>
    input === null || input === undefined ? null : titleCase(stringInput(input, "title"), true),
  ),
  abbreviate: filter((input, args) => {
    if (input === null || input === undefined) return null;
    const text = stringInput(input, "abbreviate");
    const length = longArg(args, "length", 0);
    if (length < 0) throw new EvalError(`the 'abbreviate' filter needs a length of 0 or more, got ${length}`);
    // Pebble returns a text of 3 characters or fewer whole, whatever the length
    if (text.length < length || text.length <= 3) return text;
    return length <= 3 ? text.slice(0, length) : `${text.slice(0, length - 3)}...`;
  }),
  urlencode: filter((input) =>
    input === null || input === undefined ? null : urlEncode(stringInput(input, "urlencode")),
  ),
  urldecode: filter((input) =>
    input === null || input === undefined ? null : urlDecode(stringInput(input, "urldecode")),
  ),
  slugify: filter((input) => (input === null || input === undefined ? null : slugify(asText(input)))),
  startsWith: filter((input, args) => nonNull(input, "startsWith").startsWith(stringArg(args, "value", 0))),
  endsWith: filter((input, args) => nonNull(input, "endsWith").endsWith(stringArg(args, "value", 0))),
  substringBefore: substring("before"),
  substringAfter: substring("after"),
  substringBeforeLast: substring("beforeLast"),
  substringAfterLast: substring("afterLast"),
  escapeChar: filter((input, args) => {
    if (input === null || input === undefined) return null;
    const type = stringArg(args, "type", 0).toLowerCase();
    const escape = ESCAPES[type];
    if (!escape) throw new EvalError(`escapeChar type must be one of single, double, shell (got '${type}')`);
    return mapStrings(input, escape);
  }),
  indent: filter((input, args, ctx) => {
    if (input === null || input === undefined) return null;
    const text = asText(input);
    if (text === "") return text;
    const prefix = indentPrefix(args, ctx, "indent");
    return indentLines(text, prefix, false);
  }),
  nindent: filter((input, args, ctx) => {
    if (input === null || input === undefined) return null;
    const text = asText(input);
    if (text === "") return text;
    const prefix = indentPrefix(args, ctx, "nindent");
    return lineSeparator(text) + indentLines(text, prefix, true);
  }),
  nl2br: filter((input) =>
    input === null || input === undefined ? null : asText(input).replace(/\r\n|\n|\r/g, "<br />"),
  ),
  string: filter((input) =>
    input === null || input === undefined ? null : typeof input === "string" ? input : javaToString(input),
  ),
  replace: filter((input, args, ctx) => {
    if (input === null || input === undefined) return null;
    const pairs = args.get("replace_pairs", 0);
    if (!isMap(pairs)) throw new EvalError("replace needs a map of replacements");
    const flag = args.get("regexp", 1);
    if (flag !== undefined && flag !== null && typeof flag !== "boolean")
      throw new EvalError(`the argument 'regexp' must be true or false, got ${describe(flag)}`);
    const regexp = flag === true;
    const apply = (s: string) => {
      let out = s;
      for (const [from, to] of Object.entries(pairs)) {
        const replacement = asText(to);
        // Java's String.replace: an empty target matches between every character and at both ends
        out = regexp ? replaceAll(out, from, replacement, ctx.checkBudget) : out.replaceAll(from, () => replacement);
      }
      return out;
    };
    return mapStrings(input instanceof JChar ? input.char : input, apply);
  }),
};
