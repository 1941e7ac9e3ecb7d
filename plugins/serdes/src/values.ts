/**
 * Values as Kestra's Jackson reads YAML and JSON into Java objects, for the YAML, JSON and TOON
 * conversions: plain data (null, booleans, strings, numbers, bigints past 2^53, Buffers for YAML's
 * `!!binary`, arrays, objects keeping their field order with `FIELD_ORDER`), and {@link JavaDouble}
 * for a double JavaScript cannot tell from an integer. A number that is not an integer is a double.
 */
import { ION_TEXT, ionFloat } from "@saker/sdk/ion";

/** A double whose JavaScript number looks like an integer (`1.0`, `1e3`) or is not finite (`.inf`, `.nan`). */
export class JavaDouble {
  constructor(readonly value: number) {}

  /** Written as an Ion float whatever its value (`1e0`, not the int `1`), as Kestra writes a Java double. */
  [ION_TEXT](): string {
    return ionFloat(this.value);
  }
}

/** The number of a double: a plain number that is not an integer, or a {@link JavaDouble}. */
export function doubleOf(value: unknown): number | undefined {
  if (value instanceof JavaDouble) return value.value;
  return typeof value === "number" && !Number.isInteger(value) ? value : undefined;
}

/** `value` as a plain object when it is one (not an array, a Buffer or a class instance). */
export function recordOf(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype
    ? (value as Record<string, unknown>)
    : undefined;
}

/** Java's `Double.toString`: `1.0`, `0.001`, `1.0E7`, `1.5E-7`, `NaN`, `Infinity` (what Jackson writes). */
export function javaDoubleText(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (!Number.isFinite(n)) return n > 0 ? "Infinity" : "-Infinity";
  if (n === 0) return Object.is(n, -0) ? "-0.0" : "0.0";
  const magnitude = Math.abs(n);
  if (magnitude >= 1e-3 && magnitude < 1e7) {
    const text = String(n); // plain in this range, shortest digits as Java's
    return text.includes(".") ? text : `${text}.0`;
  }
  const [mantissa, exponent] = n.toExponential().split("e") as [string, string];
  return `${mantissa.includes(".") ? mantissa : `${mantissa}.0`}E${exponent.replace("+", "")}`;
}

/** A finite number's decimal text without exponent (`1e21` → `1000000000000000000000`, `1e-7` → `0.0000001`). */
export function plainDecimalText(n: number): string {
  const text = String(n);
  const e = text.indexOf("e");
  if (e < 0) return text;
  const negative = text.startsWith("-");
  const mantissa = text.slice(negative ? 1 : 0, e);
  const exponent = Number(text.slice(e + 1));
  const dot = mantissa.indexOf(".");
  const digits = mantissa.replace(".", "");
  const point = (dot < 0 ? mantissa.length : dot) + exponent; // where the point goes in `digits`
  const plain =
    point <= 0
      ? `0.${"0".repeat(-point)}${digits}`
      : point >= digits.length
        ? digits + "0".repeat(point - digits.length)
        : `${digits.slice(0, point)}.${digits.slice(point)}`;
  return negative ? `-${plain}` : plain;
}
