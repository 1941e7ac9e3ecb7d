/**
 * What a process says on stdout and stderr, read as Kestra reads it (`@saker/sdk/outputProtocol`):
 * bytes split into lines as they arrive, plain lines logged (stdout at INFO, stderr at ERROR), and
 * a line `::{"outputs":{…},"metrics":[…],"logs":[…]}::` (the protocol of Kestra's
 * `Kestra.outputs()` helpers) taken as outputs, metrics and log entries instead of being logged.
 * Shared by the script tasks and SSH's Command.
 *
 * @module
 */
import { StringDecoder } from "node:string_decoder";
import { LOG_LEVELS, type LogLevel, type Logger, type Metric } from "./runContext.ts";

/** Longer lines are cut into pieces of this many characters (a huge line never fills the worker's memory). */
export const MAX_LINE_LENGTH = 1 << 20;

export interface LineSplitter {
  write(chunk: Buffer): void;
  /** Emits what is left (a last line without an end). */
  end(): void;
}

export interface SplitLinesOptions {
  maxLength?: number;
  /** A lone `\r` ends a line too, as Java's `readLine` (default: only `\n`, a `\r` before it dropped). */
  loneCrEndsLine?: boolean;
}

/**
 * Splits a byte stream into text lines without holding more than one line in memory; a line
 * longer than `maxLength` is cut into pieces, so nothing printed is dropped.
 */
export function splitLines(onLine: (line: string) => void, options: SplitLinesOptions = {}): LineSplitter {
  const maxLength = options.maxLength ?? MAX_LINE_LENGTH;
  const loneCr = options.loneCrEndsLine === true;
  const decoder = new StringDecoder("utf8");
  let pending = "";
  // a chunk that ended with `\r`: a `\n` opening the next chunk belongs to the same line end
  let afterCr = false;
  const emit = (line: string) => {
    for (let at = 0; at === 0 || at < line.length; at += maxLength) onLine(line.slice(at, at + maxLength));
  };
  const feed = (text: string) => {
    let start = afterCr && text.startsWith("\n") ? 1 : 0;
    afterCr = false;
    for (let i = start; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) {
        const line = pending + text.slice(start, i);
        emit(!loneCr && line.endsWith("\r") ? line.slice(0, -1) : line);
      } else if (c === 13 && loneCr) {
        emit(pending + text.slice(start, i));
        if (i + 1 === text.length) afterCr = true;
        else if (text.charCodeAt(i + 1) === 10) i++;
      } else continue;
      pending = "";
      start = i + 1;
    }
    pending += text.slice(start);
    while (pending.length >= maxLength) {
      onLine(pending.slice(0, maxLength));
      pending = pending.slice(maxLength);
    }
  };
  return {
    write: (chunk) => feed(decoder.write(chunk)),
    end() {
      feed(decoder.end());
      if (pending) emit(!loneCr && pending.endsWith("\r") ? pending.slice(0, -1) : pending);
      pending = "";
    },
  };
}

const MESSAGE_LINE = /^::(\{.*\})::\s*$/s;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A metric of a message, or why it is refused. Timers travel in seconds (Kestra's helpers); the SDK records milliseconds. */
function metricOf(raw: unknown): Metric | string {
  if (!isObject(raw) || typeof raw.name !== "string") return "a metric needs a 'name'";
  const value = Number(raw.value);
  if (!Number.isFinite(value)) return `metric '${raw.name}' has no numeric 'value'`;
  const tags = isObject(raw.tags) ? Object.fromEntries(Object.entries(raw.tags).map(([k, v]) => [k, String(v)])) : {};
  const type = raw.type === undefined ? "counter" : raw.type;
  if (type !== "counter" && type !== "timer")
    return `metric type '${String(type)}' of '${raw.name}' is not supported (counter, timer)`;
  const metric: Metric = { name: raw.name, type, value: type === "timer" ? value * 1000 : value };
  if (Object.keys(tags).length) metric.tags = tags;
  return metric;
}

export interface OutputReaderOptions {
  /** How many last stderr lines are kept for a failure message (default 10). */
  tail?: number;
  /**
   * The outputs of stderr's message lines win over stdout's, whatever their order (SSH's Command,
   * as Kestra merges them); by default later lines win, key by key at the top level.
   */
  stderrOverStdout?: boolean;
}

/** Reads output line by line: logs plain lines and applies `::{…}::` lines. */
export class OutputReader {
  stdoutLines = 0;
  stderrLines = 0;
  /** The last stderr lines, for the failure message. */
  readonly stderrTail: string[] = [];
  private readonly fromStdout: Record<string, unknown> = {};
  private readonly fromStderr: Record<string, unknown>;
  private readonly tail: number;

  constructor(
    private readonly logger: Logger,
    private readonly metric: (metric: Metric) => void,
    options: OutputReaderOptions = {},
  ) {
    this.tail = options.tail ?? 10;
    this.fromStderr = options.stderrOverStdout ? {} : this.fromStdout;
  }

  /** The merged `outputs` of the message lines. */
  get vars(): Record<string, unknown> {
    return this.fromStderr === this.fromStdout ? this.fromStdout : { ...this.fromStdout, ...this.fromStderr };
  }

  line(text: string, stream: "stdout" | "stderr"): void {
    const message = MESSAGE_LINE.exec(text);
    if (message) return this.apply(message[1]!, text, stream === "stdout" ? this.fromStdout : this.fromStderr);
    if (stream === "stdout") {
      this.stdoutLines++;
      return this.logger.info("{}", text);
    }
    this.stderrLines++;
    this.stderrTail.push(text);
    if (this.stderrTail.length > this.tail) this.stderrTail.shift();
    this.logger.error("{}", text);
  }

  private apply(json: string, text: string, vars: Record<string, unknown>): void {
    let message: unknown;
    try {
      message = JSON.parse(json);
    } catch (error) {
      return this.logger.warn("Invalid outputs line ({}), logged as it was: {}", (error as Error).message, text);
    }
    if (!isObject(message)) return this.logger.warn("Invalid outputs line (not a JSON object): {}", text);
    if (isObject(message.outputs)) Object.assign(vars, message.outputs);
    else if (message.outputs !== undefined)
      this.logger.warn("Invalid outputs line ('outputs' must be an object): {}", text);
    for (const raw of Array.isArray(message.metrics) ? message.metrics : []) {
      const metric = metricOf(raw);
      if (typeof metric === "string") this.logger.warn("Invalid metric ({}): {}", metric, JSON.stringify(raw));
      else this.metric(metric);
    }
    for (const raw of Array.isArray(message.logs) ? message.logs : []) {
      const entry: Record<string, unknown> = isObject(raw) ? raw : { message: raw };
      const level = String(entry.level ?? "INFO").toUpperCase() as LogLevel;
      const line = typeof entry.message === "string" ? entry.message : JSON.stringify(entry.message);
      this.logger.log(LOG_LEVELS.includes(level) ? level : "INFO", "{}", line);
    }
  }
}
