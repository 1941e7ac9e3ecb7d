/**
 * Runs one attempt of one runnable task: load the plugin version, render the properties, call
 * `run` under the task's timeout and the kill signal, and turn the outcome into states and
 * outputs. Nothing a plugin throws escapes: it becomes a FAILED attempt with a log line.
 */
import {
  errorMessage,
  formatDuration,
  isDuration,
  isSakerError,
  LOG_LEVELS,
  parseDuration,
  SakerError,
  readTaskOutcome,
  type LogLevel,
  type Metric,
  type StateType,
} from "@saker/sdk";
import type { LogEntry, WorkerJob } from "../executor/types.ts";
import { inputAt, putInputAt } from "../model/inputPath.ts";
import { KillSwitch } from "../model/killSwitch.ts";
import { compileRetry, nextTaskRetryDate } from "../model/retry.ts";
import { newState, withState } from "../model/state.ts";
import { renderProperties } from "../plugins/properties.ts";
import type { PluginRegistry, RegisteredType } from "../plugins/registry.ts";
import type { KvRepository } from "../backend/backend.ts";
import type { RenderServices, Renderer } from "../expression/renderer.ts";
import type { Encryption } from "../secrets/encryption.ts";
import type { SecretMasker } from "../secrets/masker.ts";
import type { SecretStore } from "../secrets/secrets.ts";
import { taskPrefix } from "../storage/paths.ts";
import type { Storage } from "../storage/storage.ts";
import type { SecretGuard } from "../secrets/secretGuard.ts";
import { createKvStore } from "./kvStore.ts";
import { createRunContext } from "./runContext.ts";
import { readExecutionSummary } from "./executionSummary.ts";
import { flowAccess } from "./flowAccess.ts";
import { collectOutputFiles } from "./workingDirectory.ts";
import { attachEngineServices, type EngineServices } from "../plugins/engineServices.ts";
import { createRenderServices } from "./renderServices.ts";
import { createTaskLogger } from "./taskLogger.ts";
import {
  OpenedStreams,
  childFileCheck,
  createTaskStorage,
  executionReadPrefixes,
  type ExecutionOrigin,
} from "../storage/taskStorage.ts";

export interface WorkerDeps {
  tenantId: string;
  registry: PluginRegistry;
  renderer: Renderer;
  storage: Storage;
  kv: KvRepository;
  secrets: SecretStore;
  encryption: Encryption;
  /** Knows every secret value of the instance; seals outputs holding one. */
  secretGuard: SecretGuard;
  tmpDir: string;
  log(entry: LogEntry): void;
  errorLogs(executionId: string): Promise<LogEntry[]>;
  /** Where an execution was made and by which one: a task run may read the files of the executions its own started. */
  executionOrigin?(executionId: string): Promise<ExecutionOrigin | undefined>;
  pluginConfiguration?(type: string): Record<string, unknown>;
  /** Configuration `server.url`, the base of execution links. */
  serverUrl?: string;
  /** Configuration `http.refusedAddresses`: where tasks may not connect. */
  refusedAddresses?: readonly string[];
  /** Reached by engine-internal core tasks (log.Fetch, Count…). */
  engine?: EngineServices;
  /** Runs a task definition; defaults to calling `run` in this thread (isolation hooks in here). */
  invoke?(
    type: RegisteredType,
    props: unknown,
    ctx: ReturnType<typeof createRunContext>,
    job: WorkerJob,
  ): Promise<unknown>;
}

export interface WorkerOutcome {
  attemptState: StateType;
  state: StateType;
  outputs: Record<string, unknown> | null;
  metrics: Metric[];
  pluginVersion?: string;
  /** Files uploaded from the shared working directory (`outputFiles`). */
  workingDirectoryFiles?: Record<string, string>;
}

class Timeout extends Error {
  override readonly name = "Timeout";
}

function simpleName(type: string): string {
  return type.slice(type.lastIndexOf(".") + 1);
}

function versionOf(pluginVersion: string): string | undefined {
  const at = pluginVersion.lastIndexOf("@");
  return at > 0 ? pluginVersion.slice(at + 1) : undefined;
}

/**
 * Decrypts SECRET inputs and sealed values (outputs, labels… of earlier tasks holding a secret)
 * into a copy of the variables, registering their values for masking.
 */
function revealVariables(job: WorkerJob, deps: WorkerDeps, masker: SecretMasker): Record<string, unknown> {
  const revealed = deps.secretGuard.reveal(job.variables, (plain) => masker.addRevealed(plain));
  if (!job.secretInputs?.length) return revealed;
  const variables = { ...revealed, inputs: { ...(revealed.inputs as Record<string, unknown>) } };
  for (const id of job.secretInputs) {
    const encrypted = inputAt(variables.inputs, id);
    if (typeof encrypted !== "string") continue;
    const plain = deps.encryption.decrypt(encrypted);
    masker.add(plain);
    putInputAt(variables.inputs, id, plain);
  }
  return variables;
}

/** The render services of a task run: the runtime's one copy, reading through the worker's dependencies. */
function services(
  job: WorkerJob,
  deps: WorkerDeps,
  masker: SecretMasker,
  readPrefixes: string[],
  stop: KillSwitch,
): RenderServices {
  return createRenderServices(
    {
      storage: deps.storage,
      secrets: deps.secrets,
      encryption: deps.encryption,
      kv: async (namespace, key) => deps.kv.get(deps.tenantId, namespace, key),
      errorLogs: (executionId) => deps.errorLogs(executionId),
      executionOrigin: deps.executionOrigin,
    },
    { namespace: job.flow.namespace, executionId: job.executionId, masker, readPrefixes, signal: stop },
  );
}

/** Where a task run may read: its execution, and the execution that triggered it (parent flow). */
function readPrefixesOf(job: WorkerJob): string[] {
  return executionReadPrefixes(job.flow.namespace, job.flow.id, job.executionId, job.variables.trigger);
}

/** The task run's state after `warningOnRetry`, `allowFailure` and `allowWarning`. */
function adjustState(job: WorkerJob, attemptState: StateType): StateType {
  const task = job.task;
  const retry = compileRetry(task.retry);
  let state = attemptState;
  if (retry?.warningOnRetry && job.attempt > 1 && state === "SUCCESS") state = "WARNING";
  if (task.allowFailure === true && state === "FAILED" && !willRetry(job)) state = "WARNING";
  if (task.allowWarning === true && state === "WARNING") state = "SUCCESS";
  return state;
}

function willRetry(job: WorkerJob): boolean {
  const retry = compileRetry(job.task.retry);
  if (!retry) return false;
  const now = new Date();
  const start = String(((job.variables.taskrun ?? {}) as Record<string, unknown>).startDate ?? now.toISOString());
  const attempts = Array.from({ length: job.attempt }, (_, i) => ({
    state: withState(newState(i === 0 ? new Date(start) : now, "RUNNING"), "FAILED", now),
  }));
  return nextTaskRetryDate(retry, { attempts } as never) !== undefined;
}

async function renderTimeout(
  job: WorkerJob,
  deps: WorkerDeps,
  vars: Record<string, unknown>,
  svc: RenderServices,
): Promise<number | undefined> {
  const raw = job.task.timeout;
  if (raw === undefined || raw === null) return undefined;
  const text = String(await deps.renderer.render(String(raw), vars, false, svc)).trim();
  if (!isDuration(text))
    throw new SakerError("PROPERTY_INVALID", `must be an ISO-8601 duration, got '${text}'`, {
      taskId: job.task.id,
      path: "timeout",
    });
  return parseDuration(text);
}

export async function runJob(job: WorkerJob, deps: WorkerDeps, kill: KillSwitch): Promise<WorkerOutcome> {
  const started = Date.now();
  const masker = deps.secretGuard.masker();
  const minLevel = LOG_LEVELS.includes(job.task.logLevel as LogLevel) ? (job.task.logLevel as LogLevel) : "TRACE";
  const lineFields: Omit<LogEntry, "level" | "message" | "timestamp"> = {
    namespace: job.flow.namespace,
    flowId: job.flow.id,
    executionId: job.executionId,
    taskId: job.task.id,
    taskRunId: job.taskRunId,
    attemptNumber: job.attempt - 1,
    thread: "worker",
  };
  if (job.flow.tenantId) lineFields.tenantId = job.flow.tenantId;
  const logger = createTaskLogger(lineFields, masker, deps.log, minLevel);
  // A task with a timeout gets its own switch, thrown by the timer or the kill; one without one is
  // stopped by the kill alone, whose switch it uses as it is (no other switch, no listener).
  const hasTimeout = job.task.timeout !== undefined && job.task.timeout !== null;
  const timed = hasTimeout ? new KillSwitch() : undefined;
  const stop = timed ?? kill;
  const unlinkKill = timed
    ? kill.onAbort(() => timed.abort(kill.reason ?? new SakerError("INTERRUPTED", "killed")))
    : undefined;
  let removeFail: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  let type: RegisteredType | undefined;
  let attemptState: StateType = "SUCCESS";
  let outputs: Record<string, unknown> | null = null;
  const readPrefixes = readPrefixesOf(job);
  const svc = services(job, deps, masker, readPrefixes, stop);
  const opened = new OpenedStreams();
  const ctxStorage = createTaskStorage(
    deps.storage,
    {
      namespace: job.flow.namespace,
      writePrefix: taskPrefix(job.flow.namespace, job.flow.id, job.executionId, job.task.id, job.taskRunId),
      readPrefixes,
      childFile: deps.executionOrigin && childFileCheck(job.executionId, deps.executionOrigin),
    },
    opened,
  );
  let ctx: ReturnType<typeof createRunContext> | undefined;
  let workingDirectoryFiles: Record<string, string> | undefined;
  logger.debug(`Type ${simpleName(job.task.type)} started`);
  try {
    type = deps.registry.resolve(job.task.type, versionOf(job.pluginVersion));
    const definition = type.definition;
    if (definition.kind !== "task")
      throw new SakerError("PROPERTY_INVALID", `'${job.task.type}' is a ${definition.kind}, not a runnable task`, {
        taskId: job.task.id,
        path: "type",
      });
    const variables = revealVariables(job, deps, masker);
    const timeoutMs = hasTimeout ? await renderTimeout(job, deps, variables, svc) : undefined;
    ctx = createRunContext({
      job,
      variables,
      logger,
      stop,
      renderer: deps.renderer,
      services: svc,
      storage: ctxStorage,
      kv: (namespace) => createKvStore(deps.kv, deps.tenantId, namespace ?? job.flow.namespace),
      secret: (key) => svc.secret(key),
      tmpDir: deps.tmpDir,
      pluginConfiguration: deps.pluginConfiguration?.(definition.type) ?? {},
      refusedAddresses: deps.refusedAddresses,
      flows: deps.engine ? flowAccess(() => deps.engine!.flows) : undefined,
    });
    if (deps.engine) {
      const engine = deps.engine;
      attachEngineServices(ctx, engine);
      ctx.executionSummary = async (id) =>
        readExecutionSummary(engine.executions, deps.tenantId, deps.serverUrl, id, (summary) =>
          deps.secretGuard.display(summary),
        );
    }
    const runCtx = ctx;
    // The timeout bounds the rendering of the properties too (a jq call is stopped by the signal).
    const aborted = new Promise<never>((_, reject) => {
      if (timeoutMs !== undefined && timed)
        timer = setTimeout(() => timed.abort(new Timeout(`Timeout after ${formatDuration(timeoutMs)}`)), timeoutMs);
      removeFail = stop.onAbort(() => reject(stop.reason)); // removed when the job ends
    });
    aborted.catch(() => {});
    const props = await Promise.race([
      renderProperties(definition.properties, job.task, (value) => deps.renderer.renderValue(value, variables, svc)),
      aborted,
    ]);
    const invoke =
      deps.invoke ??
      (async (t: RegisteredType, p: unknown, c: typeof runCtx) =>
        (t.definition as { run: (p: unknown, c: unknown) => unknown }).run(p, c));
    const result = readTaskOutcome(await Promise.race([invoke(type, props, runCtx, job), aborted]));
    if (result.state) attemptState = result.state;
    // stored sealed, not masked: a later task gets the value, every way out shows it masked
    outputs =
      result.outputs === undefined || result.outputs === null
        ? {}
        : deps.secretGuard.seal(result.outputs as Record<string, unknown>, masker);
    const wd = runCtx.existingWorkingDir();
    if (wd && job.workingDirectory?.outputFiles?.length)
      workingDirectoryFiles = await collectOutputFiles(wd, job.workingDirectory.outputFiles, ctxStorage);
  } catch (error) {
    const reason = stop.aborted ? stop.reason : error;
    if (stop.aborted && !(reason instanceof Timeout)) {
      attemptState = "KILLED";
      logger.warn("Task killed");
    } else {
      attemptState = "FAILED";
      logger.error(masker.mask(isSakerError(reason) ? reason.message : errorMessage(reason)));
    }
  } finally {
    if (timer) clearTimeout(timer);
    unlinkKill?.();
    removeFail?.();
    opened.closeAll();
    await ctx?.cleanup().catch(() => {});
  }
  const state = attemptState === "KILLED" ? "KILLED" : adjustState(job, attemptState);
  logger.debug(
    `Type ${simpleName(job.task.type)} with state ${state} completed in ${formatDuration(Date.now() - started)}`,
  );
  const outcome: WorkerOutcome = { attemptState, state, outputs, metrics: ctx?.metrics ?? [] };
  if (workingDirectoryFiles && Object.keys(workingDirectoryFiles).length)
    outcome.workingDirectoryFiles = workingDirectoryFiles;
  if (type) outcome.pluginVersion = `${type.plugin.name}@${type.plugin.version}`;
  return outcome;
}
