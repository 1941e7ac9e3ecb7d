/**
 * A flow's inputs → the fields of a form: the control of each input type, its pre-filled value
 * (default, or prefill), whether it is required, and client-side checks that mirror the
 * server's (min/max, pattern, values, dates, durations, JSON); then the multipart body that
 * `POST /executions/{ns}/{id}` (and `/validate`, `/resume`) takes.
 */
import type { FlowInput } from "../api/types.ts";

export type Control =
  | "text"
  | "textarea"
  | "number"
  | "checkbox"
  | "select"
  | "radio"
  | "multiselect"
  | "date"
  | "time"
  | "datetime"
  | "duration"
  | "file"
  | "json"
  | "yaml"
  | "email"
  | "uri"
  | "secret"
  | "array";

/** A field's value in the form: text, the chosen values, a checkbox, or a file. */
export type FieldValue = string | string[] | boolean | File | undefined;

export interface Field {
  /** The input id, and the form field's name. */
  id: string;
  label: string;
  type: string;
  control: Control;
  required: boolean;
  description?: string;
  /** The pre-filled value. */
  initial: FieldValue;
  /** A default the server uses when no value is sent (FILE inputs: a URI; an expression it renders). */
  serverDefault?: string;
  options?: string[];
  allowCustomValue?: boolean;
  min?: number | string;
  max?: number | string;
  after?: string;
  before?: string;
  pattern?: string;
  /** For FILE: the extensions accepted (`.csv,.json`). */
  accept?: string;
  itemType?: string;
  placeholder?: string;
  /** Ids of inputs this one depends on (`dependsOn.inputs`). */
  dependsOn?: string[];
}

function text(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "object") return JSON.stringify(value, null, 2);
  return String(value);
}

function list(value: unknown): string[] {
  if (Array.isArray(value)) return value.map((v) => text(v));
  if (typeof value === "string" && value.trim().startsWith("[")) {
    try {
      const parsed: unknown = JSON.parse(value);
      if (Array.isArray(parsed)) return parsed.map((v) => text(v));
    } catch {
      // not JSON: one value
    }
  }
  return value === undefined || value === null || value === "" ? [] : [text(value)];
}

const CONTROLS: Record<string, Control> = {
  STRING: "text",
  INT: "number",
  FLOAT: "number",
  BOOLEAN: "checkbox",
  BOOL: "checkbox",
  SELECT: "select",
  ENUM: "select",
  MULTISELECT: "multiselect",
  DATE: "date",
  TIME: "time",
  DATETIME: "datetime",
  DURATION: "duration",
  FILE: "file",
  JSON: "json",
  YAML: "yaml",
  EMAIL: "email",
  URI: "uri",
  SECRET: "secret",
  ARRAY: "array",
};

const PLACEHOLDERS: Partial<Record<Control, string>> = {
  datetime: "2026-01-31T09:30:00Z",
  duration: "PT5M",
  uri: "https://example.com/data.csv",
  email: "name@example.com",
  json: '{"key": "value"}',
  yaml: "key: value",
  array: "One value per line, or a JSON array",
};

/** A default holding an expression or a tag, which the server renders. */
function isExpression(value: unknown): boolean {
  return typeof value === "string" && (value.includes("{{") || value.includes("{%"));
}

/** The fields of a form for `inputs` (FORM inputs are flattened as `<form>.<input>`). */
export function fieldsOf(inputs: readonly FlowInput[], prefix = ""): Field[] {
  const fields: Field[] = [];
  for (const input of inputs) {
    const id = prefix + (input.id ?? (input.name as string | undefined) ?? "");
    if (input.type === "FORM") {
      if (Array.isArray(input.inputs)) fields.push(...fieldsOf(input.inputs as FlowInput[], `${id}.`));
      continue;
    }
    const control: Control =
      (input.type === "SELECT" && input.isRadio === true ? "radio" : CONTROLS[input.type]) ?? "text";
    const hasDefault = input.defaults !== undefined && input.defaults !== null;
    // an expression (`{{ now() | date('yyyy') }}`) is rendered by the server when no value is sent:
    // the field starts empty, the default shown beside it
    const rendered = hasDefault && isExpression(input.defaults);
    const seed = hasDefault && !rendered ? input.defaults : input.prefill;
    const field: Field = {
      id,
      label: input.displayName ?? id,
      type: input.type,
      control,
      required: input.required !== false && !hasDefault,
      initial: undefined,
    };
    if (input.description) field.description = input.description;
    if (rendered) field.serverDefault = text(input.defaults);
    const options = input.values ?? input.options;
    if (Array.isArray(options)) field.options = options.map(String);
    if (input.allowCustomValue === true || input.allowInput === true) field.allowCustomValue = true;
    for (const key of ["min", "max"] as const) if (input[key] !== undefined) field[key] = input[key];
    if (typeof input.after === "string") field.after = input.after;
    if (typeof input.before === "string") field.before = input.before;
    if (typeof input.validator === "string") field.pattern = input.validator;
    if (typeof input.itemType === "string") field.itemType = input.itemType;
    if (Array.isArray(input.allowedFileExtensions)) field.accept = (input.allowedFileExtensions as string[]).join(",");
    const deps = (input.dependsOn as { inputs?: string[] } | undefined)?.inputs;
    if (Array.isArray(deps) && deps.length) field.dependsOn = deps;
    const placeholder = PLACEHOLDERS[control];
    if (placeholder) field.placeholder = placeholder;
    switch (control) {
      case "checkbox":
        // a checkbox always has a value, false is one: except while its default is left to the server
        field.initial =
          rendered && seed === undefined ? undefined : seed === true || String(seed).toLowerCase() === "true";
        field.required = false;
        break;
      case "multiselect":
        field.initial = list(seed);
        break;
      case "array":
        field.initial = list(seed).join("\n");
        break;
      case "file":
        if (hasDefault) field.serverDefault = text(input.defaults);
        field.initial = undefined;
        break;
      case "select":
      case "radio":
        field.initial =
          seed !== undefined && seed !== null
            ? text(seed)
            : !rendered && input.autoSelectFirst === true && field.options?.length
              ? field.options[0]
              : "";
        break;
      default:
        field.initial = text(seed);
    }
    fields.push(field);
  }
  return fields;
}

/** Whether a field has no value (an empty text, no file, no choice). */
export function isEmpty(value: FieldValue): boolean {
  if (value === undefined || value === "") return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === "string") return value.trim() === "";
  return false;
}

const DURATION =
  /^P(?!$)(\d+(?:\.\d+)?Y)?(\d+(?:\.\d+)?M)?(\d+(?:\.\d+)?W)?(\d+(?:\.\d+)?D)?(T(?=\d)(\d+(?:\.\d+)?H)?(\d+(?:\.\d+)?M)?(\d+(?:\.\d+)?S)?)?$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;
const EMAIL = /^[a-zA-Z0-9_!#$%&’*+/=?`{|}~^.-]+@[a-zA-Z0-9.-]+$/;
const URI = /^[a-z]+:\/\/(?:www\.)?[-a-zA-Z0-9@:%._+~#=]{1,256}\.[a-zA-Z0-9()]{1,6}\b(?:[-a-zA-Z0-9()@:%_+.~#?&/=]*)$/;

function isRealDate(value: string): boolean {
  if (!DATE.test(value)) return false;
  const [y, m, d] = value.split("-").map(Number) as [number, number, number];
  return m >= 1 && m <= 12 && d >= 1 && d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** Milliseconds of an ISO-8601 duration (months as 30 days, years as 365), or NaN. */
export function durationMs(value: string): number {
  const m = DURATION.exec(value.trim());
  if (!m) return Number.NaN;
  const n = (s: string | undefined) => (s ? Number.parseFloat(s) : 0);
  const day = 86_400_000;
  return (
    n(m[1]) * 365 * day +
    n(m[2]) * 30 * day +
    n(m[3]) * 7 * day +
    n(m[4]) * day +
    n(m[6]) * 3_600_000 +
    n(m[7]) * 60_000 +
    n(m[8]) * 1000
  );
}

/** The items of an ARRAY field: a JSON array, or one item per line. */
export function arrayItems(value: string): string[] | undefined {
  const trimmed = value.trim();
  if (trimmed === "") return [];
  if (trimmed.startsWith("[")) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      return Array.isArray(parsed) ? parsed.map((v) => (typeof v === "string" ? v : JSON.stringify(v))) : undefined;
    } catch {
      return undefined;
    }
  }
  return trimmed
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "");
}

function checkItem(type: string | undefined, item: string): string | undefined {
  if (!type) return undefined;
  const error = checkText(
    { id: "", label: "", type, control: CONTROLS[type] ?? "text", required: false, initial: "" },
    item,
  );
  return error ? `Item '${item}': ${error}` : undefined;
}

function checkText(field: Field, value: string): string | undefined {
  const v = value.trim();
  switch (field.type) {
    case "INT":
    case "FLOAT": {
      if (field.type === "INT" ? !/^[-+]?\d+$/.test(v) : v === "" || Number.isNaN(Number(v)))
        return `Expected ${field.type === "INT" ? "an integer" : "a number"}`;
      const n = Number(v);
      if (field.type === "INT" && (n > 2147483647 || n < -2147483648)) return "Expected an integer (32 bits)";
      if (field.min !== undefined && n < Number(field.min)) return `It must be more than ${field.min}`;
      if (field.max !== undefined && n > Number(field.max)) return `It must be less than ${field.max}`;
      return undefined;
    }
    case "STRING":
    case "SECRET": {
      if (field.pattern === undefined) return undefined;
      try {
        if (!new RegExp(`^(?:${field.pattern})$`, "u").test(value)) return `It must match the pattern ${field.pattern}`;
      } catch {
        // a pattern JavaScript cannot read: the server checks it
      }
      return undefined;
    }
    case "DATE":
      if (!isRealDate(v)) return "Expected a date as YYYY-MM-DD";
      break;
    case "TIME":
      if (!TIME.test(v)) return "Expected a time as HH:mm or HH:mm:ss";
      break;
    case "DATETIME":
      if (!DATETIME.test(v) || Number.isNaN(Date.parse(v)))
        return "Expected a date and time with an offset, such as 2026-01-31T09:30:00Z";
      break;
    case "DURATION": {
      const ms = durationMs(v);
      if (Number.isNaN(ms)) return "Expected an ISO-8601 duration, such as PT5M or P1D";
      if (field.min !== undefined && ms < durationMs(String(field.min))) return `It must be more than ${field.min}`;
      if (field.max !== undefined && ms > durationMs(String(field.max))) return `It must be less than ${field.max}`;
      return undefined;
    }
    case "EMAIL":
      return EMAIL.test(v) ? undefined : "Expected an email address";
    case "URI":
      return URI.test(v) ? undefined : "Expected a URI such as https://example.com/file";
    case "JSON":
      try {
        JSON.parse(value);
        return undefined;
      } catch (e) {
        return `Invalid JSON: ${(e as Error).message}`;
      }
    case "ENUM":
    case "SELECT":
      if (field.options && !field.allowCustomValue && !field.options.includes(value))
        return `It must be one of ${field.options.join(", ")}`;
      return undefined;
    default:
      return undefined;
  }
  // dates and times: after/before
  const key = (s: string) => (field.type === "TIME" ? s : Date.parse(s));
  if (field.after !== undefined && key(v) < key(field.after)) return `It must be after ${field.after}`;
  if (field.before !== undefined && key(v) > key(field.before)) return `It must be before ${field.before}`;
  return undefined;
}

/** The client-side check of one field: a message, or undefined when the value may be sent. */
export function checkField(field: Field, value: FieldValue): string | undefined {
  if (isEmpty(value)) {
    if (field.required && !(field.control === "file" && field.serverDefault)) return "Required";
    return undefined;
  }
  if (value instanceof Object && !Array.isArray(value) && typeof value !== "string") {
    // a file
    const file = value as File;
    if (field.accept) {
      const allowed = field.accept.split(",").map((e) => e.trim().toLowerCase());
      if (!allowed.some((ext) => file.name.toLowerCase().endsWith(ext)))
        return `The file must end with ${allowed.join(", ")}`;
    }
    return undefined;
  }
  if (typeof value === "boolean") return undefined;
  if (Array.isArray(value)) {
    if (field.options && !field.allowCustomValue) {
      const wrong = value.find((v) => !field.options!.includes(v));
      if (wrong !== undefined) return `'${wrong}' is not one of ${field.options.join(", ")}`;
    }
    return undefined;
  }
  if (typeof value !== "string") return undefined;
  if (field.control === "array") {
    const items = arrayItems(value);
    if (!items) return "Expected a JSON array, or one value per line";
    for (const item of items) {
      const error = checkItem(field.itemType, item);
      if (error) return error;
    }
    return undefined;
  }
  return checkText(field, value);
}

/** Every field's problem, by input id. */
export function checkFields(
  fields: readonly Field[],
  values: Readonly<Record<string, FieldValue>>,
): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const field of fields) {
    const error = checkField(field, values[field.id]);
    if (error) errors[field.id] = error;
  }
  return errors;
}

/** The initial values of the fields. */
export function initialValues(fields: readonly Field[]): Record<string, FieldValue> {
  return Object.fromEntries(fields.map((f) => [f.id, f.initial]));
}

/**
 * The multipart body: one part per input that has a value (empty optional ones are left out so
 * the server applies their defaults); a file as a file part; lists as JSON arrays.
 */
export function formBody(fields: readonly Field[], values: Readonly<Record<string, FieldValue>>): FormData {
  const body = new FormData();
  for (const field of fields) {
    const value = values[field.id];
    if (typeof value === "boolean") {
      body.append(field.id, String(value));
      continue;
    }
    if (isEmpty(value)) continue;
    if (Array.isArray(value)) body.append(field.id, JSON.stringify(value));
    else if (typeof value === "string") {
      if (field.control === "array") body.append(field.id, JSON.stringify(arrayItems(value) ?? []));
      else body.append(field.id, field.control === "number" ? value.trim() : value);
    } else if (value) body.append(field.id, value, value.name);
  }
  return body;
}

/** The server's check of the values (`POST /executions/{ns}/{id}/validate`), by input id. */
export interface ServerCheck {
  errors: Record<string, string>;
  /** Inputs the server leaves out for now (their `dependsOn` is not met). */
  disabled: string[];
}

/** Reads the answer of `POST /executions/{ns}/{id}/validate`. */
export function serverCheck(answer: {
  inputs?: { input: { id: string }; enabled?: boolean; errors?: { message: string }[] }[];
}): ServerCheck {
  const errors: Record<string, string> = {};
  const disabled: string[] = [];
  for (const i of answer.inputs ?? []) {
    if (i.enabled === false) disabled.push(i.input.id);
    else if (i.errors?.length) errors[i.input.id] = i.errors.map((e) => e.message).join("; ");
  }
  return { errors, disabled };
}

/** The messages of a refused execution (`details.errors`: "Invalid input for `id`, …") by input id. */
export function errorsByInput(messages: readonly string[]): { byId: Record<string, string>; other: string[] } {
  const byId: Record<string, string> = {};
  const other: string[] = [];
  for (const message of messages) {
    const id = /^Invalid input for `([^`]+)`/.exec(message)?.[1];
    if (id) byId[id] = byId[id] ? `${byId[id]}; ${message}` : message;
    else other.push(message);
  }
  return { byId, other };
}
