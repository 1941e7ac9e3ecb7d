/** PostgreSQL errors: the server's message, position, detail and hint, with the SQLSTATE. */
import { driverError, networkError, type DbErrorInfo } from "../core/errors.ts";

/** SQLSTATE classes worth a retry: connection, transaction rollback, resources, operator intervention, system. */
const RETRYABLE_CLASSES = new Set(["08", "40", "53", "57", "58"]);

interface PgError {
  code?: unknown;
  message?: string;
  position?: string;
  detail?: string;
  hint?: string;
}

export function describePgError(error: unknown): DbErrorInfo {
  const network = networkError(error, "the PostgreSQL server");
  if (network) return network;
  const e = (error ?? {}) as PgError;
  if (typeof e.code === "string" && /^[0-9A-Z]{5}$/.test(e.code)) {
    const position = e.position ? ` (at character ${e.position})` : "";
    const detail = e.detail ? `. ${e.detail}` : "";
    const hint = e.hint ? `. Hint: ${e.hint}` : "";
    return {
      message: `${e.message}${position}${detail}${hint}`,
      code: e.code,
      retryable: RETRYABLE_CLASSES.has(e.code.slice(0, 2)),
    };
  }
  return driverError(error, /terminated|timeout|ended|closed/i);
}
