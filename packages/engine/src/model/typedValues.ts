/**
 * Parsing a value into one of Kestra's input/output types (INT, DATETIME, JSON…) and checking
 * the type's constraints (min, max, pattern, values…). Messages follow Kestra's wording.
 */
import { formatDuration, isDuration, isSakerError, parseDuration } from "@saker/sdk";
import { checkData, parseJsonData, parseYamlData } from "./dataLimits.ts";
import { fullMatch } from "./regex.ts";

export const INPUT_TYPES = [
  "STRING",
  "ENUM",
  "SELECT",
  "MULTISELECT",
  "INT",
  "FLOAT",
  "BOOLEAN",
  "BOOL",
  "DATETIME",
  "DATE",
  "TIME",
  "DURATION",
  "FILE",
  "JSON",
  "YAML",
  "URI",
  "SECRET",
  "ARRAY",
  "EMAIL",
] as const;
export type InputType = (typeof INPUT_TYPES)[number];

const URI_PATTERN =
  /^[a-z]+:\/\/(?:www\.)?[-a-zA-Z0-9@:%._+~#=]{1,256}\.[a-zA-Z0-9()]{1,6}\b(?:[-a-zA-Z0-9()@:%_+.~#?&/=]*)$/;
const EMAIL_PATTERN = /^$|^[a-zA-Z0-9_!#$%&’*+/=?`{|}~^.-]+@[a-zA-Z0-9.-]+$/;
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_PATTERN = /^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?$/;
const INSTANT_PATTERN = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-](\d{2}):?(\d{2}))$/i;

/** `YYYY-MM-DD` naming a real day: no February 30th, no month 13 (Java's `LocalDate.parse`). */
export function isCalendarDate(text: string): boolean {
  const match = DATE_PATTERN.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** `HH:mm[:ss[.fraction]]` within the day (Java's `LocalTime.parse`). */
function isTimeOfDay(text: string): boolean {
  return TIME_PATTERN.test(text);
}

/** An ISO-8601 instant with an offset whose every field is in range (Java's `Instant.parse`), never shifted. */
export function isInstant(text: string): boolean {
  const match = INSTANT_PATTERN.exec(text);
  if (!match) return false;
  const offsetOk = match[4] === undefined || (Number(match[4]) <= 18 && Number(match[5]) <= 59);
  return isCalendarDate(match[1]!) && isTimeOfDay(match[2]!) && offsetOk && !Number.isNaN(Date.parse(text));
}

/** A value that does not fit its type or constraints; `message` is Kestra's middle part. */
export class TypedValueError extends Error {
  override readonly name = "TypedValueError";
}

export interface ParseOptions {
  itemType?: string;
  /** Encrypts SECRET values (they are stored encrypted). */
  encrypt?: (plain: string) => string;
  /** Stores a FILE value that is not yet a `kestra://` URI; returns its URI. */
  storeFile?: (value: unknown) => string;
}

function asText(value: unknown): string {
  return typeof value === "string" ? value : typeof value === "object" ? JSON.stringify(value) : String(value);
}

function expected(type: string, value: unknown, detail?: string): TypedValueError {
  return new TypedValueError(
    `Expected \`${type}\` but received \`${asText(value)}\`${detail ? ` with errors: ${detail}` : ""}`,
  );
}

function parseInteger(value: unknown): number {
  if (typeof value === "number" && Number.isInteger(value)) return value;
  const text = asText(value).trim();
  if (!/^[-+]?\d+$/.test(text)) throw expected("INT", value, `For input string: "${text}"`);
  const n = Number(text);
  if (n > 2147483647 || n < -2147483648) throw expected("INT", value, `For input string: "${text}"`);
  return n;
}

function parseFloatValue(value: unknown): number {
  if (typeof value === "number") return value;
  const text = asText(value).trim();
  const n = Number(text);
  if (text === "" || Number.isNaN(n)) throw expected("FLOAT", value, `For input string: "${text}"`);
  return n;
}

function parseList(value: unknown, type: string): unknown[] {
  if (Array.isArray(value)) return value;
  try {
    const parsed: unknown = parseJsonData(asText(value), `the ${type} value`);
    if (Array.isArray(parsed)) return parsed;
  } catch (error) {
    if (isSakerError(error)) throw error;
  }
  throw expected(type, value, "not a JSON array");
}

/** Parses `value` as `type` (already rendered). Dates, times and durations stay ISO-8601 strings. */
export function parseTypedValue(type: string, value: unknown, options: ParseOptions = {}): unknown {
  switch (type) {
    case "STRING":
    case "ENUM":
    case "SELECT":
    case "EMAIL":
      return typeof value === "string" ? value : asText(value);
    case "SECRET": {
      const text = asText(value);
      return options.encrypt ? options.encrypt(text) : text;
    }
    case "INT":
      return parseInteger(value);
    case "FLOAT":
      return parseFloatValue(value);
    case "BOOLEAN":
    case "BOOL":
      return typeof value === "boolean" ? value : asText(value).trim().toLowerCase() === "true";
    case "DATETIME": {
      const text = asText(value).trim();
      if (!isInstant(text)) throw expected("DATETIME", value, `Text '${text}' could not be parsed`);
      return new Date(text).toISOString().replace(".000Z", "Z");
    }
    case "DATE": {
      const text = asText(value).trim();
      if (!isCalendarDate(text)) throw expected("DATE", value, `Text '${text}' could not be parsed`);
      return text;
    }
    case "TIME": {
      const text = asText(value).trim();
      if (!isTimeOfDay(text)) throw expected("TIME", value, `Text '${text}' could not be parsed`);
      return text;
    }
    case "DURATION": {
      const text = asText(value).trim();
      if (!isDuration(text)) throw expected("DURATION", value, `Text cannot be parsed to a Duration`);
      return formatDuration(parseDuration(text));
    }
    case "FILE": {
      const text = asText(value);
      if (text.startsWith("kestra://")) return text;
      if (!options.storeFile) throw expected("FILE", value, "not a kestra:// URI");
      return options.storeFile(value);
    }
    case "JSON":
    case "YAML":
      try {
        if (typeof value !== "string") {
          checkData(value, `the ${type} value`);
          return value;
        }
        return type === "JSON" ? parseJsonData(value, "the JSON value") : parseYamlData(value, "the YAML value");
      } catch (error) {
        throw expected(type, typeof value === "string" ? value : "(structured value)", (error as Error).message);
      }
    case "URI": {
      const text = asText(value);
      if (!URI_PATTERN.test(text)) throw new TypedValueError(`Expected \`URI\` but received \`${text}\``);
      return text;
    }
    case "ARRAY":
    case "MULTISELECT": {
      const list = parseList(value, type);
      const itemType = options.itemType ?? (type === "MULTISELECT" ? "STRING" : undefined);
      if (!itemType) return list;
      return list.map((item) => {
        try {
          return parseTypedValue(itemType, item, options);
        } catch {
          throw new TypedValueError(`Unable to parse array element as \`${itemType}\` on \`${asText(item)}\``);
        }
      });
    }
    default:
      throw new TypedValueError(`unknown type '${type}'`);
  }
}

function javaList(values: readonly unknown[]): string {
  return `[${values.map(asText).join(", ")}]`;
}

/** `allowCustomValue`, or its deprecated name `allowInput`. */
function customAllowed(definition: Record<string, unknown>): boolean {
  return definition.allowCustomValue === true || definition.allowInput === true;
}

/** Checks a parsed value against the constraints of its input definition. */
export function checkConstraints(definition: Record<string, unknown>, value: unknown): void {
  const type = String(definition.type);
  const num = (key: string) => (definition[key] === undefined ? undefined : Number(definition[key]));
  switch (type) {
    case "STRING":
    case "SECRET": {
      const validator = definition.validator;
      if (typeof validator === "string" && !fullMatch(validator, String(value))) {
        throw new TypedValueError(`it must match the pattern \`${validator}\``);
      }
      return;
    }
    case "INT":
    case "FLOAT": {
      const min = num("min");
      const max = num("max");
      if (min !== undefined && (value as number) < min)
        throw new TypedValueError(`it must be more than \`${definition.min}\``);
      if (max !== undefined && (value as number) > max)
        throw new TypedValueError(`it must be less than \`${definition.max}\``);
      return;
    }
    case "DATE":
    case "DATETIME":
    case "TIME": {
      const key = (v: unknown) => (type === "TIME" ? String(v) : Date.parse(String(v)));
      if (definition.after !== undefined && key(value) < key(definition.after))
        throw new TypedValueError(`it must be after \`${definition.after}\``);
      if (definition.before !== undefined && key(value) > key(definition.before))
        throw new TypedValueError(`it must be before \`${definition.before}\``);
      return;
    }
    case "DURATION": {
      const ms = parseDuration(String(value));
      if (definition.min !== undefined && ms < parseDuration(String(definition.min)))
        throw new TypedValueError(`It must be more than \`${definition.min}\``);
      if (definition.max !== undefined && ms > parseDuration(String(definition.max)))
        throw new TypedValueError(`It must be less than \`${definition.max}\``);
      return;
    }
    case "ENUM":
    case "SELECT": {
      const values = definition.values as unknown[] | undefined;
      if (Array.isArray(values) && !customAllowed(definition) && !values.map(asText).includes(String(value))) {
        throw new TypedValueError(`it must match the values \`${javaList(values)}\``);
      }
      return;
    }
    case "MULTISELECT": {
      const values = (definition.values ?? definition.options) as unknown[] | undefined;
      if (!Array.isArray(values) || customAllowed(definition)) return;
      for (const item of value as unknown[]) {
        if (!values.map(asText).includes(String(item)))
          throw new TypedValueError(`it must match the values \`${javaList(values)}\``);
      }
      return;
    }
    case "EMAIL":
      if (!EMAIL_PATTERN.test(String(value))) throw new TypedValueError("The input must be a valid email");
      return;
    default:
      return;
  }
}
