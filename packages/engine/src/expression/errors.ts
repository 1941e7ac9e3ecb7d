/**
 * Expression errors. `ExpressionError` is what callers see; `NotFound` is the internal "undefined
 * variable or attribute" signal that `??`, `???`, `is defined` and `default` may catch.
 */
import { SakerError } from "@saker/sdk";

export class ExpressionError extends SakerError {
  static override readonly kind: string = "ExpressionError";
  constructor(
    message: string,
    options: { syntax?: boolean; line?: number; column?: number; template?: string; cause?: unknown } = {},
  ) {
    super(options.syntax ? "EXPRESSION_SYNTAX" : "EXPRESSION_ERROR", message, {
      ...(options.cause !== undefined ? { cause: options.cause } : {}),
      details: {
        ...(options.line !== undefined ? { line: options.line } : {}),
        ...(options.column !== undefined ? { column: options.column } : {}),
        ...(options.template !== undefined ? { template: options.template } : {}),
      },
    });
  }
}

/** An undefined variable or attribute (Pebble's RootAttributeNotFoundException). */
export class NotFound extends Error {
  override readonly name = "NotFound";
  constructor(
    readonly attribute: string,
    /** True when the value exists but is null (`???` keeps null). */
    readonly nullParent = false,
    /** Why it is missing, when the value itself tells (a stored query result read as fetched). */
    readonly hint?: string,
  ) {
    super(`Unable to find \`${attribute}\``);
  }
}

/** Thrown by `call.resolve` when an asynchronous value is not loaded yet; `renderAsync` loads it and retries. */
export class PendingValue extends Error {
  override readonly name = "PendingValue";
  constructor(
    readonly key: string,
    readonly load: () => Promise<unknown>,
  ) {
    super(`pending value '${key}'`);
  }
}

/** A failure with a plain message, wrapped with the line by the evaluator. */
export class EvalError extends Error {
  override readonly name: string = "EvalError";
}

/** A render that used up its time or memory budget (never caught by `??`, `default` or retries within the render). */
export class BudgetError extends EvalError {
  override readonly name: string = "BudgetError";
}
