/**
 * What a task receives when it runs: rendering, logging, storage, secrets, the KV store, metrics,
 * a working directory and the signal that tells it to stop.
 *
 * @module
 */
import type { Readable } from "node:stream";

/** Log levels, from the most verbose. */
export const LOG_LEVELS = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * A task's logger. Lines go to the execution's logs. Every secret value the task read through
 * `secret()` (and every SECRET input) is masked before a line is written.
 */
export interface Logger {
  trace(message: string, ...args: unknown[]): void;
  debug(message: string, ...args: unknown[]): void;
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string, ...args: unknown[]): void;
  /** Logs at `level`. `{}` placeholders in `message` are replaced by `args` in order, as slf4j does. */
  log(level: LogLevel, message: string, ...args: unknown[]): void;
}

/** Anything that can become a stored file. A string is a path on the worker's disk. */
export type FileSource = Buffer | Uint8Array | string | Readable | AsyncIterable<Uint8Array>;

/** Internal storage, seen from one task run. URIs look like `kestra:///namespace/flow/executions/…`. */
export interface TaskStorage {
  /**
   * Stores `source` under the task run's prefix and returns its `kestra://` URI. The stored name
   * is `name` behind a unique prefix, or exactly `name` with `exactName` (a plain file name:
   * no folder, no `..`), replacing a file of that name the task run stored before.
   */
  putFile(source: FileSource, name?: string, options?: { exactName?: boolean }): Promise<string>;
  /**
   * Opens a stored file. Only URIs of this execution (or its parent/trigger execution) and
   * namespace files are readable. A stream still open when the task run ends is closed then.
   */
  getFile(uri: string): Promise<Readable>;
  /** Reads a whole stored file. */
  readFile(uri: string): Promise<Buffer>;
  exists(uri: string): Promise<boolean>;
  /** Size in bytes. */
  size(uri: string): Promise<number>;
  /** Deletes a stored file; resolves `false` when there was none. */
  delete(uri: string): Promise<boolean>;
  /** Files of a namespace (default: the flow's). Paths are relative to the namespace root. */
  namespace(namespace?: string): NamespaceFiles;
}

export interface NamespaceFiles {
  readonly namespace: string;
  list(prefix?: string): Promise<string[]>;
  get(path: string): Promise<Buffer>;
  put(path: string, content: FileSource): Promise<string>;
  delete(path: string): Promise<boolean>;
  exists(path: string): Promise<boolean>;
}

export const KV_TYPES = ["STRING", "NUMBER", "BOOLEAN", "DATETIME", "DATE", "DURATION", "JSON"] as const;
export type KvType = (typeof KV_TYPES)[number];

export interface KvEntry {
  key: string;
  value: unknown;
  type: KvType;
  /** ISO timestamp after which the entry is gone. */
  expirationDate?: string;
  updateDate: string;
  /** When the key was first written (kept when the value is replaced); set by the store. */
  creationDate?: string;
}

/** The key-value store of one namespace. */
export interface KvStore {
  readonly namespace: string;
  get(key: string): Promise<KvEntry | undefined>;
  set(key: string, value: unknown, options?: { type?: KvType; ttlMs?: number; overwrite?: boolean }): Promise<void>;
  delete(key: string): Promise<boolean>;
  list(prefix?: string): Promise<KvEntry[]>;
}

export interface Metric {
  name: string;
  type: "counter" | "timer";
  /** Counter increment, or timer duration in milliseconds. */
  value: number;
  tags?: Record<string, string>;
}

/** Which namespace files to copy into a working directory (Kestra's `namespaceFiles`). */
export interface NamespaceFilesFilter {
  /** Only paths matching one of these globs (relative to the namespace files root). */
  include?: readonly string[];
  /** Leave out paths matching one of these globs. */
  exclude?: readonly string[];
  /** Namespaces to copy from (default: the flow's). */
  namespaces?: readonly string[];
}

/**
 * The task run's working directory ({@link RunContext.workingDir}) seen as files, handled as
 * Kestra's script tasks handle `inputFiles`, `namespaceFiles` and `outputFiles`. No file is ever
 * written or read through a symbolic link.
 */
export interface WorkingFiles {
  /** Writes named files: text as it is, a `kestra://` URI copied from storage. A name may not leave the directory. */
  write(files: Readonly<Record<string, unknown>>): Promise<void>;
  /** Copies namespace files into the directory, keeping their relative paths. */
  copyNamespaceFiles(filter?: NamespaceFilesFilter): Promise<void>;
  /** Stores the regular files matching the globs (`glob:` or `regex:` as Kestra writes them): relative path → `kestra://` URI. */
  upload(globs: readonly string[]): Promise<Record<string, string>>;
}

/** Identity of the flow, execution and task run a task belongs to. */
export interface RunInfo {
  readonly flow: {
    readonly id: string;
    readonly namespace: string;
    readonly revision?: number;
    readonly tenantId?: string;
  };
  readonly execution: { readonly id: string; readonly originalId?: string };
  readonly task: { readonly id: string; readonly type: string };
  readonly taskRun: {
    readonly id: string;
    readonly value?: string;
    readonly parentId?: string;
    readonly iteration?: number;
    /** Attempts made before this one. */
    readonly attemptsCount: number;
  };
}

/** Another execution of the same tenant, as the notification `*Execution` tasks summarize it. */
export interface ExecutionSummary {
  readonly id: string;
  readonly namespace: string;
  readonly flowId: string;
  readonly state: string;
  readonly startDate: string;
  readonly endDate?: string;
  /** ISO-8601 duration (`PT1.5S`). */
  readonly duration: string;
  /** Its page in the UI, from configuration `server.url`; absent when that is not set. */
  readonly url?: string;
  readonly labels: readonly { readonly key: string; readonly value: string }[];
  readonly taskRuns: readonly {
    readonly id: string;
    readonly taskId: string;
    readonly state: string;
    readonly value?: string;
  }[];
}

/** A flow as the instance stores it: its latest revision and the YAML source as it was saved. */
export interface FlowSource {
  readonly namespace: string;
  readonly id: string;
  readonly revision: number;
  readonly source: string;
}

/**
 * The flows of this tenant, for tasks that manage flows (Kestra's git `SyncFlows` and
 * `PushFlows`). Sources are validated as the API validates them; a source that does not validate
 * is refused with the API's error (`FLOW_INVALID`, `YAML_INVALID`, …).
 */
export interface FlowAccess {
  /** The latest, not deleted, flows of `namespace` (with `children`, of its child namespaces too), by namespace and id. */
  list(namespace: string, options?: { children?: boolean }): Promise<FlowSource[]>;
  /** The latest revision of a flow; undefined when there is none or it is deleted. */
  get(namespace: string, id: string): Promise<FlowSource | undefined>;
  /** Parses and validates a source without saving it: the namespace and id it declares. */
  validate(source: string, sourceName?: string): Promise<{ namespace: string; id: string }>;
  /** Validates and saves a source: a changed source adds a revision (`changed`), an unchanged one keeps it. */
  put(source: string, sourceName?: string): Promise<{ flow: FlowSource; changed: boolean }>;
  /** Deletes a flow (its revisions are kept); false when there was none. */
  delete(namespace: string, id: string): Promise<boolean>;
}

export interface RunContext extends RunInfo {
  readonly logger: Logger;
  /** Aborted when the task times out or its execution is killed. Pass it to every I/O call. */
  readonly signal: AbortSignal;
  /** The variables expressions see (`inputs`, `outputs`, `vars`, `trigger`, …). */
  readonly variables: Readonly<Record<string, unknown>>;
  /** Renders a template to a string. `extra` adds variables on top of the task's. */
  render(template: string, extra?: Record<string, unknown>): Promise<string>;
  /** Renders a single-expression template to its native value (`{{ [1, 2] }}` → `[1, 2]`). */
  renderTyped(template: string, extra?: Record<string, unknown>): Promise<unknown>;
  /** Renders every string inside a value (map keys too). */
  renderValue(value: unknown, extra?: Record<string, unknown>): Promise<unknown>;
  /** Reads a secret; the value is masked in every log line from now on. */
  secret(key: string): Promise<string>;
  readonly storage: TaskStorage;
  /** The KV store of `namespace` (default: the flow's namespace). */
  kv(namespace?: string): KvStore;
  metric(metric: Metric): void;
  /** A temporary directory for this task run, created on first call and removed after it. */
  workingDir(): Promise<string>;
  /** Files in that working directory: inputs written in, namespace files copied in, outputs stored. */
  readonly workingFiles: WorkingFiles;
  /** Static settings for this plugin type from the instance configuration (`plugins.configurations`). */
  pluginConfiguration(): Readonly<Record<string, unknown>>;
  /**
   * Reads another execution of this tenant (undefined when there is none). Optional: a context
   * built outside a Saker worker may not offer it.
   */
  executionSummary?(executionId: string): Promise<ExecutionSummary | undefined>;
  /** The flows of this tenant. Optional: a context built outside a Saker worker may not offer it. */
  readonly flows?: FlowAccess;
  /**
   * The address ranges (CIDR) this instance refuses outbound connections to, from configuration
   * `http.refusedAddresses`; absent outside a Saker worker (the SDK's default applies). Use it
   * through `checkHttpUrl`, `outboundLookup` and `resolveOutbound`.
   */
  readonly refusedAddresses?: readonly string[];
}
