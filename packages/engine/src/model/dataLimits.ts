/**
 * Limits on user YAML and JSON as it becomes objects: how deep it nests, how many aliases it
 * expands (billion laughs, merge-key chains), how large a YAML text is, no recursive alias, and no key that reaches an
 * object's prototype (`__proto__`, `constructor`, `prototype`). Every parse of user data goes
 * through `parseYamlData`/`parseJsonData` or, for a value parsed elsewhere, `checkData`.
 *
 * The limits live here, set once from the instance configuration (`limits.*`).
 */
import { SakerError } from "@saker/sdk";
import { parseDocument, type Document, type DocumentOptions, type ParseOptions, type SchemaOptions } from "yaml";

export interface DataLimits {
  /** Deepest nesting of maps and lists. */
  maxDepth: number;
  /** Alias expansions allowed in one YAML document (the `yaml` package's `maxAliasCount`). */
  maxAliases: number;
  /**
   * Largest YAML text parsed, in bytes: YAML parses far slower than JSON and blocks the event
   * loop meanwhile. JSON is bounded by the request size only.
   */
  maxYamlBytes: number;
  /** Largest flow source accepted (HTTP 413 `FLOW_TOO_LARGE` above it). */
  maxFlowBytes: number;
}

export const DEFAULT_DATA_LIMITS: Readonly<DataLimits> = {
  maxDepth: 200,
  maxAliases: 100,
  maxYamlBytes: 8 * 1024 * 1024,
  maxFlowBytes: 8 * 1024 * 1024,
};

let limits: DataLimits = { ...DEFAULT_DATA_LIMITS };

/** Sets the limits of this process (from `limits.*` in the configuration). */
export function setDataLimits(next: Partial<DataLimits>): void {
  limits = { ...DEFAULT_DATA_LIMITS, ...next };
}

export function dataLimits(): Readonly<DataLimits> {
  return limits;
}

/** The limits on a text's size, in bytes. */
export type SizeLimit = "maxYamlBytes" | "maxFlowBytes";

/**
 * Whether a text is within these size limits: its UTF-8 bytes, counted only when its length
 * (never more than its bytes) is within them.
 */
export function withinSizeLimits(text: string, ...names: [SizeLimit, ...SizeLimit[]]): boolean {
  const max = Math.min(...names.map((name) => limits[name]));
  return text.length <= max && Buffer.byteLength(text) <= max;
}

export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/** Whether an error is one of these limits (an HTTP 400 or 413 of its own, never folded into other problems). */
export function isDataLimitError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "DATA_LIMIT_EXCEEDED" || code === "DATA_KEY_FORBIDDEN" || code === "FLOW_TOO_LARGE";
}

/** User data over a limit: HTTP 400, the message naming the limit. */
function limitError(what: string, message: string, limit?: string): SakerError {
  return new SakerError("DATA_LIMIT_EXCEEDED", `${what}: ${message}`, limit ? { details: { limit } } : {});
}

function keyPath(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  return /^[A-Za-z_$][\w$-]*$/.test(key) ? (path ? `${path}.${key}` : key) : `${path}[${JSON.stringify(key)}]`;
}

/**
 * Checks parsed data: depth within the limit, no cycle (a recursive alias), no forbidden key.
 * Recursion is bounded by `maxDepth`, so this never overflows the stack.
 */
export function checkData(value: unknown, what: string): void {
  const { maxDepth } = limits;
  const ancestors = new Set<object>();
  const visit = (node: unknown, path: string, depth: number): void => {
    if (typeof node !== "object" || node === null) return;
    if (depth > maxDepth)
      throw limitError(
        what,
        `nested deeper than ${maxDepth} levels at ${path || "(root)"} (limit maxDepth = ${maxDepth})`,
        "maxDepth",
      );
    if (ancestors.has(node))
      throw limitError(what, `a recursive alias at ${path || "(root)"} refers to itself`, "recursion");
    ancestors.add(node);
    if (Array.isArray(node)) node.forEach((item, i) => visit(item, keyPath(path, i), depth + 1));
    else if (!(node instanceof Date) && !Buffer.isBuffer(node)) {
      for (const key of Object.keys(node)) {
        const at = keyPath(path, key);
        if (FORBIDDEN_KEYS.has(key))
          throw new SakerError(
            "DATA_KEY_FORBIDDEN",
            `${what}: the key '${key}' at ${at} is not allowed (${[...FORBIDDEN_KEYS].join(", ")} are refused)`,
            { path: at },
          );
        visit((node as Record<string, unknown>)[key], at, depth + 1);
      }
    }
    ancestors.delete(node);
  };
  visit(value, "", 0);
}

/** Deepest bracket nesting of JSON text, stopping once past `max` (strings skipped). */
function jsonDepthOver(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash escapes the next character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > max) return true;
    } else if (c === 93 || c === 125) depth--;
  }
  return false;
}

/** `JSON.parse` within the limits; `what` names the data in messages. Syntax errors are SyntaxErrors. */
export function parseJsonData(text: string, what: string): unknown {
  const { maxDepth } = limits;
  if (jsonDepthOver(text, maxDepth + 1))
    throw limitError(what, `nested deeper than ${maxDepth} levels (limit maxDepth = ${maxDepth})`, "maxDepth");
  const value: unknown = JSON.parse(text);
  checkData(value, what);
  return value;
}

const STACK_OVERFLOW = /Maximum call stack size exceeded/;

function depthError(what: string): SakerError {
  return limitError(what, `nested deeper than the parser can follow (limit maxDepth = ${limits.maxDepth})`, "maxDepth");
}

type YamlOptions = DocumentOptions & ParseOptions & SchemaOptions;

/** Parses YAML into a document, turning a parser stack overflow into the depth limit. */
export function parseYamlDocument(text: string, what: string, options: YamlOptions = {}): Document {
  if (!withinSizeLimits(text, "maxYamlBytes")) {
    const { maxYamlBytes } = limits;
    throw limitError(
      what,
      `YAML text larger than ${maxYamlBytes} bytes (limit maxYamlBytes = ${maxYamlBytes})`,
      "maxYamlBytes",
    );
  }
  let doc: Document;
  try {
    doc = parseDocument(text, options);
  } catch (error) {
    if (error instanceof RangeError) throw depthError(what);
    throw error;
  }
  if (doc.errors.some((e) => STACK_OVERFLOW.test(e.message))) throw depthError(what);
  return doc;
}

/** The value of a parsed document within the alias, depth and key limits. */
export function yamlDocumentValue(doc: Document, what: string): unknown {
  const { maxAliases } = limits;
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: maxAliases });
  } catch (error) {
    if (error instanceof ReferenceError && /alias/i.test(error.message)) {
      throw limitError(
        what,
        `too many alias expansions (limit maxAliases = ${maxAliases}); a YAML alias bomb is refused`,
        "maxAliases",
      );
    }
    if (error instanceof RangeError) throw depthError(what);
    throw error;
  }
  checkData(value, what);
  return value;
}

/** YAML text to data within the limits; a syntax error throws YAML_INVALID naming `what`. */
export function parseYamlData(text: string, what: string): unknown {
  const doc = parseYamlDocument(text, what);
  if (doc.errors.length > 0)
    throw new SakerError("YAML_INVALID", `Invalid YAML in ${what}: ${doc.errors[0]!.message.split("\n")[0]}`);
  return yamlDocumentValue(doc, what);
}
