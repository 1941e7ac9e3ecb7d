import { LOG_LEVELS, type LogLevel, type Logger } from "@saker/sdk";
import { formatMessage } from "../executor/executorRun.ts";
import type { LogEntry } from "../executor/types.ts";
import type { SecretMasker } from "../secrets/masker.ts";

/** A task run's logger: formats `{}` placeholders, masks secrets, drops lines below `minLevel`. */
export function createTaskLogger(
  base: Omit<LogEntry, "level" | "message" | "timestamp">,
  masker: SecretMasker,
  sink: (entry: LogEntry) => void,
  minLevel: LogLevel = "TRACE",
): Logger {
  const min = LOG_LEVELS.indexOf(minLevel);
  const log = (level: LogLevel, message: string, ...args: unknown[]) => {
    if (LOG_LEVELS.indexOf(level) < min) return;
    // Object.assign, then the keys: a spread of `base` followed by new keys is many times slower in V8
    const entry = Object.assign({}, base) as LogEntry;
    entry.level = level;
    entry.message = masker.mask(formatMessage(message, args));
    entry.timestamp = new Date().toISOString();
    sink(entry);
  };
  return {
    trace: (m, ...a) => log("TRACE", m, ...a),
    debug: (m, ...a) => log("DEBUG", m, ...a),
    info: (m, ...a) => log("INFO", m, ...a),
    warn: (m, ...a) => log("WARN", m, ...a),
    error: (m, ...a) => log("ERROR", m, ...a),
    log,
  };
}
