/** Number filters: abs, number, numberFormat, className. */
import { EvalError } from "../errors.ts";
import { describe } from "../evaluator.ts";
import type { FilterDef } from "../registry.ts";
import { isFloating, isNumeric, javaClassName, JavaNumber, jdouble, num, type JavaNumberType } from "../values.ts";
import { formatDecimal } from "../numberFormat.ts";
import { asText, filter, stringArg } from "./helpers.ts";

const INT_RANGE = 2147483647;

/** Kestra's number filter: a fraction makes a Float, else Integer, Long or BigInteger. */
function inferNumber(text: string): JavaNumber {
  const t = text.trim();
  if (/^[-+]?\d+$/.test(t)) {
    const big = BigInt(t);
    if (big >= -2147483648n && big <= BigInt(INT_RANGE)) return new JavaNumber(Number(big), "Integer");
    if (big >= -(2n ** 63n) && big < 2n ** 63n) return new JavaNumber(Number.isSafeInteger(Number(big)) ? Number(big) : big, "Long");
    return new JavaNumber(big, "BigInteger");
  }
  const n = Number(t);
  if (t === "" || Number.isNaN(n)) throw new EvalError(`'${text}' is not a number`);
  return new JavaNumber(Math.fround(n) === n ? n : Math.fround(n), "Float");
}

function convert(text: string, type: string): JavaNumber {
  const t = text.trim();
  const n = Number(t);
  if (t === "" || Number.isNaN(n)) throw new EvalError(`'${text}' is not a number`);
  const integral = (kind: JavaNumberType) => {
    if (!/^[-+]?\d+$/.test(t)) throw new EvalError(`'${text}' is not an integer`);
    return new JavaNumber(Number.isSafeInteger(n) ? n : BigInt(t), kind);
  };
  switch (type.toUpperCase()) {
    case "INT":
    case "INTEGER":
      return integral("Integer");
    case "LONG":
      return integral("Long");
    case "BIGINTEGER":
      return integral("BigInteger");
    case "FLOAT":
      return new JavaNumber(Math.fround(n), "Float");
    case "DOUBLE":
      return jdouble(n);
    case "BIGDECIMAL":
      return new JavaNumber(n, "BigDecimal");
    default:
      throw new EvalError(`number type must be INT, LONG, FLOAT, DOUBLE, BIGDECIMAL or BIGINTEGER (got '${type}')`);
  }
}

export const numberFilters: Record<string, FilterDef> = {
  abs: filter((input) => {
    if (!isNumeric(input)) throw new EvalError(`abs needs a number, got ${describe(input)}`);
    const value = Math.abs(num(input));
    return isFloating(input) ? jdouble(value) : value;
  }),
  number: filter((input, args) => {
    if (input === null || input === undefined) return null;
    const type = args.get("type", 0);
    const text = isNumeric(input) ? String(num(input)) : asText(input);
    return type === undefined || type === null ? inferNumber(text) : convert(text, String(type));
  }),
  numberFormat: filter((input, args) => {
    if (input === null || input === undefined) return null;
    if (!isNumeric(input)) throw new EvalError(`numberFormat needs a number, got ${describe(input)}`);
    return formatDecimal(num(input), stringArg(args, "format", 0));
  }),
  className: filter((input) => javaClassName(input)),
};
