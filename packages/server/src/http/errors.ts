/**
 * One error shape for every response that is not a success:
 *
 * ```json
 * { "message": "Flow 'company.team/hello' is invalid: …", "code": "FLOW_INVALID",
 *   "path": "tasks[2].retry.maxAttempt", "details": { "issues": [{ "path": "…", "message": "…", "line": 12 }] } }
 * ```
 *
 * `code` is stable (the engine's `SakerError` codes, plus a few HTTP ones below); `path` and
 * `details` appear when known. A 5xx never carries the cause's message or stack: it is logged.
 */
import { isSakerError, type SakerError, type SakerErrorCode } from "@saker/sdk";

export interface ErrorBody {
  message: string;
  code: string;
  path?: string;
  details?: Record<string, unknown>;
}

/** An error raised by the HTTP layer itself (bad query, unknown route, auth). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: { path?: string; details?: Record<string, unknown> } = {},
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export const badRequest = (message: string, path?: string, details?: Record<string, unknown>) =>
  new ApiError(400, "BAD_REQUEST", message, { ...(path ? { path } : {}), ...(details ? { details } : {}) });
export const notFound = (code: string, message: string) => new ApiError(404, code, message);
export const conflict = (code: string, message: string) => new ApiError(409, code, message);

/**
 * The HTTP status of every engine error code: the one place codes meet statuses. A
 * `Record<SakerErrorCode, number>`, so a code added to the SDK does not compile until it has a
 * status here. `docs/rest-api.md` lists the same table (`npm run docs:error-codes`).
 */
export const STATUS_BY_CODE: Record<SakerErrorCode, number> = {
  ASSETS_INVALID: 400,
  BACKFILL_INVALID: 400,
  BACKFILL_NOT_FOUND: 404,
  BACKFILL_RUNNING: 409,
  CLI_USAGE: 400,
  CONDITION_INVALID: 400,
  CONFIG_INVALID: 400,
  CRON_INVALID: 400,
  DAG_INVALID: 422,
  DATABASE_DAMAGED: 400,
  DATA_KEY_FORBIDDEN: 400,
  DATA_LIMIT_EXCEEDED: 400,
  DECRYPTION_FAILED: 400,
  DISK_FULL: 507,
  ENCRYPTION_KEY_INVALID: 400,
  ENGINE_UNAVAILABLE: 400,
  EXECUTION_FINISHED: 409,
  EXECUTION_NOT_FOUND: 404,
  EXECUTION_NOT_PAUSED: 409,
  EXECUTION_NOT_RESTARTABLE: 409,
  EXPRESSION_ERROR: 400,
  EXPRESSION_SYNTAX: 400,
  FILE_NOT_FOUND: 404,
  FLOW_DISABLED: 409,
  FLOW_INVALID: 422,
  FLOW_NOT_FOUND: 404,
  FLOW_TOO_LARGE: 413,
  HOME_LOCKED: 400,
  INPUT_INVALID: 422,
  INTERRUPTED: 400,
  JQ_MEMORY: 400,
  JQ_TIMEOUT: 400,
  KV_KEY_EXISTS: 409,
  KV_KEY_INVALID: 400,
  MIGRATE_CONFLICT: 409,
  MIGRATE_SOURCE_INVALID: 400,
  NOTIFICATION_BAD_PAYLOAD: 400,
  NOTIFICATION_BAD_URL: 400,
  NOTIFICATION_NO_MESSAGE: 400,
  NOTIFICATION_REJECTED: 400,
  NOTIFICATION_TIMEOUT: 400,
  NOTIFICATION_UNREACHABLE: 400,
  OUTPUT_INVALID: 422,
  PASSWORD_HASH_INVALID: 400,
  PLUGIN_ALREADY_INSTALLED: 409,
  PLUGIN_BUNDLED: 409,
  PLUGIN_INSTALL_FAILED: 422,
  PLUGIN_INVALID: 422,
  PLUGIN_NOT_A_TARBALL: 400,
  PLUGIN_NOT_FOUND: 404,
  PLUGIN_NOT_INSTALLED: 404,
  PLUGIN_SCAFFOLD_EXISTS: 400,
  PLUGIN_VERSION_IN_USE: 409,
  PLUGIN_VERSION_NOT_FOUND: 404,
  PLUGIN_VERSION_REQUIRED: 400,
  PROPERTY_INVALID: 422,
  REGEX_INVALID: 400,
  REGEX_REPLACEMENT: 400,
  REGEX_UNSUPPORTED: 400,
  SEARCH_INVALID: 400,
  SECRETS_FILE_INVALID: 400,
  SECRET_INVALID: 400,
  SECRET_NOT_FOUND: 404,
  SERVER_AUTH_REQUIRED: 400,
  STORAGE_ACCESS_DENIED: 403,
  STORAGE_BUCKET_NOT_FOUND: 503,
  STORAGE_CREDENTIALS_REJECTED: 503,
  STORAGE_FAILED: 502,
  STORAGE_LINK_REFUSED: 403,
  STORAGE_PATH_INVALID: 400,
  STORAGE_UNREACHABLE: 503,
  SUBFLOW_DYNAMIC: 422,
  SUBFLOW_NOT_FOUND: 404,
  TASK_FAILED: 400,
  TASK_FAILED_NON_RETRYABLE: 400,
  TASK_FAILED_RETRY_AFTER: 400,
  TASK_NOT_FOUND: 404,
  TASK_RUN_NOT_FOUND: 404,
  TEMPLATE_UNSUPPORTED: 400,
  TIMEOUT: 504,
  TRIGGER_NOT_FOUND: 404,
  WEBHOOK_NOT_FOUND: 404,
  YAML_INVALID: 422,
  YAML_PARSER_STOPPED: 503,
};

/**
 * The HTTP status of an engine error, by its code only. A code outside the table can still arrive
 * at run time from a plugin built against another SDK copy: a `_NOT_FOUND` one is a 404, any other
 * a 400.
 */
export function statusOf(error: SakerError): number {
  const byCode = (STATUS_BY_CODE as Partial<Record<string, number>>)[error.code];
  if (byCode) return byCode;
  return error.code.endsWith("_NOT_FOUND") ? 404 : 400;
}

/** Engine details worth showing; a `status` hint (from a plugin built against an old SDK) is not the client's business. */
function publicDetails(details: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!details) return undefined;
  const { status: _status, ...rest } = details;
  return Object.keys(rest).length ? rest : undefined;
}

function firstIssuePath(details: Record<string, unknown> | undefined): string | undefined {
  const issues = details?.issues;
  if (!Array.isArray(issues) || issues.length === 0) return undefined;
  const path = (issues[0] as { path?: unknown }).path;
  return typeof path === "string" && path !== "" ? path : undefined;
}

/** Fastify's own errors (body too large, bad JSON, unsupported media type…) by their code. */
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  FST_REQ_FILE_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  FST_FILES_LIMIT: "PAYLOAD_TOO_LARGE",
  FST_PARTS_LIMIT: "PAYLOAD_TOO_LARGE",
  FST_FIELDS_LIMIT: "PAYLOAD_TOO_LARGE",
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
  FST_INVALID_MULTIPART_CONTENT_TYPE: "UNSUPPORTED_MEDIA_TYPE",
};

export interface ErrorResponse {
  status: number;
  body: ErrorBody;
  /** Set for 5xx errors that are not ours: to be logged, never sent. */
  internal?: unknown;
}

/** Turns anything thrown by a handler into a status and the public error body. */
export function toErrorResponse(error: unknown): ErrorResponse {
  if (error instanceof ApiError) {
    return { status: error.status, body: { message: error.message, code: error.code, ...error.extra } };
  }
  if (isSakerError(error)) {
    const status = statusOf(error);
    const details = publicDetails(error.details);
    const path = error.location.path ?? firstIssuePath(error.details);
    return {
      status,
      body: { message: error.message, code: error.code, ...(path ? { path } : {}), ...(details ? { details } : {}) },
    };
  }
  const fastify = error as { statusCode?: unknown; code?: unknown; message?: unknown };
  if (typeof fastify?.statusCode === "number" && fastify.statusCode >= 400 && fastify.statusCode < 500) {
    const code = typeof fastify.code === "string" ? (FASTIFY_CODES[fastify.code] ?? "BAD_REQUEST") : "BAD_REQUEST";
    return {
      status: code === "PAYLOAD_TOO_LARGE" ? 413 : fastify.statusCode,
      body: { message: String(fastify.message ?? "Bad request"), code },
    };
  }
  return { status: 500, body: { message: "Internal server error", code: "INTERNAL_ERROR" }, internal: error };
}
