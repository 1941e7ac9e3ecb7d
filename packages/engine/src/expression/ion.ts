/**
 * Amazon Ion text, as Kestra writes and reads it (one value per line in ION files): doubles carry
 * an `e0` exponent, field names are symbols, Java date types come back from annotated strings.
 */
import * as ion from "ion-js";
import { EvalError } from "./errors.ts";
import { isFloating, isMap, isNumeric, JavaNumber, jdouble, JChar, javaDouble, num } from "./values.ts";

const SYMBOL = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const KEYWORDS = new Set(["null", "true", "false", "nan"]);

function ionString(text: string): string {
  return JSON.stringify(text).replace(/[\u007f-\uffff]/g, (c) => c);
}

function ionFloat(value: number): string {
  if (Number.isNaN(value)) return "nan";
  if (!Number.isFinite(value)) return value > 0 ? "+inf" : "-inf";
  const text = javaDouble(value);
  return text.includes("E") ? text.replace("E", "e") : `${text}e0`;
}

/** Ion text of a value, compact. */
export function toIonText(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "boolean") return String(value);
  if (typeof value === "string") return ionString(value);
  if (value instanceof JChar) return ionString(value.char);
  if (isNumeric(value)) {
    if (value instanceof JavaNumber && value.type === "BigDecimal") {
      const text = value.decimalText ?? String(value.value);
      if (/E/i.test(text)) return text.replace(/E\+?/i, "d");
      return text.includes(".") ? text : `${text}.`;
    }
    return isFloating(value) ? ionFloat(num(value)) : String(value instanceof JavaNumber ? value.value : value);
  }
  if (Array.isArray(value)) return `[${value.map(toIonText).join(",")}]`;
  if (isMap(value)) {
    const fields = Object.entries(value).map(
      ([k, v]) =>
        `${SYMBOL.test(k) && !KEYWORDS.has(k) ? k : `'${k.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`}:${toIonText(v)}`,
    );
    return `{${fields.join(",")}}`;
  }
  return ionString(String(value));
}

function fromDom(value: ion.dom.Value | null): unknown {
  if (value === null || value.isNull()) return null;
  const type = value.getType();
  switch (type) {
    case ion.IonTypes.BOOL:
      return value.booleanValue();
    case ion.IonTypes.INT: {
      const big = value.bigIntValue();
      if (big === null) return null;
      return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(big)
        : new JavaNumber(big, "Long");
    }
    case ion.IonTypes.FLOAT:
      return jdouble(value.numberValue() ?? 0);
    case ion.IonTypes.DECIMAL:
      return new JavaNumber(Number(value.decimalValue()?.toString() ?? 0), "BigDecimal");
    case ion.IonTypes.TIMESTAMP: {
      // A day-precision timestamp is a date (`2024-01-31`), as Kestra reads it; ion-js writes `2024-01-31T`.
      const text = value.timestampValue()?.toString();
      return text === undefined ? null : text.endsWith("T") ? text.slice(0, -1) : text;
    }
    case ion.IonTypes.STRING:
    case ion.IonTypes.SYMBOL:
      return value.stringValue();
    case ion.IonTypes.BLOB:
    case ion.IonTypes.CLOB:
      return Buffer.from(value.uInt8ArrayValue() ?? new Uint8Array()).toString("base64");
    case ion.IonTypes.LIST:
    case ion.IonTypes.SEXP:
      return [...(value as unknown as Iterable<ion.dom.Value>)].map(fromDom);
    case ion.IonTypes.STRUCT: {
      const out: Record<string, unknown> = {};
      for (const [k, v] of value.fields()) out[k] = fromDom(v);
      return out;
    }
    default:
      return null;
  }
}

/** Parses one Ion value (the first) to plain data. */
export function fromIonText(text: string): unknown {
  try {
    return fromDom(ion.load(text));
  } catch (error) {
    throw new EvalError(`Invalid Ion: ${(error as Error).message}`);
  }
}

/** Parses every top-level Ion value. */
export function fromIonLines(text: string): unknown[] {
  try {
    return ion.loadAll(text).map(fromDom);
  } catch (error) {
    throw new EvalError(`Invalid Ion: ${(error as Error).message}`);
  }
}
