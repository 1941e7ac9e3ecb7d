/**
 * What a role (executor, worker, scheduler, the triggers) is handed instead of the whole
 * instance: the backend, the compiled configuration, the flows, rendering, admission of new
 * executions and error reporting. A process composes the roles it runs from one of these.
 */
import type { LogEntry } from "../executor/types.ts";
import type { Backend } from "../backend/backend.ts";
import type { PluginRegistry } from "../plugins/registry.ts";
import type { Storage } from "../storage/storage.ts";
import type { WorkerDeps } from "../worker/runJob.ts";
import type { Admission } from "./admission.ts";
import type { CompiledConfig } from "./config.ts";
import type { DiskWatch } from "./diskWatch.ts";
import type { FlowService } from "./flowService.ts";
import type { LeaseKeeper } from "./leases.ts";
import type { Renderer } from "../expression/renderer.ts";
import type { Renders } from "./renderServices.ts";
import type { SecretGuard } from "../secrets/secretGuard.ts";

export interface Reporter {
  /** A loop failed: a full disk is reported once, anything else each time. */
  loopError(context: string, error: unknown): void;
  internalError(context: string, error: unknown): void;
}

export interface RoleContext {
  readonly backend: Backend;
  readonly config: CompiledConfig;
  readonly flows: FlowService;
  readonly registry: PluginRegistry;
  readonly renderer: Renderer;
  readonly renders: Renders;
  readonly secretGuard: SecretGuard;
  readonly storage: Storage;
  readonly admission: Admission;
  readonly report: Reporter;
  /** Reports a full disk once and its end (the loops wait for space instead of failing). */
  readonly disk: DiskWatch;
  readonly leases: LeaseKeeper;
  /** What a task run reaches (plugins, storage, secrets, engine services), its log lines sent to `log`. */
  workerDeps(log: (entry: LogEntry) => void): WorkerDeps;
  /** The configuration given to a plugin type (`plugins.configurations` matching it). */
  pluginConfiguration(type: string): Record<string, unknown>;
}

export type RoleState = "INITIALIZED" | "RUNNING" | "STOPPING" | "STOPPED" | "FAILED";

export interface RoleStatus {
  state: RoleState;
  /** Worker: task runs in progress; executor and scheduler: messages claimed and not yet handled. */
  inFlight: number;
  /**
   * Scheduler: when its clock last ended a pass over the flows' triggers (absent before its first;
   * a scheduler that does not lead makes none). The first pass parses every stored flow.
   */
  lastPassDate?: string;
  /**
   * Executor: steps redone because someone else wrote their execution while they ran (another
   * executor on a shared database, caught by the commit's fence, backend/fence.ts; a label edit):
   * how often executors get in each other's way.
   */
  stepsRedone?: number;
}

/** Notification topics between roles (besides the queue's and the live updates'). */
export const ROLE_TOPICS = {
  /** Payload: an execution id whose running task runs are killed. */
  killTasks: "worker:kill-tasks",
  /** Payload: a WorkingDirectory id whose shared directory is removed. */
  removeWorkingDirectory: "worker:remove-working-directory",
} as const;
