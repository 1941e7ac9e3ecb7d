/**
 * The Avro schema IonToParquet uses when it is given none, inferred from the first rows as
 * Kestra's InferAvroSchema does: every field nullable, structs as records, lists as arrays, the
 * types of several rows merged. The rows are parsed by ion-js, which keeps Ion's types (a
 * decimal, a timestamp) that the fast row reader turns into text.
 */
import type { Readable } from "node:stream";
import * as ion from "ion-js";

type Inferred =
  | { k: "null" | "boolean" | "int" | "long" | "double" | "string" | "bytes" | "date" | "timestamp" }
  | { k: "record"; fields: Map<string, Inferred> }
  | { k: "array"; items: Inferred };

/** Rows that cannot give a schema; the message says why. */
export class InferError extends Error {}

function infer(v: ion.dom.Value | null): Inferred {
  if (v === null || v.isNull()) return { k: "null" };
  switch (v.getType()) {
    case ion.IonTypes.BOOL:
      return { k: "boolean" };
    case ion.IonTypes.INT: {
      const n = v.bigIntValue() ?? 0n;
      return { k: n >= -2147483648n && n <= 2147483647n ? "int" : "long" };
    }
    case ion.IonTypes.FLOAT:
      return { k: "double" };
    case ion.IonTypes.TIMESTAMP: {
      const precision = v.timestampValue()?.getPrecision();
      if (precision === ion.TimestampPrecision.DAY) return { k: "date" };
      return {
        k:
          precision === ion.TimestampPrecision.YEAR || precision === ion.TimestampPrecision.MONTH
            ? "string"
            : "timestamp",
      };
    }
    case ion.IonTypes.BLOB:
    case ion.IonTypes.CLOB:
      return { k: "bytes" };
    case ion.IonTypes.LIST:
    case ion.IonTypes.SEXP: {
      let items: Inferred = { k: "null" };
      for (const item of v as unknown as Iterable<ion.dom.Value>) items = merge(items, infer(item));
      return { k: "array", items };
    }
    case ion.IonTypes.STRUCT: {
      const fields = new Map<string, Inferred>();
      for (const [name, value] of v.fields()) fields.set(name, merge(fields.get(name) ?? { k: "null" }, infer(value)));
      return { k: "record", fields };
    }
    default:
      // Decimals, as Kestra's inference does, and strings and symbols.
      return { k: "string" };
  }
}

const NUMERIC = ["int", "long", "double"];

function merge(a: Inferred, b: Inferred): Inferred {
  if (a.k === "null") return b;
  if (b.k === "null") return a;
  if (a.k === "record" && b.k === "record") {
    const fields = new Map(a.fields);
    for (const [name, t] of b.fields) fields.set(name, merge(fields.get(name) ?? { k: "null" }, t));
    return { k: "record", fields };
  }
  if (a.k === "array" && b.k === "array") return { k: "array", items: merge(a.items, b.items) };
  if (a.k === b.k) return a;
  if (NUMERIC.includes(a.k) && NUMERIC.includes(b.k))
    return { k: a.k === "double" || b.k === "double" ? "double" : "long" };
  if ((a.k === "date" && b.k === "timestamp") || (a.k === "timestamp" && b.k === "date")) return { k: "timestamp" };
  // Anything else two rows disagree on is kept as text.
  return { k: "string" };
}

function avroOf(t: Inferred, name: string): unknown {
  switch (t.k) {
    case "null":
      return "string";
    case "date":
      return { type: "int", logicalType: "date" };
    case "timestamp":
      return { type: "long", logicalType: "timestamp-micros" };
    case "record":
      return {
        type: "record",
        name,
        fields: [...t.fields].map(([field, ft]) => ({
          name: field,
          type: ["null", avroOf(ft, `${name}_${field}`)],
          default: null,
        })),
      };
    case "array":
      return { type: "array", items: ["null", avroOf(t.items, `${name}_items`)] };
    default:
      return t.k;
  }
}

/** The Avro schema (JSON text) of the first `rows` rows of an Ion file. */
export async function inferAvroSchema(source: Readable, rows: number, what: string): Promise<string> {
  let merged: Inferred = { k: "null" };
  let seen = 0;
  let line = 0;
  let rest = "";
  const decoder = new TextDecoder("utf-8");
  const take = (text: string) => {
    line++;
    if (text.trim() === "" || seen >= rows) return;
    let values: ion.dom.Value[];
    try {
      values = ion.loadAll(text);
    } catch (error) {
      throw new InferError(`invalid Ion in ${what} at line ${line}: ${(error as Error).message}`);
    }
    for (const value of values) {
      const t = infer(value);
      if (t.k !== "record")
        throw new InferError(`cannot infer a schema: line ${line} of ${what} is not a struct; give \`schema\``);
      merged = merge(merged, t);
      seen++;
    }
  };
  try {
    for await (const chunk of source) {
      const parts = (rest + decoder.decode(chunk as Buffer, { stream: true })).split("\n");
      rest = parts.pop()!;
      for (const part of parts) take(part);
      if (seen >= rows) break;
    }
    if (seen < rows) take(rest + decoder.decode());
  } finally {
    source.destroy();
  }
  // `take` assigns `merged` in a closure, which narrowing does not see.
  const result = merged as Inferred;
  if (result.k !== "record") throw new InferError(`cannot infer a schema: ${what} has no rows; give \`schema\``);
  return JSON.stringify(avroOf(result, "root"));
}
