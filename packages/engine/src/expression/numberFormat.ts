/**
 * A subset of java.text.DecimalFormat: `#`, `0`, `,` grouping, `.`, `%`, `‰`, literal prefix and
 * suffix (quoted with '), HALF_EVEN rounding.
 */
import { EvalError } from "./errors.ts";

interface Pattern {
  prefix: string;
  suffix: string;
  minInt: number;
  grouping: number;
  minFraction: number;
  maxFraction: number;
  multiplier: number;
}

function compile(pattern: string): Pattern {
  const positive = pattern.split(";")[0]!;
  const m = /^((?:'[^']*'|[^#0,.%‰])*)([#0,]*)(?:\.([#0]*))?((?:'[^']*'|[^#0,.])*)$/.exec(positive);
  if (!m) throw new EvalError(`'${pattern}' is not a number format pattern`);
  const unquote = (s: string) => s.replace(/'([^']*)'/g, "$1");
  const integer = m[2] ?? "";
  const fraction = m[3] ?? "";
  const suffix = m[4] ?? "";
  const lastComma = integer.lastIndexOf(",");
  return {
    prefix: unquote(m[1] ?? ""),
    suffix: unquote(suffix),
    minInt: (integer.replace(/,/g, "").match(/0/g) ?? []).length,
    grouping: lastComma >= 0 ? integer.length - lastComma - 1 : 0,
    minFraction: (fraction.match(/0/g) ?? []).length,
    maxFraction: fraction.length,
    multiplier: suffix.includes("%") || (m[1] ?? "").includes("%") ? 100 : suffix.includes("‰") ? 1000 : 1,
  };
}

/** The decimal digits of a non-negative number, without an exponent. */
function plainDecimal(value: number): string {
  const text = value.toString();
  return text.includes("e") ? value.toFixed(20).replace(/\.?0+$/, "") : text;
}

/** Rounds `value` to `digits` fraction digits, half to even, on its shortest decimal form. */
function roundHalfEven(value: number, digits: number): string {
  const [ip, fp = ""] = plainDecimal(Math.abs(value)).split(".") as [string, string?];
  const all = ip + fp.padEnd(digits + 1, "0");
  const keep = ip.length + digits;
  const next = Number(all[keep] ?? "0");
  const rest = all.slice(keep + 1).replace(/0/g, "");
  let kept = all.slice(0, keep);
  const last = Number(kept[kept.length - 1] ?? "0");
  if (next > 5 || (next === 5 && (rest.length > 0 || last % 2 === 1)))
    kept = (BigInt(kept || "0") + 1n).toString().padStart(kept.length, "0");
  const intDigits = kept.slice(0, kept.length - digits) || "0";
  const fracDigits = digits ? kept.slice(kept.length - digits) : "";
  return fracDigits ? `${intDigits}.${fracDigits}` : intDigits;
}

export function formatDecimal(value: number, pattern: string): string {
  const p = compile(pattern);
  const scaled = value * p.multiplier;
  const rounded = roundHalfEven(scaled, p.maxFraction);
  let [intDigits, fracDigits = ""] = rounded.split(".") as [string, string?];
  intDigits = intDigits.replace(/^0+/, "");
  if (intDigits.length < p.minInt) intDigits = intDigits.padStart(p.minInt, "0");
  while (fracDigits.length > p.minFraction && fracDigits.endsWith("0")) fracDigits = fracDigits.slice(0, -1);
  if (p.grouping > 0) intDigits = intDigits.replace(new RegExp(`\\B(?=(\\d{${p.grouping}})+(?!\\d))`, "g"), ",");
  // DecimalFormat keeps the sign of a negative number that rounds to zero ("-0")
  const negative = scaled < 0 || Object.is(scaled, -0);
  const body = (intDigits || (fracDigits ? "" : "0")) + (fracDigits ? `.${fracDigits}` : "");
  return `${negative ? "-" : ""}${p.prefix}${body}${p.suffix}`;
}
