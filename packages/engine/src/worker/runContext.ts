import { existsSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { FlowAccess, KvStore, Logger, Metric, RunContext, TaskStorage } from "@saker/sdk";
import type { RenderServices, Renderer } from "../expression/renderer.ts";
import type { WorkerJob } from "../executor/types.ts";
import { signalOf, type Abortable } from "../model/killSwitch.ts";
import { storeFiles, writeFiles } from "../storage/workingFiles.ts";
import { copyNamespaceFiles, prepareWorkingDirectory, sharedDirectoryPath } from "./workingDirectory.ts";

export interface RunContextParts {
  job: WorkerJob;
  /** The job's variables with its secrets revealed (`job.variables` when absent). */
  variables?: Record<string, unknown>;
  logger: Logger;
  /** The task run's stop: its AbortSignal is made when the plugin reads `ctx.signal`. */
  stop: Abortable;
  renderer: Renderer;
  services: RenderServices;
  storage: TaskStorage;
  kv: (namespace?: string) => KvStore;
  secret: (key: string) => Promise<string>;
  /** Root for temporary working directories. */
  tmpDir: string;
  pluginConfiguration: Readonly<Record<string, unknown>>;
  /** Configuration `http.refusedAddresses`. */
  refusedAddresses?: readonly string[];
  /** The tenant's flows, where the worker reaches the engine. */
  flows?: FlowAccess;
}

export interface WorkerRunContext extends RunContext {
  readonly metrics: Metric[];
  existingWorkingDir(): string | undefined;
  /** Removes the working directory unless it is shared (WorkingDirectory). */
  cleanup(): Promise<void>;
}

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/** Where a context keeps its task run's stop, for its `signal`. */
const STOP = Symbol("stop");

/**
 * `signal`, one getter shared by every context. A getter written in the context's object literal
 * is a new function for each task run, and V8 then turns each context into a dictionary (its map
 * log: one normalization per task run): the contexts were slower to read, and each scavenge
 * promoted the objects of every task run since the last full collection (a warm process running
 * 50 one-task executions one at a time: 560 KB promoted, 250 KB with this getter).
 */
const SIGNAL: PropertyDescriptor = {
  get(this: { [STOP]: Abortable }) {
    return signalOf(this[STOP]);
  },
  enumerable: true,
  configurable: true,
};

export function createRunContext(parts: RunContextParts): WorkerRunContext {
  const { job, renderer, services } = parts;
  const vars = parts.variables ?? job.variables;
  const taskrun = (vars.taskrun ?? {}) as Record<string, unknown>;
  const metrics: Metric[] = [];
  const shared = job.workingDirectoryId !== undefined;
  // worked out when first asked for: most tasks never use a working directory
  let path: string | undefined;
  const dirPath = () =>
    (path ??= shared
      ? sharedDirectoryPath(parts.tmpDir, job.workingDirectoryId!)
      : join(parts.tmpDir, `${job.taskRunId}-${job.attempt}`));
  let created = false;
  // Object.assign: a spread of `vars` followed by new keys is many times slower in V8
  const merged = (extra?: Record<string, unknown>) => (extra ? Object.assign({}, vars, extra) : vars);
  const workingDir = async () => {
    const dir = dirPath();
    if (!created) {
      const fresh = !existsSync(dir);
      await mkdir(dir, { recursive: true });
      created = true;
      if (fresh && job.workingDirectory) {
        await prepareWorkingDirectory(
          dir,
          job.workingDirectory,
          (value) => renderer.renderValue(value, vars, services),
          parts.storage,
        );
      }
    }
    return dir;
  };
  const execution: Writable<RunContext["execution"]> = { id: job.executionId };
  const originalId = (vars.execution as Record<string, unknown> | undefined)?.originalId;
  if (typeof originalId === "string") execution.originalId = originalId;
  const taskRun: Writable<RunContext["taskRun"]> = { id: job.taskRunId, attemptsCount: job.attempt - 1 };
  if (typeof taskrun.value === "string") taskRun.value = taskrun.value;
  if (typeof taskrun.parentId === "string") taskRun.parentId = taskrun.parentId;
  if (typeof taskrun.iteration === "number") taskRun.iteration = taskrun.iteration;
  const ctx = {
    flow: job.flow,
    execution,
    task: { id: job.task.id, type: job.task.type },
    taskRun,
    logger: parts.logger,
    variables: vars,
    render: async (template, extra) => String(await renderer.render(template, merged(extra), false, services)),
    renderTyped: (template, extra) => renderer.render(template, merged(extra), true, services),
    renderValue: (value, extra) => renderer.renderValue(value, merged(extra), services),
    secret: parts.secret,
    storage: parts.storage,
    kv: parts.kv,
    metric: (metric) => void metrics.push(metric),
    workingDir,
    workingFiles: {
      write: async (files) => writeFiles(await workingDir(), files, parts.storage),
      copyNamespaceFiles: async (filter = {}) => copyNamespaceFiles(await workingDir(), filter, parts.storage),
      upload: async (globs) => storeFiles(await workingDir(), globs, parts.storage),
    },
    /** The directory, if this task run created or shares one that exists. */
    existingWorkingDir: () => (created || (shared && existsSync(dirPath())) ? dirPath() : undefined),
    pluginConfiguration: () => parts.pluginConfiguration,
    metrics,
    async cleanup() {
      if (created && !shared) await rm(dirPath(), { recursive: true, force: true });
    },
    [STOP]: parts.stop,
  } as Writable<WorkerRunContext> & { [STOP]: Abortable };
  Object.defineProperty(ctx, "signal", SIGNAL);
  if (parts.refusedAddresses) ctx.refusedAddresses = parts.refusedAddresses;
  if (parts.flows) ctx.flows = parts.flows;
  return ctx;
}
