/** String filters: Pebble's (abbreviate, capitalize, title, trim, upper, lower, urlencode…) and Kestra's. */
import { EvalError } from "../errors.ts";
import type { FilterDef } from "../registry.ts";
import { isMap, JChar, javaToString } from "../values.ts";
import { setKey, type CallArgs, type CallContext } from "../evaluator.ts";
import { replaceAll } from "../regex.ts";
import { asText, filter, intArg, stringArg } from "./helpers.ts";

function javaTrim(s: string): string {
  return s.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, "");
}

/** java.net.URLEncoder with UTF-8: letters, digits, `.-*_` stay; space is `+`. */
export function urlEncode(text: string): string {
  return [...new TextEncoder().encode(text)]
    .map((b) => {
      const c = String.fromCharCode(b);
      if (/[A-Za-z0-9.\-*_]/.test(c)) return c;
      if (c === " ") return "+";
      return `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
    })
    .join("");
}

/** `amount` copies of `prefix`, refused before it is built when it would pass the output limit. */
function indentPrefix(args: CallArgs, ctx: CallContext): string {
  const unit = stringArg(args, "prefix", 1, " ");
  const amount = intArg(args, "amount", 0);
  if (amount * unit.length > ctx.limits.maxOutputSize) throw new EvalError(`an indent of ${amount} exceeds the output limit of ${ctx.limits.maxOutputSize} characters`);
  return unit.repeat(Math.max(0, amount));
}

function urlDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, " "));
  } catch {
    throw new EvalError(`'${text}' is not URL-encoded text`);
  }
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
    const sep = stringArg(args, "separator", 0);
    // commons-lang3 StringUtils semantics, including the empty separator
    switch (kind) {
      case "before":
        return sep === "" ? "" : text.includes(sep) ? text.slice(0, text.indexOf(sep)) : text;
      case "after":
        return text.includes(sep) ? text.slice(text.indexOf(sep) + sep.length) : "";
      case "beforeLast":
        return sep === "" || !text.includes(sep) ? text : text.slice(0, text.lastIndexOf(sep));
      case "afterLast":
        return sep === "" || !text.includes(sep) ? "" : text.slice(text.lastIndexOf(sep) + sep.length);
    }
  });
}

const ESCAPES: Record<string, (s: string) => string> = {
  single: (s) => s.replace(/'/g, "\\'"),
  double: (s) => s.replace(/"/g, '\\"'),
  shell: (s) => s.replace(/'/g, "'\\''"),
};

function mapStrings(value: unknown, fn: (s: string) => string): unknown {
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, fn));
  if (isMap(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) setKey(out, k, mapStrings(v, fn));
    return out;
  }
  return value === null || value === undefined ? value : fn(asText(value));
}

export const stringFilters: Record<string, FilterDef> = {
  upper: filter((input) => (input === null || input === undefined ? null : asText(input).toUpperCase())),
  lower: filter((input) => (input === null || input === undefined ? null : asText(input).toLowerCase())),
  trim: filter((input) => (input === null || input === undefined ? null : javaTrim(asText(input)))),
  capitalize: filter((input) => {
    if (input === null || input === undefined) return null;
    const text = asText(input);
    const i = text.search(/\S/);
    return i < 0 ? text : text.slice(0, i) + text[i]!.toUpperCase() + text.slice(i + 1);
  }),
  title: filter((input) => (input === null || input === undefined ? null : asText(input).replace(/(^|\s)(\S)/g, (_, s: string, c: string) => s + c.toUpperCase()))),
  abbreviate: filter((input, args) => {
    if (input === null || input === undefined) return null;
    const text = asText(input);
    const length = intArg(args, "length", 0);
    if (text.length < length) return text;
    return length <= 3 ? text.slice(0, length) : `${text.slice(0, length - 3)}...`;
  }),
  urlencode: filter((input) => (input === null || input === undefined ? null : urlEncode(asText(input)))),
  urldecode: filter((input) => (input === null || input === undefined ? null : urlDecode(asText(input)))),
  slugify: filter((input) => (input === null || input === undefined ? null : slugify(asText(input)))),
  startsWith: filter((input, args) => input !== null && input !== undefined && asText(input).startsWith(stringArg(args, "value", 0))),
  endsWith: filter((input, args) => input !== null && input !== undefined && asText(input).endsWith(stringArg(args, "value", 0))),
  substringBefore: substring("before"),
  substringAfter: substring("after"),
  substringBeforeLast: substring("beforeLast"),
  substringAfterLast: substring("afterLast"),
  escapeChar: filter((input, args) => {
    const type = stringArg(args, "type", 0).toLowerCase();
    const escape = ESCAPES[type];
    if (!escape) throw new EvalError(`escapeChar type must be one of single, double, shell (got '${type}')`);
    return mapStrings(input, escape);
  }),
  indent: filter((input, args, ctx) => {
    if (input === null || input === undefined) return "";
    const prefix = indentPrefix(args, ctx);
    return indentLines(asText(input), prefix, false);
  }),
  nindent: filter((input, args, ctx) => {
    if (input === null || input === undefined) return "";
    const text = asText(input);
    const prefix = indentPrefix(args, ctx);
    return lineSeparator(text) + indentLines(text, prefix, true);
  }),
  nl2br: filter((input) => (input === null || input === undefined ? null : asText(input).replace(/\r\n|\n|\r/g, "<br />"))),
  string: filter((input) => (input === null || input === undefined ? null : typeof input === "string" ? input : javaToString(input))),
  replace: filter((input, args, ctx) => {
    if (input === null || input === undefined) return null;
    const pairs = args.get("replace_pairs", 0);
    if (!isMap(pairs)) throw new EvalError("replace needs a map of replacements");
    const regexp = args.get("regexp", 1) === true;
    const apply = (s: string) => {
      let out = s;
      for (const [from, to] of Object.entries(pairs)) {
        const replacement = asText(to);
        out = regexp ? replaceAll(out, from, replacement, ctx.checkBudget) : out.split(from).join(replacement);
      }
      return out;
    };
    return mapStrings(input instanceof JChar ? input.char : input, apply);
  }),
};
