/** Arithmetic and comparisons with Java's number rules: Long stays Long, any double makes a Double. */
import { EvalError } from "./errors.ts";
import { equals, isFloating, isMap, isNumeric, JChar, jdouble, JavaNumber, javaToString, num } from "./values.ts";

export function numericOp(op: "+" | "-" | "*" | "/" | "%", left: unknown, right: unknown): number | JavaNumber {
  if (!isNumeric(left) || !isNumeric(right)) {
    throw new EvalError(
      `'${op}' needs numbers, got ${left === null ? "null" : typeof left === "object" ? (Array.isArray(left) ? "a list" : "a map") : JSON.stringify(left)} and ${right === null ? "null" : typeof right === "object" ? (Array.isArray(right) ? "a list" : "a map") : JSON.stringify(right)}`,
    );
  }
  const a = num(left);
  const b = num(right);
  if (isFloating(left) || isFloating(right)) {
    switch (op) {
      case "+":
        return jdouble(a + b);
      case "-":
        return jdouble(a - b);
      case "*":
        return jdouble(a * b);
      case "/":
        return jdouble(a / b);
      case "%":
        return jdouble(a % b);
    }
  }
  switch (op) {
    case "+":
      return a + b;
    case "-":
      return a - b;
    case "*":
      return a * b;
    case "/":
      if (b === 0) throw new EvalError("/ by zero");
      return Math.trunc(a / b);
    case "%":
      if (b === 0) throw new EvalError("/ by zero");
      return a % b;
  }
}

/**
 * `< > <= >=`: numbers only; a null side makes the comparison false. (Kestra 1.x also orders two
 * strings; the shared conformance cases still hold Pebble 3.2's error, so Saker keeps it.)
 */
export function compareNumbers(op: "<" | ">" | "<=" | ">=", left: unknown, right: unknown): boolean {
  if (left === null || left === undefined || right === null || right === undefined) return false;
  if (!isNumeric(left) || !isNumeric(right)) throw new EvalError(`'${op}' compares numbers only`);
  const a = num(left);
  const b = num(right);
  switch (op) {
    case "<":
      return a < b;
    case ">":
      return a > b;
    case "<=":
      return a <= b;
    case ">=":
      return a >= b;
  }
}

/** Pebble's `list + x`: a new list with `x` appended, or with every item of `x` when it is a list. */
export function addToList(list: readonly unknown[], item: unknown): unknown[] {
  return Array.isArray(item) ? [...list, ...item] : [...list, item];
}

/** Pebble's `list - x`: a new list without every item of `x` when it is a list, else without the first item equal to `x`. */
export function subtractFromList(list: readonly unknown[], item: unknown): unknown[] {
  if (Array.isArray(item)) return list.filter((x) => !item.some((y) => equals(x, y)));
  const index = list.findIndex((x) => equals(x, item));
  return index < 0 ? [...list] : [...list.slice(0, index), ...list.slice(index + 1)];
}

function itemText(value: unknown): string {
  if (value === null || value === undefined) throw new EvalError("isIn cannot compare a null item");
  return javaToString(value);
}

/**
 * Kestra's `isIn`: whether the left value, as text, equals the text of an item of a list, or of a
 * key or a value of a map (so `1 isIn ['1']` holds). A null side, or a right side that is neither,
 * is false.
 */
export function isIn(value: unknown, container: unknown): boolean {
  if (value === null || value === undefined || container === null || container === undefined) return false;
  const text = itemText(value);
  if (Array.isArray(container)) return container.some((item) => itemText(item) === text);
  if (isMap(container)) return Object.entries(container).some(([key, item]) => key === text || itemText(item) === text);
  return false;
}

/**
 * Pebble's `range(start, end, increment)` and `start..end`: numbers are truncated to Longs and
 * the end is included; single characters give characters.
 */
export function pebbleRange(start: unknown, end: unknown, increment: unknown, maxSize: number): unknown[] {
  const step = increment === null || increment === undefined ? 1 : increment;
  if (!isNumeric(step))
    throw new EvalError(`The increment of the range function must be a number, got ${javaToString(step)}`);
  const s = Math.trunc(num(step));
  const bounds = (a: number, b: number): number => {
    if (s === 0) throw new EvalError("The increment of the range function must be different than 0");
    const count = Math.max(0, Math.floor((b - a) / s) + 1);
    if (count > maxSize) throw new EvalError(`a range of ${count} items exceeds the limit of ${maxSize}`);
    return count;
  };
  if (isNumeric(start) && isNumeric(end)) {
    const a = Math.trunc(num(start));
    return Array.from({ length: bounds(a, Math.trunc(num(end))) }, (_, i) => a + i * s);
  }
  if (typeof start === "string" && typeof end === "string" && start.length === 1 && end.length === 1) {
    const a = start.charCodeAt(0);
    return Array.from({ length: bounds(a, end.charCodeAt(0)) }, (_, i) => new JChar(String.fromCharCode(a + i * s)));
  }
  throw new EvalError("Arguments of range function must be of type Number or String with a length of 1");
}
