/** Arithmetic and comparisons with Java's number rules: Long stays Long, any double makes a Double. */
import { EvalError } from "./errors.ts";
import { isFloating, isNumeric, jdouble, JavaNumber, num } from "./values.ts";

export function numericOp(op: "+" | "-" | "*" | "/" | "%", left: unknown, right: unknown): number | JavaNumber {
  if (!isNumeric(left) || !isNumeric(right)) {
    throw new EvalError(`'${op}' needs numbers, got ${left === null ? "null" : typeof left === "object" ? (Array.isArray(left) ? "a list" : "a map") : JSON.stringify(left)} and ${right === null ? "null" : typeof right === "object" ? (Array.isArray(right) ? "a list" : "a map") : JSON.stringify(right)}`);
  }
  const a = num(left);
  const b = num(right);
  if (isFloating(left) || isFloating(right)) {
    switch (op) {
      case "+": return jdouble(a + b);
      case "-": return jdouble(a - b);
      case "*": return jdouble(a * b);
      case "/": return jdouble(a / b);
      case "%": return jdouble(a % b);
    }
  }
  switch (op) {
    case "+": return a + b;
    case "-": return a - b;
    case "*": return a * b;
    case "/":
      if (b === 0) throw new EvalError("/ by zero");
      return Math.trunc(a / b);
    case "%":
      if (b === 0) throw new EvalError("/ by zero");
      return a % b;
  }
}

/** `< > <= >=`: numbers only; a null side makes the comparison false. */
export function compareNumbers(op: "<" | ">" | "<=" | ">=", left: unknown, right: unknown): boolean {
  if (left === null || left === undefined || right === null || right === undefined) return false;
  if (!isNumeric(left) || !isNumeric(right)) throw new EvalError(`'${op}' compares numbers only`);
  const a = num(left);
  const b = num(right);
  switch (op) {
    case "<": return a < b;
    case ">": return a > b;
    case "<=": return a <= b;
    case ">=": return a >= b;
  }
}
