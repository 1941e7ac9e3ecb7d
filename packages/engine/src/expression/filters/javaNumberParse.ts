/**
 * Kestra's `number` filter parses with commons-lang3 NumberUtils: `createNumber` picks the
 * smallest Java type that holds the text (Integer, Long, BigInteger; Float when its text equals
 * the Double's, else Double), reads `0x`/`#` as hexadecimal and a leading `0` as octal, and
 * honours the type suffixes `L`, `F`, `D`. The typed forms use Integer.decode, Float.valueOf…
 */
import { EvalError } from "../errors.ts";
import { javaDouble, javaFloat, JavaNumber, type JavaNumberType } from "../values.ts";

const INT_MIN = -(2n ** 31n);
const INT_MAX = 2n ** 31n - 1n;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

function notANumber(text: string): EvalError {
  return new EvalError(`'${text}' is not a number`);
}

function integral(value: bigint, type: JavaNumberType): JavaNumber {
  return new JavaNumber(value >= -(2n ** 53n) && value <= 2n ** 53n ? Number(value) : value, type);
}

/** Integer.decode / Long.decode / BigInteger with the same prefixes: sign, then `0x`, `#` or octal `0`. */
function decode(text: string, min: bigint, max: bigint): bigint {
  const m = /^([+-]?)(0[xX]|#|0(?=.))?(.*)$/s.exec(text);
  if (!m) throw notANumber(text);
  const [, sign, prefix = "", digits = ""] = m;
  const radix = prefix === "" ? 10 : prefix === "0" ? 8 : 16;
  const valid = radix === 10 ? /^\d+$/ : radix === 8 ? /^[0-7]+$/ : /^[0-9A-Fa-f]+$/;
  if (!valid.test(digits)) throw notANumber(text);
  const magnitude = [...digits].reduce((acc, d) => acc * BigInt(radix) + BigInt(Number.parseInt(d, radix)), 0n);
  const value = sign === "-" ? -magnitude : magnitude;
  if (value < min || value > max) throw new EvalError(`'${text}' is out of range`);
  return value;
}

/** Float.valueOf / Double.valueOf: surrounding control characters and spaces ignored, an f/d suffix allowed. */
function parseJavaFloating(text: string): number {
  const t = text.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, "");
  const m = /^([+-]?)(?:(NaN|Infinity)|((?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)[fFdD]?)$/.exec(t);
  if (!m) throw notANumber(text);
  const n = m[2] === "NaN" ? Number.NaN : m[2] ? Number.POSITIVE_INFINITY : Number(m[3]);
  return m[1] === "-" ? -n : n;
}

function float(text: string): JavaNumber {
  return new JavaNumber(Math.fround(parseJavaFloating(text)), "Float");
}

function double(text: string): JavaNumber {
  return new JavaNumber(parseJavaFloating(text), "Double");
}

/** new BigDecimal(text), keeping its scale: the text is BigDecimal.toString() (`1.50`, `1E+3`, `1E-7`). */
function bigDecimal(text: string): JavaNumber {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m || (m[2] === "" && (m[3] ?? "") === "")) throw notANumber(text);
  const [, sign, int = "", frac = "", exp = "0"] = m;
  const coefficient = BigInt(int + frac || "0");
  const scale = frac.length - Number(exp);
  const digits = coefficient.toString();
  const adjusted = -scale + (digits.length - 1);
  let body: string;
  if (scale >= 0 && adjusted >= -6) {
    const padded = digits.padStart(scale + 1, "0");
    body = scale === 0 ? padded : `${padded.slice(0, padded.length - scale)}.${padded.slice(padded.length - scale)}`;
  } else {
    body = `${digits[0]}${digits.length > 1 ? `.${digits.slice(1)}` : ""}E${adjusted >= 0 ? "+" : ""}${adjusted}`;
  }
  const negative = sign === "-" && coefficient !== 0n;
  return new JavaNumber(Number(text), "BigDecimal", `${negative ? "-" : ""}${body}`);
}

/** The decimal value of a number text, as a coefficient without trailing zeros and a scale. */
function decimalOf(text: string): [bigint, number] {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?/.exec(text)!;
  let coefficient = BigInt((m[2] ?? "") + (m[3] ?? "") || "0") * (m[1] === "-" ? -1n : 1n);
  let scale = (m[3] ?? "").length - Number(m[4] ?? 0);
  if (coefficient === 0n) return [0n, 0];
  while (coefficient % 10n === 0n) {
    coefficient /= 10n;
    scale--;
  }
  return [coefficient, scale];
}

/** BigDecimal.compareTo(...) == 0 for two number texts. */
function sameDecimal(a: string, b: string): boolean {
  const [ca, sa] = decimalOf(a);
  const [cb, sb] = decimalOf(b);
  return ca === cb && sa === sb;
}

function isZero(mantissa: string): boolean {
  return !/[1-9]/.test(mantissa);
}

/** NumberUtils.createNumber. */
export function createNumber(text: string): JavaNumber {
  if (text.trim() === "") throw new EvalError("a blank string is not a number");
  const hex = /^[+-]?(?:0[xX]|#)0*/.exec(text);
  if (hex) {
    const digits = text.length - hex[0].length;
    const first = text[hex[0].length] ?? "0";
    if (digits > 16 || (digits === 16 && first > "7"))
      return integral(decode(text, -(2n ** 4096n), 2n ** 4096n), "BigInteger");
    if (digits > 8 || (digits === 8 && first > "7")) return integral(decode(text, LONG_MIN, LONG_MAX), "Long");
    return integral(decode(text, INT_MIN, INT_MAX), "Integer");
  }
  const last = text[text.length - 1]!;
  const hasFraction = text.includes(".");
  const hasExponent = /[eE]/.test(text);
  if (!/[0-9.]/.test(last)) {
    const numeric = text.slice(0, -1);
    switch (last) {
      case "l":
      case "L":
        if (!hasFraction && !hasExponent && /^-?\d+$/.test(numeric)) {
          try {
            return integral(decode(numeric, LONG_MIN, LONG_MAX), "Long");
          } catch {
            return integral(decode(numeric, -(2n ** 4096n), 2n ** 4096n), "BigInteger");
          }
        }
        throw notANumber(text);
      case "f":
      case "F":
      case "d":
      case "D": {
        // a Float first for f/F, unless too large or too small for one; then a Double, then a BigDecimal
        const f = last === "f" || last === "F" ? safe(() => float(text)) : undefined;
        if (f && Number.isFinite(f.valueOf()) && !(f.valueOf() === 0 && !isZero(numeric))) return f;
        const d = safe(() => double(text));
        if (d && Number.isFinite(d.valueOf()) && !(d.valueOf() === 0 && !isZero(numeric))) return d;
        const b = safe(() => bigDecimal(numeric));
        if (b) return b;
        throw notANumber(text);
      }
      default:
        throw notANumber(text);
    }
  }
  if (!hasFraction && !hasExponent) {
    for (const [min, max, type] of [
      [INT_MIN, INT_MAX, "Integer"],
      [LONG_MIN, LONG_MAX, "Long"],
    ] as const) {
      const value = safe(() => decode(text, min, max));
      if (value !== undefined) return integral(value, type);
    }
    return integral(decode(text, -(2n ** 4096n), 2n ** 4096n), "BigInteger");
  }
  const f = safe(() => float(text));
  const d = safe(() => double(text));
  if (f && d) {
    const fv = f.valueOf();
    const dv = d.valueOf();
    if (Number.isFinite(fv) && !(fv === 0 && !isZero(text.replace(/[eE].*$/, ""))) && javaFloat(fv) === javaDouble(dv))
      return f;
    // a Double only when it holds exactly the decimal written, else a BigDecimal
    if (Number.isFinite(dv) && !(dv === 0 && !isZero(text.replace(/[eE].*$/, ""))))
      return sameDecimal(text, javaDouble(dv)) ? d : bigDecimal(text);
  }
  return bigDecimal(text);
}

function safe<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

/** The `number` filter with a `type`: exact, upper-case names; any other name means createNumber. */
export function createTypedNumber(text: string, type: string): JavaNumber {
  switch (type) {
    case "INT":
      return integral(decode(text, INT_MIN, INT_MAX), "Integer");
    case "LONG":
      return integral(decode(text, LONG_MIN, LONG_MAX), "Long");
    case "BIGINTEGER":
      return integral(decode(text, -(2n ** 4096n), 2n ** 4096n), "BigInteger");
    case "FLOAT":
      return float(text);
    case "DOUBLE":
      return double(text);
    case "BIGDECIMAL":
      return bigDecimal(text);
    default:
      return createNumber(text);
  }
}
