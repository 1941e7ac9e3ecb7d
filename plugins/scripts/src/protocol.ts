/**
 * What a script says on stdout and stderr: plain lines are logged, and a line
 * `::{"outputs":{…},"metrics":[…],"logs":[…]}::` carries outputs, metrics and log entries (the
 * protocol Kestra's `Kestra.outputs()` helpers speak). The line itself is not logged.
 *
 * @module
 */
import { LOG_LEVELS, type LogLevel, type Logger, type Metric } from "@saker/sdk";

const LINE = /^::(\{.*\})::\s*$/s;

export interface ScriptMessages {
  /** Merged `outputs` (later lines win, key by key at the top level, as Kestra does). */
  readonly vars: Record<string, unknown>;
  stdoutLines: number;
  stderrLines: number;
  /** The last stderr lines, for the failure message. */
  readonly stderrTail: string[];
}

export interface MessageSink {
  logger: Logger;
  metric(metric: Metric): void;
}

const TAIL = 10;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function toMetric(raw: unknown): Metric | string {
  if (!isRecord(raw) || typeof raw.name !== "string") return "a metric needs a 'name'";
  const value = Number(raw.value);
  if (!Number.isFinite(value)) return `metric '${raw.name}' has no numeric 'value'`;
  const tags = isRecord(raw.tags)
    ? Object.fromEntries(Object.entries(raw.tags).map(([k, v]) => [k, String(v)]))
    : undefined;
  const base = { name: raw.name, ...(tags && Object.keys(tags).length ? { tags } : {}) };
  // Timers travel in seconds (Kestra's helpers send seconds); the SDK records milliseconds.
  if (raw.type === "timer") return { ...base, type: "timer", value: value * 1000 };
  if (raw.type === "counter" || raw.type === undefined) return { ...base, type: "counter", value };
  return `metric type '${String(raw.type)}' of '${raw.name}' is not supported (counter, timer)`;
}

/** Reads script output line by line: logs plain lines and applies `::{…}::` lines. */
export class ScriptOutputReader {
  readonly messages: ScriptMessages = { vars: {}, stdoutLines: 0, stderrLines: 0, stderrTail: [] };

  constructor(private readonly sink: MessageSink) {}

  line(text: string, stream: "stdout" | "stderr"): void {
    const match = LINE.exec(text);
    if (match) return this.apply(match[1]!, text);
    const { logger } = this.sink;
    if (stream === "stdout") {
      this.messages.stdoutLines++;
      logger.info("{}", text);
    } else {
      this.messages.stderrLines++;
      this.messages.stderrTail.push(text);
      if (this.messages.stderrTail.length > TAIL) this.messages.stderrTail.shift();
      logger.error("{}", text);
    }
  }

  private apply(json: string, text: string): void {
    const { logger } = this.sink;
    let message: unknown;
    try {
      message = JSON.parse(json);
    } catch (error) {
      logger.warn("Invalid outputs line ({}), logged as it was: {}", (error as Error).message, text);
      return;
    }
    if (!isRecord(message)) return logger.warn("Invalid outputs line (not a JSON object): {}", text);
    if (isRecord(message.outputs)) Object.assign(this.messages.vars, message.outputs);
    else if (message.outputs !== undefined) logger.warn("Invalid outputs line ('outputs' must be an object): {}", text);
    for (const raw of Array.isArray(message.metrics) ? message.metrics : []) {
      const metric = toMetric(raw);
      if (typeof metric === "string") logger.warn("Invalid metric ({}): {}", metric, JSON.stringify(raw));
      else this.sink.metric(metric);
    }
    for (const raw of Array.isArray(message.logs) ? message.logs : []) {
      const entry: Record<string, unknown> = isRecord(raw) ? raw : { message: raw };
      const level = String(entry.level ?? "INFO").toUpperCase() as LogLevel;
      logger.log(
        LOG_LEVELS.includes(level) ? level : "INFO",
        "{}",
        typeof entry.message === "string" ? entry.message : JSON.stringify(entry.message),
      );
    }
  }
}
