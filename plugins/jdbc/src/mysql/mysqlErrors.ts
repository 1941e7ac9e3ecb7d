/** MySQL / MariaDB errors: the server's message with its error number and SQLSTATE. */
import { driverError, networkError, type DbErrorInfo } from "../core/errors.ts";

/** Lock wait timeout, deadlock, too many connections, server gone away / lost, shutdown, killed. */
const RETRYABLE = new Set([1205, 1213, 1040, 2006, 2013, 1053, 1927, 1317]);

interface MysqlError {
  errno?: number;
  sqlState?: string;
  sqlMessage?: string;
  code?: string;
  fatal?: boolean;
}

export function describeMysqlError(label: string): (error: unknown) => DbErrorInfo {
  return (error) => {
    const network = networkError(error, `the ${label} server`);
    if (network) return network;
    const e = (error ?? {}) as MysqlError;
    if (e.sqlMessage) {
      const code = [e.code, e.sqlState ? `SQLSTATE ${e.sqlState}` : undefined].filter(Boolean).join(", ");
      return { message: e.sqlMessage, code, retryable: RETRYABLE.has(e.errno ?? 0) };
    }
    return driverError(error, /closed|lost|timeout|timed out/i, { lost: e.fatal, code: e.code });
  };
}
