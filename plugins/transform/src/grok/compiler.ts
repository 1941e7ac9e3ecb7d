/**
 * Grok expressions compiled to JavaScript regular expressions. `%{NAME}` is replaced by the
 * named pattern (recursively), `%{NAME:field}` captures it as `field`, `%{NAME:field:int}` also
 * converts the capture (int, long, short, float, double, boolean; string and duration keep the
 * text), and `(?<field>…)` groups of the expression capture too. Without `namedCapturesOnly`, a
 * bare `%{NAME}` captures as `NAME`. Every capture group gets an internal name (`g0`, `g1`…), so a
 * field may be captured by several groups (the first that took part in the match gives its value)
 * and may be any text.
 */
import { NonRetryableError } from "@saker/sdk";
import { badProperty } from "../errors.ts";

/** What a capture is converted to. */
export type CaptureType = "string" | "int" | "float" | "boolean";

const TYPES: Readonly<Record<string, CaptureType>> = {
  string: "string",
  int: "int",
  integer: "int",
  long: "int",
  short: "int",
  float: "float",
  double: "float",
  boolean: "boolean",
  bool: "boolean",
  // Kestra's DURATION: the captured text (an ISO-8601 duration such as PT5S) is kept as it is
  duration: "string",
};

interface Group {
  /** The group's name in the regular expression. */
  key: string;
  field: string;
  type: CaptureType;
}

/** One compiled grok expression. */
export interface GrokMatcher {
  /** The regular expression it became. */
  readonly regex: RegExp;
  /** Types named in `%{NAME:field:type}` that are not known (the capture stays a string, as in Kestra). */
  readonly unknownTypes: readonly string[];
  /** The captures of the first match in `text`, field → value; undefined when it does not match. */
  captures(text: string): Record<string, unknown> | undefined;
  /** The captures of a match whose named groups are `groups` (the `groups` of `regex.exec`), field → value. */
  fromGroups(groups: Readonly<Record<string, string | undefined>>): Record<string, unknown>;
}

const REFERENCE = /%\{(\w+)(?::([^:}]+))?(?::(\w+))?\}/y;
const GROUP_NAME = /\(\?P?<([^>=!][^>]*)>/y;

interface Expansion {
  definitions: Readonly<Record<string, string>>;
  namedCapturesOnly: boolean;
  /** The property the expression came from, for errors. */
  property: string;
  groups: Group[];
  keysByField: Map<string, string[]>;
  unknownTypes: Set<string>;
}

function addGroup(x: Expansion, field: string, type: CaptureType): string {
  const key = `g${x.groups.length}`;
  x.groups.push({ key, field, type });
  const keys = x.keysByField.get(field);
  if (keys) keys.push(key);
  else x.keysByField.set(field, [key]);
  return key;
}

function typeOf(x: Expansion, name: string | undefined): CaptureType {
  if (name === undefined) return "string";
  const type = TYPES[name.toLowerCase()];
  if (type) return type;
  x.unknownTypes.add(name);
  return "string";
}

/** Expands the references and renames the groups of `text`; `stack` holds the names being expanded. */
function expand(text: string, x: Expansion, stack: readonly string[]): string {
  let out = "";
  let inClass = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "\\") {
      if (!inClass && text.startsWith("\\k<", i)) {
        const end = text.indexOf(">", i);
        const name = text.slice(i + 3, end);
        const key = end > 0 ? x.keysByField.get(name)?.[0] : undefined;
        if (!key) throw badProperty(x.property, `refers back to '\\k<${name}>', which no earlier group captures`);
        out += `\\k<${key}>`;
        i = end + 1;
        continue;
      }
      out += text.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (inClass) {
      if (c === "]") inClass = false;
      out += c;
      i++;
      continue;
    }
    if (c === "[") {
      inClass = true;
      out += c;
      i++;
      if (text[i] === "^") out += text[i++];
      // `[]…]`: a leading `]` is a member of the class, as in Oniguruma
      if (text[i] === "]") {
        out += "\\]";
        i++;
      }
      continue;
    }
    if (c === "%" && text[i + 1] === "{") {
      REFERENCE.lastIndex = i;
      const ref = REFERENCE.exec(text);
      if (!ref) throw badProperty(x.property, `has a malformed grok reference at '${text.slice(i, i + 30)}'`);
      out += reference(ref[1]!, ref[2], ref[3], x, stack);
      i += ref[0].length;
      continue;
    }
    if (c === "(" && text[i + 1] === "?") {
      GROUP_NAME.lastIndex = i;
      const named = GROUP_NAME.exec(text);
      if (named) {
        out += `(?<${addGroup(x, named[1]!, "string")}>`;
        i += named[0].length;
        continue;
      }
    }
    out += c;
    i++;
  }
  return out;
}

function reference(
  name: string,
  field: string | undefined,
  type: string | undefined,
  x: Expansion,
  stack: readonly string[],
): string {
  const definition = Object.hasOwn(x.definitions, name) ? x.definitions[name] : undefined;
  if (definition === undefined) {
    const where = stack.length ? ` (used by pattern ${stack.join(" → ")})` : "";
    throw badProperty(
      x.property,
      `uses the unknown grok pattern '${name}'${where}: define it in patternDefinitions, or use a standard name such as WORD, NOTSPACE, INT, NUMBER, IP, TIMESTAMP_ISO8601 or GREEDYDATA`,
    );
  }
  if (stack.includes(name))
    throw badProperty(
      x.property,
      `uses grok pattern '${name}', which refers to itself: ${[...stack, name].join(" → ")}`,
    );
  const capture = field ?? (x.namedCapturesOnly ? undefined : name);
  // The group is named before the inner ones: their order is the order of the fields.
  const key = capture === undefined ? undefined : addGroup(x, capture, typeOf(x, type));
  const inner = expand(definition, x, [...stack, name]);
  return key === undefined ? `(?:${inner})` : `(?<${key}>${inner})`;
}

/** The JavaScript regular expression of `source`: Unicode-aware when it allows it, else as written. */
function toRegExp(source: string, property: string): RegExp {
  let flags = "";
  let body = source;
  // Oniguruma's `(?i)` at the start: JavaScript has the `i` flag instead.
  if (body.startsWith("(?i)")) {
    flags = "i";
    body = body.slice(4);
  }
  try {
    return new RegExp(body, `${flags}u`);
  } catch {
    try {
      return new RegExp(body, flags);
    } catch (error) {
      const reason = (error as Error).message.split(": ").pop();
      throw badProperty(property, `is not a valid regular expression once its grok patterns are expanded: ${reason}`);
    }
  }
}

function convert(text: string, type: CaptureType, field: string): unknown {
  if (type === "string") return text;
  const trimmed = text.trim();
  if (trimmed === "") return null;
  if (type === "boolean") {
    if (/^true$/i.test(trimmed)) return true;
    if (/^false$/i.test(trimmed)) return false;
  } else {
    const n = Number(trimmed);
    if (Number.isFinite(n)) return type === "int" ? Math.trunc(n) : n;
  }
  throw new NonRetryableError(`grok field '${field}' captured '${text.slice(0, 80)}', which is not a ${type}`);
}

/**
 * Compiles a grok expression with the pattern `definitions`. Errors (an unknown pattern name, a
 * pattern that refers to itself, an invalid regular expression) name `property`.
 */
export function compileGrok(
  expression: string,
  definitions: Readonly<Record<string, string>>,
  namedCapturesOnly: boolean,
  property: string,
): GrokMatcher {
  const x: Expansion = {
    definitions,
    namedCapturesOnly,
    property,
    groups: [],
    keysByField: new Map(),
    unknownTypes: new Set(),
  };
  const regex = toRegExp(expand(expression, x, []), property);
  const fields = [...x.keysByField.keys()];
  const typeByKey = new Map(x.groups.map((g) => [g.key, g.type]));
  const fromGroups = (groups: Readonly<Record<string, string | undefined>>) =>
    // entries, not assignments: a field may be named like an Object property (`__proto__`)
    Object.fromEntries(
      fields.map((field) => {
        const keys = x.keysByField.get(field)!;
        const key = keys.find((k) => groups[k] !== undefined);
        const value =
          key === undefined
            ? convert("", typeByKey.get(keys[0]!)!, field)
            : convert(groups[key]!, typeByKey.get(key)!, field);
        return [field, value];
      }),
    );
  return {
    regex,
    unknownTypes: [...x.unknownTypes],
    fromGroups,
    captures(text) {
      const match = regex.exec(text);
      return match ? fromGroups(match.groups ?? {}) : undefined;
    },
  };
}
