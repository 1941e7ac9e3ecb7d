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
 * Every code a {@link SakerError} may carry: a closed list, so an unknown code is a compile error.
 * Each code is documented with when it is raised; the REST API maps codes to HTTP statuses (in the
 * server only, never here) and `docs/rest-api.md` lists them (`npm run docs:error-codes` rewrites
 * that table from these comments).
 *
 * Plugins report failures with {@link TaskError}, {@link NonRetryableError} or
 * {@link RetryAfterError} (codes `TASK_FAILED*`), or with a code of their family listed here
 * (`NOTIFICATION_*` for the notification plugins). A plugin family that needs its own codes adds
 * them to this list, with a comment, in the same change.
 */
export type SakerErrorCode =
  /** An `assets` block of a task or flow has a bad id, type or URI. */
  | "ASSETS_INVALID"
  /** A backfill is asked of a non-Schedule trigger, or its start or end is not a date, future or out of order. */
  | "BACKFILL_INVALID"
  /** The trigger has no backfill to pause, resume or delete. */
  | "BACKFILL_NOT_FOUND"
  /** The trigger already has a backfill running. */
  | "BACKFILL_RUNNING"
  /** The command line has a bad argument. */
  | "CLI_USAGE"
  /** A trigger condition is misconfigured or not a condition type. */
  | "CONDITION_INVALID"
  /** The configuration file or an environment override is invalid. */
  | "CONFIG_INVALID"
  /** A cron expression cannot be parsed. */
  | "CRON_INVALID"
  /** A `Dag` task's dependencies name unknown tasks or form a cycle. */
  | "DAG_INVALID"
  /** The SQLite database file is corrupt or not a database. */
  | "DATABASE_DAMAGED"
  /** A YAML or JSON document uses a forbidden key (`__proto__`, `constructor`, `prototype`). */
  | "DATA_KEY_FORBIDDEN"
  /** A YAML or JSON document is larger, deeper or has more aliases than the data limits allow. */
  | "DATA_LIMIT_EXCEEDED"
  /** An encrypted value cannot be decrypted with the configured key. */
  | "DECRYPTION_FAILED"
  /** The disk holding the data folder or the database is full. */
  | "DISK_FULL"
  /** The encryption key is missing, too short or malformed. */
  | "ENCRYPTION_KEY_INVALID"
  /** A task that needs the engine's services runs outside a Saker worker. */
  | "ENGINE_UNAVAILABLE"
  /** An action (e.g. kill) needs a running execution, and this one has ended. */
  | "EXECUTION_FINISHED"
  /** No execution has this id. */
  | "EXECUTION_NOT_FOUND"
  /** Resume was asked of an execution that is not paused. */
  | "EXECUTION_NOT_PAUSED"
  /** Restart or replay was asked of an execution in a state that does not allow it. */
  | "EXECUTION_NOT_RESTARTABLE"
  /** A Pebble expression failed while rendering (unknown variable, bad filter argument…). */
  | "EXPRESSION_ERROR"
  /** A Pebble expression cannot be parsed. */
  | "EXPRESSION_SYNTAX"
  /** A file named by a path, URI or input does not exist. */
  | "FILE_NOT_FOUND"
  /** The flow is disabled, so it cannot start executions. */
  | "FLOW_DISABLED"
  /** The flow YAML does not match the flow schema; `details.issues` lists every problem. */
  | "FLOW_INVALID"
  /** No flow has this namespace and id (or revision). */
  | "FLOW_NOT_FOUND"
  /** The flow source is larger than `limits.maxFlowBytes`. */
  | "FLOW_TOO_LARGE"
  /** Another Saker process holds the lock on the data folder. */
  | "HOME_LOCKED"
  /** An execution input is missing, of the wrong type or fails its validation. */
  | "INPUT_INVALID"
  /** The CLI was interrupted while an execution was running. */
  | "INTERRUPTED"
  /** A jq filter used more than its memory budget. */
  | "JQ_MEMORY"
  /** A jq filter ran longer than its time budget. */
  | "JQ_TIMEOUT"
  /** A KV key already exists and `overwrite` is false. */
  | "KV_KEY_EXISTS"
  /** A KV key has characters that are not allowed. */
  | "KV_KEY_INVALID"
  /** `saker migrate`: the PostgreSQL target holds different data under the ids being copied (see `--overwrite`). */
  | "MIGRATE_CONFLICT"
  /** `saker migrate`: the source is missing, not a Saker database, or of another schema version. */
  | "MIGRATE_SOURCE_INVALID"
  /** A notification task's payload is not valid JSON. */
  | "NOTIFICATION_BAD_PAYLOAD"
  /** A notification task's URL or DSN (e.g. Sentry's) is malformed. */
  | "NOTIFICATION_BAD_URL"
  /** A notification task has neither a message nor a payload to send. */
  | "NOTIFICATION_NO_MESSAGE"
  /** The notification service answered with an error status. */
  | "NOTIFICATION_REJECTED"
  /** The notification service did not answer in time. */
  | "NOTIFICATION_TIMEOUT"
  /** The notification service cannot be reached. */
  | "NOTIFICATION_UNREACHABLE"
  /** A flow output is missing or of the wrong type. */
  | "OUTPUT_INVALID"
  /** A password hash in `server.basicAuth.users` is malformed. */
  | "PASSWORD_HASH_INVALID"
  /** The plugin version is already installed. */
  | "PLUGIN_ALREADY_INSTALLED"
  /** The plugin is bundled with Saker and cannot be uninstalled. */
  | "PLUGIN_BUNDLED"
  /** Installing a plugin package failed (npm could not run or fetch it, or it did not load). */
  | "PLUGIN_INSTALL_FAILED"
  /** A plugin's package or manifest is invalid. */
  | "PLUGIN_INVALID"
  /** No plugin provides this task, trigger or condition type. */
  | "PLUGIN_NOT_FOUND"
  /** An uploaded plugin package is not a gzipped tarball (`npm pack`'s `.tgz`). */
  | "PLUGIN_NOT_A_TARBALL"
  /** The plugin version to uninstall is not installed. */
  | "PLUGIN_NOT_INSTALLED"
  /** `plugins scaffold` would overwrite an existing folder. */
  | "PLUGIN_SCAFFOLD_EXISTS"
  /** A flow pins the plugin version to uninstall (its `version:` only that version meets). */
  | "PLUGIN_VERSION_IN_USE"
  /** The plugin exists but not in the requested version. */
  | "PLUGIN_VERSION_NOT_FOUND"
  /** Several versions of a plugin are loaded and the flow names none. */
  | "PLUGIN_VERSION_REQUIRED"
  /** A task, trigger or flow property is missing or has a bad value. */
  | "PROPERTY_INVALID"
  /** A regular expression cannot be compiled. */
  | "REGEX_INVALID"
  /** A regex replacement string has a bad `$` group reference or escape. */
  | "REGEX_REPLACEMENT"
  /** A regular expression uses syntax the linear-time engine (RE2) does not support. */
  | "REGEX_UNSUPPORTED"
  /** A search has an unknown filter or sort field, a bad filter value, or a page or size out of range. */
  | "SEARCH_INVALID"
  /** The secrets file cannot be read or parsed. */
  | "SECRETS_FILE_INVALID"
  /** A secret's value is not the JSON a sub-key lookup needs. */
  | "SECRET_INVALID"
  /** No secret has this key. */
  | "SECRET_NOT_FOUND"
  /** Basic auth is disabled while the server listens beyond loopback. */
  | "SERVER_AUTH_REQUIRED"
  /** A storage path or URI points outside what the flow or execution may read. */
  | "STORAGE_ACCESS_DENIED"
  /** The S3 bucket of the internal storage does not exist. */
  | "STORAGE_BUCKET_NOT_FOUND"
  /** The S3 storage refused the configured credentials, or none could be found. */
  | "STORAGE_CREDENTIALS_REJECTED"
  /** The S3 storage answered a request with an error. */
  | "STORAGE_FAILED"
  /** A storage path goes through a symbolic link. */
  | "STORAGE_LINK_REFUSED"
  /** A storage path or URI is malformed. */
  | "STORAGE_PATH_INVALID"
  /** The S3 storage endpoint cannot be reached. */
  | "STORAGE_UNREACHABLE"
  /** A subflow node cannot be expanded because its namespace or flow id is an expression. */
  | "SUBFLOW_DYNAMIC"
  /** The subflow a graph asks to expand cannot be found. */
  | "SUBFLOW_NOT_FOUND"
  /** A task failed; retried according to the task's `retry` policy ({@link TaskError}). */
  | "TASK_FAILED"
  /** A task failed in a way a retry cannot fix ({@link NonRetryableError}). */
  | "TASK_FAILED_NON_RETRYABLE"
  /** A task failed and asks to be retried later ({@link RetryAfterError}). */
  | "TASK_FAILED_RETRY_AFTER"
  /** No task of the flow has this id. */
  | "TASK_NOT_FOUND"
  /** No task run of the execution has this id. */
  | "TASK_RUN_NOT_FOUND"
  /** The `Template` task is not supported. */
  | "TEMPLATE_UNSUPPORTED"
  /** An execution did not end within the time the caller waited. */
  | "TIMEOUT"
  /** The flow has no trigger with this id. */
  | "TRIGGER_NOT_FOUND"
  /** No enabled webhook trigger matches this namespace, flow and key. */
  | "WEBHOOK_NOT_FOUND"
  /** A YAML document cannot be parsed. */
  | "YAML_INVALID"
  /** The YAML parser thread stopped before answering; trying again may work. */
  | "YAML_PARSER_STOPPED";

/**
 * Base class of every error a user can cause. `code` is stable and documented; `message` names the
 * flow, the task and the YAML path when they are known.
 */
export class SakerError extends Error {
  static readonly kind: string = "SakerError";
  readonly code: SakerErrorCode;
  readonly location: ErrorLocation;
  readonly details: Record<string, unknown> | undefined;
  /** The message without the location prefix. */
  readonly reason: string;

  constructor(code: SakerErrorCode, message: string, options: SakerErrorOptions = {}) {
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
    // a plain object some libraries throw instead of an Error (JSONata's `{ code, message, … }`)
    const message = (error as { message?: unknown } | null)?.message;
    if (typeof message === "string" && message) return message;
    return JSON.stringify(error);
  } catch {
    return String(error);
  }
}
