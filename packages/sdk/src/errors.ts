/**
 * Errors a user can cause, and the failures a plugin reports.
 *
 * Several versions of a plugin run side by side, each possibly with its own copy of this SDK, so
 * `instanceof` cannot rely on prototype identity. Every class here records its name in a marker
 * list shared through `Symbol.for`, and `instanceof` checks that list instead.
 *
 * @module
 */

const KINDS = Symbol.for("saker.error.kinds");

/** Where in a flow an error happened. Every field is optional; the message shows what is known. */
export interface ErrorLocation {
  /** `namespace/flowId` or just the flow id. */
  flow?: string;
  /** The task, trigger or condition id. */
  taskId?: string;
  /** Path in the flow YAML, e.g. `tasks[2].retry.maxAttempt`. */
  path?: string;
  /** 1-based line in the YAML source. */
  line?: number;
  /** 1-based column in the YAML source. */
  column?: number;
}

export interface SakerErrorOptions extends ErrorLocation {
  cause?: unknown;
  /** Extra structured data for API responses. */
  details?: Record<string, unknown>;
}

function kindsOf(value: unknown): readonly string[] {
  if (typeof value !== "object" || value === null) return [];
  const kinds = (value as Record<symbol, unknown>)[KINDS];
  return Array.isArray(kinds) ? kinds : [];
}

/** Formats a location as a prefix: `Flow 'ns/id', task 't', at tasks[0].x (line 4): `. */
export function formatLocation(loc: ErrorLocation): string {
  const parts: string[] = [];
  if (loc.flow) parts.push(`Flow '${loc.flow}'`);
  if (loc.taskId) parts.push(`task '${loc.taskId}'`);
  let where = parts.join(", ");
  if (loc.path) {
    const line = loc.line ? ` (line ${loc.line})` : "";
    where = where ? `${where}, ${loc.path}${line}` : `${loc.path}${line}`;
  }
  return where ? `${where}: ` : "";
}

/**
 * Base class of every error a user can cause. `code` is stable and documented; `message` names the
 * flow, the task and the YAML path when they are known.
 */
export class SakerError extends Error {
  static readonly kind: string = "SakerError";
  readonly code: string;
  readonly location: ErrorLocation;
  readonly details: Record<string, unknown> | undefined;
  /** The message without the location prefix. */
  readonly reason: string;

  constructor(code: string, message: string, options: SakerErrorOptions = {}) {
    const { cause, details, ...location } = options;
    super(formatLocation(location) + message, cause === undefined ? undefined : { cause });
    this.code = code;
    this.reason = message;
    this.location = location;
    this.details = details;
    this.name = (new.target as typeof SakerError).kind;
    const kinds: string[] = [];
    for (let c: unknown = new.target; c && c !== Error; c = Object.getPrototypeOf(c)) {
      const kind = (c as { kind?: unknown }).kind;
      if (typeof kind === "string") kinds.push(kind);
    }
    Object.defineProperty(this, KINDS, { value: kinds, enumerable: false });
  }

  /** Returns a copy of this error with more location filled in (existing fields win). */
  withLocation(more: ErrorLocation): SakerError {
    const merged = { ...more, ...this.location };
    const copy = Object.create(Object.getPrototypeOf(this)) as SakerError;
    Object.assign(copy, this);
    Object.defineProperty(copy, KINDS, { value: kindsOf(this), enumerable: false });
    Object.defineProperty(copy, "location", { value: merged, enumerable: true });
    Object.defineProperty(copy, "message", { value: formatLocation(merged) + this.reason, writable: true });
    Object.defineProperty(copy, "stack", { value: this.stack, writable: true });
    return copy;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return kindsOf(value).includes((this as unknown as typeof SakerError).kind);
  }
}

/** True when `value` is a {@link SakerError} from any copy of the SDK. */
export function isSakerError(value: unknown): value is SakerError {
  return kindsOf(value).includes(SakerError.kind);
}

/** A task failed. Retried according to the task's `retry` policy. */
export class TaskError extends SakerError {
  static override readonly kind: string = "TaskError";
  constructor(message: string, options: SakerErrorOptions = {}) {
    super("TASK_FAILED", message, options);
  }
}

/** A task failed in a way a retry cannot fix (bad input, missing permission). */
export class NonRetryableError extends SakerError {
  static override readonly kind: string = "NonRetryableError";
  constructor(message: string, options: SakerErrorOptions = {}) {
    super("TASK_FAILED_NON_RETRYABLE", message, options);
  }
}

/** A task failed and asks to be retried no sooner than `retryAfterMs`. */
export class RetryAfterError extends SakerError {
  static override readonly kind: string = "RetryAfterError";
  readonly retryAfterMs: number;
  constructor(message: string, retryAfterMs: number, options: SakerErrorOptions = {}) {
    super("TASK_FAILED_RETRY_AFTER", message, options);
    this.retryAfterMs = retryAfterMs;
  }
}

/** Turns anything thrown into a message fit for a log line: never a bare stack trace. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  if (typeof error === "string") return error;
  try {
    return JSON.stringify(error);
  } catch {
    return String(error);
  }
}
