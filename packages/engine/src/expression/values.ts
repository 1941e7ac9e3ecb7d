/**
 * Java-flavoured values. Pebble runs on the JVM, so a few Java distinctions show in output:
 * integers (Long) vs doubles (`2.0`, `1.0E7`), characters from `first` on a string, and Java
 * class names (`className`). Plain JS integers are Longs; doubles are `JDouble`; numbers with
 * another Java type (Integer, Float…) are `JavaNumber`.
 */
import { EvalError } from "./errors.ts";

export type JavaNumberType = "Integer" | "Long" | "Float" | "Double" | "Short" | "Byte" | "BigDecimal" | "BigInteger";

/** A number with an explicit Java type. `value` is a bigint only for integers beyond 2^53. */
export class JavaNumber {
  constructor(
    readonly value: number | bigint,
    readonly type: JavaNumberType,
    /** A BigDecimal's own text (`1.50`, `1E+3`), as its toString() gives it; `value` is then approximate. */
    readonly decimalText?: string,
  ) {}
  toJSON(): number {
    return Number(this.value);
  }
  valueOf(): number {
    return Number(this.value);
  }
}

export function jdouble(value: number): JavaNumber {
  return new JavaNumber(value, "Double");
}

/** A Java Character (from `first`/`last` on a string). Not equal to a String. */
export class JChar {
  constructor(readonly char: string) {}
  toJSON(): string {
    return this.char;
  }
  toString(): string {
    return this.char;
  }
}

export function isNumeric(value: unknown): value is number | JavaNumber {
  return typeof value === "number" || value instanceof JavaNumber;
}

/** True for Double/Float/BigDecimal values, and for non-integral JS numbers (context doubles). */
export function isFloating(value: unknown): boolean {
  if (value instanceof JavaNumber)
    return value.type === "Double" || value.type === "Float" || value.type === "BigDecimal";
  return typeof value === "number" && !Number.isInteger(value);
}

export function num(value: number | JavaNumber): number {
  return typeof value === "number" ? value : Number(value.value);
}

export function isMap(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof JavaNumber) &&
    !(value instanceof JChar)
  );
}

/** Java's `Double.toString`: `2.0`, `0.001`, `1.0E7`, `1.0E-7`. */
export function javaDouble(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "Infinity";
  if (value === Number.NEGATIVE_INFINITY) return "-Infinity";
  if (value === 0) return Object.is(value, -0) ? "-0.0" : "0.0";
  const abs = Math.abs(value);
  if (abs >= 1e-3 && abs < 1e7) {
    const text = String(value);
    return text.includes(".") ? text : `${text}.0`;
  }
  const [mantissa, exponent] = value.toExponential().split("e") as [string, string];
  const m = mantissa.includes(".") ? mantissa : `${mantissa}.0`;
  return `${m}E${Number(exponent)}`;
}

/** Java's `Float.toString` (shortest digits for a 32-bit float). */
export function javaFloat(value: number): string {
  const f = Math.fround(value);
  for (let p = 1; p <= 9; p++) {
    const candidate = Number(f.toPrecision(p));
    if (Math.fround(candidate) === f) return javaDouble(candidate);
  }
  return javaDouble(f);
}

export function numberToString(value: number | JavaNumber): string {
  if (value instanceof JavaNumber) {
    if (value.type === "Float") return javaFloat(Number(value.value));
    if (value.type === "Double") return javaDouble(Number(value.value));
    if (value.decimalText !== undefined) return value.decimalText;
    return String(value.value);
  }
  return Number.isInteger(value) ? String(value) : javaDouble(value);
}

/** Java `toString()` of a value, as `~` and `join` use it: `[1, 2]`, `{a=1}`. */
export function javaToString(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return value;
  if (isNumeric(value)) return numberToString(value);
  if (typeof value === "boolean") return String(value);
  if (value instanceof JChar) return value.char;
  if (Array.isArray(value)) return `[${value.map(javaToString).join(", ")}]`;
  if (isMap(value))
    return `{${Object.entries(value)
      .map(([k, v]) => `${k}=${javaToString(v)}`)
      .join(", ")}}`;
  return String(value);
}

export function javaClassName(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return "java.lang.String";
  if (typeof value === "boolean") return "java.lang.Boolean";
  if (value instanceof JChar) return "java.lang.Character";
  if (value instanceof JavaNumber)
    return value.type.startsWith("Big") ? `java.math.${value.type}` : `java.lang.${value.type}`;
  if (typeof value === "number") return Number.isInteger(value) ? "java.lang.Long" : "java.lang.Double";
  if (Array.isArray(value)) return "java.util.ArrayList";
  return "java.util.LinkedHashMap";
}

/** Pebble's boolean conversion; null is an error unless `nullIsFalse` (the ternary operator). */
export function toBoolean(value: unknown, nullIsFalse = false): boolean {
  if (typeof value === "boolean") return value;
  if (value === null || value === undefined) {
    if (nullIsFalse) return false;
    throw new EvalError("null cannot be used as a boolean");
  }
  if (isNumeric(value)) return num(value) !== 0;
  if (typeof value === "string") return value.length > 0;
  if (value instanceof JChar) return true;
  throw new EvalError(`a ${Array.isArray(value) ? "list" : "map"} cannot be used as a boolean`);
}

/** Equality as Pebble compares: numbers by value across types, characters never equal strings. */
export function equals(a: unknown, b: unknown): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
  if (isNumeric(a) && isNumeric(b)) return num(a) === num(b);
  if (a instanceof JChar || b instanceof JChar) return a instanceof JChar && b instanceof JChar && a.char === b.char;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equals(x, b[i]));
  if (isMap(a) && isMap(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && equals(a[k], b[k]));
  }
  return a === b;
}

/** Natural ordering for sort: numbers, then strings by code unit. */
export function compareNatural(a: unknown, b: unknown): number {
  if (isNumeric(a) && isNumeric(b)) return num(a) - num(b);
  const sa = javaToString(a);
  const sb = javaToString(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** The plain JS value for typed results: Java numbers become numbers, characters strings. */
export function toPlain(value: unknown): unknown {
  if (value instanceof JavaNumber) return typeof value.value === "bigint" ? Number(value.value) : value.value;
  if (value instanceof JChar) return value.char;
  if (Array.isArray(value)) return value.map(toPlain);
  if (isMap(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toPlain(v);
    return out;
  }
  return value;
}
