/** Number filters: abs, number, numberFormat, className. */
import { EvalError } from "../errors.ts";
import { describe } from "../evaluator.ts";
import type { FilterDef } from "../registry.ts";
import { isFloating, isNumeric, javaClassName, JavaNumber, jdouble, num } from "../values.ts";
import { formatDecimal } from "../numberFormat.ts";
import { asText, filter, stringArg, stringInput } from "./helpers.ts";
import { createNumber, createTypedNumber } from "./javaNumberParse.ts";

export const numberFilters: Record<string, FilterDef> = {
  abs: filter((input) => {
    if (!isNumeric(input)) throw new EvalError(`abs needs a number, got ${describe(input)}`);
    // Math.abs keeps the Java type: Integer stays Integer, Float stays Float…
    if (input instanceof JavaNumber)
      return new JavaNumber(
        typeof input.value === "bigint" ? (input.value < 0n ? -input.value : input.value) : Math.abs(input.value),
        input.type,
      );
    const value = Math.abs(num(input));
    return isFloating(input) ? jdouble(value) : value;
  }),
  number: filter((input, args) => {
    if (input === null || input === undefined) return null;
    const type = args.get("type", 0);
    const text = stringInput(input, "number");
    return type === undefined || type === null ? createNumber(text) : createTypedNumber(text, asText(type));
  }),
  numberFormat: filter((input, args) => {
    if (input === null || input === undefined) return null;
    if (!isNumeric(input)) throw new EvalError(`numberFormat needs a number, got ${describe(input)}`);
    // without a format: the locale's default number format, English here
    return formatDecimal(num(input), stringArg(args, "format", 0, "#,##0.###"));
  }),
  className: filter((input) => javaClassName(input)),
};
