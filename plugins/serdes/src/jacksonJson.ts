/**
 * JSON written as Kestra's Jackson mappers write it: compact (`JacksonMapper.ofJson()`, which leaves
 * out the null fields of objects) or pretty-printed by Jackson's default printer (`"key" : value`,
 * `[ 1, 2 ]`, `{ }`), the latter event by event so that a document streams out as it is read.
 */
import { fieldNamesOf } from "@saker/sdk/ion";
import { doubleOf, javaDoubleText, plainDecimalText } from "./values.ts";

/** The JSON text of a scalar: doubles in Java's form (`1.0`, `1.0E10`), non-finite ones as strings as Jackson writes them. */
export function jsonScalar(value: unknown): string {
  const double = doubleOf(value);
  if (double !== undefined) return Number.isFinite(double) ? javaDoubleText(double) : `"${javaDoubleText(double)}"`;
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
      return plainDecimalText(value);
    case "bigint":
    case "boolean":
      return String(value);
    default:
  }
  if (Buffer.isBuffer(value)) return `"${value.toString("base64")}"`;
  return "null";
}

/**
 * Compact JSON of a value. With `dropNullFields` (Kestra's `ofJson()` mapper) a field whose value
 * is null is left out of its object; null items of a list are kept.
 */
export function compactJson(value: unknown, dropNullFields: boolean): string {
  if (Array.isArray(value)) return `[${value.map((v) => compactJson(v, dropNullFields)).join(",")}]`;
  if (value === null || typeof value !== "object" || Buffer.isBuffer(value) || doubleOf(value) !== undefined)
    return jsonScalar(value);
  const record = value as Record<string, unknown>;
  const fields: string[] = [];
  for (const key of fieldNamesOf(record)) {
    const item = record[key];
    if (dropNullFields && (item === null || item === undefined)) continue;
    fields.push(`${JSON.stringify(key)}:${compactJson(item, dropNullFields)}`);
  }
  return `{${fields.join(",")}}`;
}

/** Jackson's `DefaultPrettyPrinter`, fed a document's events: each call returns the text to append. */
export class PrettyJsonWriter {
  /** Open containers, innermost last, with the number of entries written in each. */
  private readonly stack: { object: boolean; entries: number }[] = [];
  private nesting = 0;

  startObject(): string {
    const text = `${this.beforeValue()}{`;
    this.stack.push({ object: true, entries: 0 });
    this.nesting++;
    return text;
  }

  endObject(): string {
    const frame = this.stack.pop()!;
    this.nesting--;
    return frame.entries > 0 ? `\n${"  ".repeat(this.nesting)}}` : " }";
  }

  startArray(): string {
    const text = `${this.beforeValue()}[`;
    this.stack.push({ object: false, entries: 0 });
    return text;
  }

  endArray(): string {
    this.stack.pop();
    return " ]";
  }

  key(name: string): string {
    const frame = this.stack.at(-1)!;
    const text = `${frame.entries === 0 ? "" : ","}\n${"  ".repeat(this.nesting)}${JSON.stringify(name)} : `;
    frame.entries++;
    return text;
  }

  scalar(value: unknown): string {
    return this.beforeValue() + jsonScalar(value);
  }

  /** A value already written as JSON (a number in a chosen form). */
  raw(json: string): string {
    return this.beforeValue() + json;
  }

  /** An array's items are separated by `, ` (a space before the first); an object's value follows its key. */
  private beforeValue(): string {
    const frame = this.stack.at(-1);
    if (!frame || frame.object) return "";
    return frame.entries++ === 0 ? " " : ", ";
  }
}
