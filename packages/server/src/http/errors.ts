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
import { isSakerError, type SakerError } from "@saker/sdk";

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

/** Statuses by engine error code. The code decides, not the engine's `details.status` hint. */
const STATUS_BY_CODE: Record<string, number> = {
  FLOW_INVALID: 422,
  YAML_INVALID: 422,
  INPUT_INVALID: 422,
  DAG_INVALID: 422,
  PROPERTY_INVALID: 422,
  OUTPUT_INVALID: 422,
  FLOW_DISABLED: 409,
  EXECUTION_NOT_PAUSED: 409,
  EXECUTION_NOT_RESTARTABLE: 409,
  EXECUTION_FINISHED: 409,
  PLUGIN_ALREADY_INSTALLED: 409,
  PLUGIN_BUNDLED: 409,
  KV_KEY_EXISTS: 409,
  STORAGE_PATH_INVALID: 400,
  KV_KEY_INVALID: 400,
  STORAGE_ACCESS_DENIED: 403,
  STORAGE_LINK_REFUSED: 403,
  DATA_LIMIT_EXCEEDED: 400,
  DATA_KEY_FORBIDDEN: 400,
  FLOW_TOO_LARGE: 413,
  PLUGIN_INSTALL_FAILED: 422,
  PLUGIN_INVALID: 422,
  TIMEOUT: 504,
  DISK_FULL: 507,
};

/** The HTTP status of an engine error: its code, then `details.status`, then the code's suffix. */
export function statusOf(error: SakerError): number {
  const byCode = STATUS_BY_CODE[error.code];
  if (byCode) return byCode;
  const hint = error.details?.status;
  if (typeof hint === "number" && hint >= 400 && hint < 600) return hint;
  if (error.code.endsWith("_NOT_FOUND") || error.code === "PLUGIN_NOT_INSTALLED") return 404;
  if (error.code.endsWith("_INVALID")) return 400;
  return 400;
}

/** Engine details worth showing (the status hint is ours, not the client's business). */
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
