/**
 * A Saker instance on the embedded backend: one SQLite file, a local storage folder, the
 * executor and the workers in this process. The CLI and the server drive it through the methods
 * below; nothing here knows about HTTP or terminals.
 */
import { EventEmitter } from "node:events";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import { errorMessage, SakerError, type AnyTaskDefinition } from "@saker/sdk";
import { setDataLimits } from "../model/dataLimits.ts";
import { closeIsolationPool, runIsolatedTask } from "../worker/isolation/pool.ts";
import { watchPlugins } from "../plugins/loader.ts";
import { replayExecution, restartExecution } from "../executor/actions.ts";
import type { ExecutorEvent, LogEntry } from "../executor/types.ts";
import { buildRunVariables, type VariableSources } from "../executor/variables.ts";
import type { Execution } from "../model/execution.ts";
import { inputLeaves, type Flow } from "../model/flow.ts";
import { friendlyId } from "../model/ids.ts";
import type { PluginRegistry } from "../plugins/registry.ts";
import type { NewMessage } from "../queue/queue.ts";
import type { SqliteQueue } from "../queue/sqliteQueue.ts";
import { openDatabase, type SqliteDatabase } from "../repository/sqlite/database.ts";
import type { ExecutionStore } from "../repository/sqlite/executionStore.ts";
import type { KvRepository } from "../repository/sqlite/kvRepository.ts";
import { StatsStore } from "../repository/sqlite/statsStore.ts";
import type { LogStore } from "../repository/sqlite/logStore.ts";
import type { MetricStore } from "../repository/sqlite/metricStore.ts";
import type { TriggerStore } from "../repository/sqlite/triggerStore.ts";
import { SqliteBackend, sqliteStores } from "../backend/sqlite/sqliteBackend.ts";
import { Encryption } from "../secrets/encryption.ts";
import type { SecretMasker } from "../secrets/masker.ts";
import { EnvSecretBackend, FileSecretBackend, SecretStore, type SecretBackend } from "../secrets/secrets.ts";
import { asDiskFull, isDiskFull } from "../storage/diskFull.ts";
import { LocalStorage } from "../storage/localStorage.ts";
import { isUnder, toStoragePath } from "../storage/paths.ts";
import type { Storage } from "../storage/storage.ts";
import { streamToBuffer } from "../storage/streams.ts";
import type { WorkerDeps } from "../worker/runJob.ts";
import { namespaceFiles } from "../worker/taskStorage.ts";
import { countAbruptStop } from "./abruptStops.ts";
import type { CompiledConfig } from "./config.ts";
import { DiskWatch } from "./diskWatch.ts";
import { buildExecution, checkExecutionInputs, type NewExecution } from "./executionFactory.ts";
import type { InputCheck } from "../model/inputs.ts";
import { ExecutorService } from "./executorService.ts";
import { describeProgress } from "./progress.ts";
import { FlowService } from "./flowService.ts";
import { lockHome } from "./homeLock.ts";
import { loadRegistry, pluginDirs } from "./registryLoader.ts";
import { createRenderer } from "./expressions.ts";
import { secretSubkey } from "./secretSubkey.ts";
import type { EngineServices } from "./engineServices.ts";
import type { RenderServices, Renderer } from "./renderer.ts";
import { WorkerService } from "./workerService.ts";
import { SchedulerService } from "./schedulerService.ts";
import { SecretGuard } from "./secretGuard.ts";

export interface InstanceEvents {
  execution: [Execution];
  "execution:end": [Execution];
  log: [LogEntry];
}

export interface OpenOptions {
  /** Start the executor and workers at once (default true). */
  start?: boolean;
  /** Extra plugin types to register (tests). */
  registry?: PluginRegistry;
  /**
   * Run the scheduler: Schedule and polling triggers by the clock, Flow triggers and `stopAfter`
   * when executions end (default false: `flow run` starts nothing by itself).
   */
  scheduler?: boolean;
  /** A damaged or emptied database file is moved aside and an empty one started (else the open fails). */
  resetDatabase?: boolean;
}

function encryptionKey(config: CompiledConfig): Buffer {
  if (config.encryption.secretKey) return Buffer.from(config.encryption.secretKey, "base64");
  const file = join(config.home, "encryption.key");
  if (existsSync(file)) return Buffer.from(readFileSync(file, "utf8").trim(), "base64");
  const key = randomBytes(32);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, key.toString("base64"), { mode: 0o600 });
  return key;
}

function instanceEnvs(config: CompiledConfig): Record<string, string> {
  const prefix = config.variables.envVarsPrefix;
  const envs: Record<string, string> = {};
  for (const [name, value] of Object.entries(config.env)) {
    if (value !== undefined && name.startsWith(prefix) && name.length > prefix.length)
      envs[name.slice(prefix.length).toLowerCase()] = value;
  }
  return envs;
}

export class Instance {
  readonly events = new EventEmitter<InstanceEvents>();
  /** The database behind the async interfaces the loops use (the stores below are its synchronous side). */
  readonly backend: SqliteBackend;
  readonly queue: SqliteQueue;
  readonly executions: ExecutionStore;
  readonly logs: LogStore;
  readonly kv: KvRepository;
  readonly metrics: MetricStore;
  readonly stats: StatsStore;
  readonly triggers: TriggerStore;
  readonly flows: FlowService;
  readonly storage: Storage;
  readonly secrets: SecretStore;
  readonly encryption: Encryption;
  /** Masking, sealing and the masked view of secret values. */
  readonly secretGuard: SecretGuard;
  readonly renderer: Renderer;
  readonly executor: ExecutorService;
  readonly worker: WorkerService;
  readonly scheduler: SchedulerService;
  /** Reports a full disk once and its end (the loops wait for space instead of failing). */
  readonly disk: DiskWatch;
  private schedulerEnabled = false;
  private readonly envs: Record<string, string>;
  private closed = false;
  private stopWatching: (() => void) | undefined;
  /** `name@version` of every plugin version registered from the plugins folder. */
  readonly loadedPlugins = new Set<string>();

  private constructor(
    readonly config: CompiledConfig,
    readonly db: SqliteDatabase,
    readonly registry: PluginRegistry,
    private readonly unlock: () => void,
  ) {
    const stores = sqliteStores(db);
    this.backend = new SqliteBackend(stores);
    this.queue = stores.queue;
    this.executions = stores.executions;
    this.logs = stores.logs;
    this.kv = stores.kv;
    this.metrics = stores.metrics;
    this.stats = new StatsStore(db);
    this.triggers = stores.triggers;
    this.flows = new FlowService(stores.flows, registry, config.tenantId, config.plugins.defaults);
    this.storage = new LocalStorage(config.storagePath);
    const backends: SecretBackend[] = [
      new EnvSecretBackend(config.env, (name) =>
        process.stderr.write(`warning: ${name} is not valid base64; ignored\n`),
      ),
    ];
    if (config.secrets.file) backends.push(new FileSecretBackend(config.secrets.file));
    this.secrets = new SecretStore(backends);
    this.encryption = new Encryption(encryptionKey(config));
    this.secretGuard = new SecretGuard(this.secrets, this.encryption);
    this.renderer = createRenderer(registry, config.expressions);
    this.envs = instanceEnvs(config);
    this.disk = new DiskWatch(config.home, (line) => process.stderr.write(`saker: ${line}\n`));
    this.executor = new ExecutorService(this);
    this.worker = new WorkerService(this);
    this.scheduler = new SchedulerService(this);
    this.events.setMaxListeners(0);
  }

  /** Opens (and locks) the data folder, registers the core plugin, recovers unfinished work. */
  static async open(config: CompiledConfig, options: OpenOptions = {}): Promise<Instance> {
    const lock = lockHome(config.home);
    const unlock = lock.release;
    let db: SqliteDatabase | undefined;
    // After an abrupt stop, the lock is left in place until its interrupted work is counted.
    let counted = !lock.previousStoppedAbruptly;
    setDataLimits(config.limits);
    try {
      const loaded = new Set<string>();
      const registry = options.registry ?? (await loadRegistry(config, loaded));
      registry.defaultVersion = config.plugins.defaultVersion;
      db = openDatabase(config.databaseFile, {
        reset: options.resetDatabase === true,
        onReset: (movedTo, problem) =>
          process.stderr.write(
            `saker: the database was damaged (${problem}); moved to '${movedTo}', starting with an empty one\n`,
          ),
      });
      const instance = new Instance(config, db, registry, unlock);
      for (const key of loaded) instance.loadedPlugins.add(key);
      instance.schedulerEnabled = options.scheduler === true;
      if (!counted) countAbruptStop(instance);
      counted = true;
      // One process per home (the lock): every claim not made by this open belongs to a dead process.
      instance.queue.reapExpired({ aliveOwners: [instance.backend.owner] });
      if (options.start !== false) instance.start();
      return instance;
    } catch (error) {
      db?.close();
      if (counted) unlock();
      throw asDiskFull(error, config.home);
    }
  }

  start(): void {
    this.executor.start();
    this.worker.start();
    if (this.schedulerEnabled) {
      this.scheduler.startConsumer();
      this.scheduler.startClock();
    }
  }

  /** Picks up plugin versions installed or removed while running (file watch, and SIGHUP). */
  watchPlugins(onChange: (message: string) => void = () => {}): void {
    this.stopWatching?.();
    this.stopWatching = watchPlugins(this.registry, pluginDirs(this.config), this.loadedPlugins, (report) => {
      this.flows.invalidate();
      for (const p of report.loaded) onChange(`plugin ${p} loaded`);
      for (const p of report.removed) onChange(`plugin ${p} removed`);
      for (const f of report.failed) onChange(`plugin ${f.plugin} not loaded: ${f.error}`);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopWatching?.();
    await this.scheduler.stop();
    await this.worker.stop();
    await this.executor.stop();
    await closeIsolationPool();
    await this.backend.close();
    this.unlock();
  }

  /** A loop (executor, worker, scheduler) failed: a full disk is reported once, anything else each time. */
  reportLoopError(context: string, error: unknown): void {
    if (isDiskFull(error)) this.disk.report(error);
    else this.reportInternalError(context, error);
  }

  reportInternalError(context: string, error: unknown): void {
    process.stderr.write(`saker: ${context}: ${errorMessage(error)}\n`);
    if (this.config.env.SAKER_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  }

  /**
   * The variables of a render context. `decrypt` reveals SECRET inputs and sealed values (outputs,
   * labels… holding a secret) in memory only.
   */
  variables(sources: Omit<VariableSources, "envs" | "globals">, decrypt: boolean): Record<string, unknown> {
    const built = buildRunVariables({
      ...sources,
      envs: this.envs,
      globals: this.config.variables.globals,
      tenantId: this.config.tenantId,
    });
    const vars = decrypt ? this.secretGuard.reveal(built) : built;
    // built on every render: look for SECRET inputs only when there is something to decrypt
    const secretInputs =
      decrypt && sources.execution?.inputs ? inputLeaves(sources.flow.inputs).filter((i) => i.type === "SECRET") : [];
    if (secretInputs.length > 0) {
      const inputs = { ...(vars.inputs as Record<string, unknown>) };
      for (const input of secretInputs) {
        // a SECRET inside a FORM sits at `inputs.<form>.<id>`: copy the maps on the way down
        const keys = input.id.split(".");
        let node: Record<string, unknown> | undefined = inputs;
        for (const key of keys.slice(0, -1)) {
          const next: unknown = node[key];
          node =
            typeof next === "object" && next !== null
              ? (node[key] = { ...(next as Record<string, unknown>) })
              : undefined;
          if (!node) break;
        }
        const leaf = keys[keys.length - 1]!;
        const value = node?.[leaf];
        if (node && typeof value === "string") {
          try {
            node[leaf] = this.encryption.decrypt(value);
          } catch {
            // a default value given in clear stays as it is
          }
        }
      }
      vars.inputs = inputs;
    }
    return vars;
  }

  /** Runtime services for renders done by the executor (runIf, If conditions, outputs…). */
  executorServices(execution: Execution): RenderServices {
    return this.renderServices(execution.namespace, execution.id, this.secretGuard.masker(), [
      toStoragePath(`/${execution.namespace.split(".").join("/")}`),
    ]);
  }

  renderServices(namespace: string, executionId: string, masker: SecretMasker, readPrefixes: string[]): RenderServices {
    const nsFiles = (other?: string) => namespaceFiles(this.storage, other ?? namespace);
    const storagePath = (path: string) => {
      if (!path.startsWith("kestra://")) return undefined;
      const p = toStoragePath(path);
      if (!readPrefixes.some((prefix) => isUnder(p, prefix)) && !p.includes("/_files/"))
        throw new SakerError("STORAGE_ACCESS_DENIED", `Unable to read '${path}'`);
      return p;
    };
    return {
      namespace,
      secret: async (key, subkey) => {
        const value = await this.secrets.get(key);
        masker.add(value);
        if (!subkey) return value;
        const part = secretSubkey(value, key, subkey);
        masker.add(part);
        return part;
      },
      kv: async (ns, key) => this.kv.get(this.config.tenantId, ns, key),
      read: async (path, ns) => {
        const p = storagePath(path);
        return (p ? await streamToBuffer(await this.storage.get(p)) : await nsFiles(ns).get(path)).toString("utf8");
      },
      fileSize: async (path, ns) => {
        const p = storagePath(path);
        return p ? this.storage.size(p) : (await nsFiles(ns).get(path)).length;
      },
      fileExists: async (path, ns) => {
        const p = storagePath(path);
        return p ? this.storage.exists(p) : nsFiles(ns).exists(path);
      },
      errorLogs: async () => this.logs.find({ executionId, minLevel: "ERROR" }),
      encrypt: (plain) => this.encryption.encrypt(plain),
      decrypt: (encrypted) => this.encryption.decrypt(encrypted),
    };
  }

  workerDeps(log: (entry: LogEntry) => void): WorkerDeps {
    return {
      tenantId: this.config.tenantId,
      registry: this.registry,
      renderer: this.renderer,
      storage: this.storage,
      kv: this.kv,
      secrets: this.secrets,
      encryption: this.encryption,
      secretGuard: this.secretGuard,
      tmpDir: this.config.tmpDir,
      log,
      errorLogs: async (executionId) => this.logs.find({ executionId, minLevel: "ERROR" }),
      engine: this.engineServices(),
      invoke: async (type, props, ctx) => {
        const isolated = type.isolated || this.config.plugins.isolated.some((prefix) => type.type.startsWith(prefix));
        if (isolated && type.plugin.entry) return runIsolatedTask(type.plugin.entry, type.type, props, ctx);
        return (type.definition as AnyTaskDefinition).run(props as never, ctx);
      },
      pluginConfiguration: (type) => this.pluginConfiguration(type),
      ...(this.config.server.url ? { serverUrl: this.config.server.url } : {}),
      refusedAddresses: this.config.http.refusedAddresses,
    };
  }

  /** The configuration the instance gives a plugin type (`plugins.configurations` matching it). */
  pluginConfiguration(type: string): Record<string, unknown> {
    return Object.assign(
      {},
      ...this.config.plugins.configurations.filter((c) => type.startsWith(c.type)).map((c) => c.values),
    );
  }

  engineServices(): EngineServices {
    return {
      tenantId: this.config.tenantId,
      logs: this.logs,
      executions: this.executions,
      metrics: this.metrics,
      kv: this.kv,
      flows: this.flows,
      storage: this.storage,
      registry: this.registry,
      triggers: this.triggers,
      signal: (id, event) => this.signal(id, event),
      resume: async (id, inputs) => this.resume(id, inputs),
      createExecution: (namespace, flowId, inputs) =>
        this.createExecution(namespace, flowId, { ...(inputs ? { inputs } : {}) }),
    };
  }

  /** A new execution, its labels and inputs holding a secret (a Subflow's rendered ones) sealed. */
  async buildExecution(flow: Flow, request: NewExecution): Promise<Execution> {
    const execution = await buildExecution(flow, request, {
      tenantId: this.config.tenantId,
      storage: this.storage,
      renderer: this.renderer,
      encryption: this.encryption,
      variables: (f, x) => this.variables({ flow: f, execution: x }, true),
    });
    const masker = this.secretGuard.masker();
    execution.labels = this.secretGuard.seal(execution.labels, masker);
    if (execution.inputs) execution.inputs = this.secretGuard.seal(execution.inputs, masker);
    return execution;
  }

  /** When the scheduler runs, an ended execution is posted to it (Flow triggers, `stopAfter`). */
  flowTriggerMessages(execution: Execution): NewMessage[] {
    return this.schedulerEnabled
      ? [
          {
            topic: "scheduler",
            key: `ended:${execution.id}`,
            payload: { type: "execution-ended", executionId: execution.id },
          },
        ]
      : [];
  }

  /**
   * When the scheduler runs, an execution that moved to another state without ending (RUNNING,
   * PAUSED, ...) is posted to it with that state: Flow triggers whose `states` list it fire too.
   */
  stateChangeMessages(execution: Execution): NewMessage[] {
    if (!this.schedulerEnabled) return [];
    const state = execution.state.current;
    return [
      {
        topic: "scheduler",
        key: `state:${execution.id}`,
        payload: { type: "execution-state", executionId: execution.id, state },
      },
    ];
  }

  /** Inserts and queues executions (from triggers), with `alsoWrite` in the same transaction. */
  startExecutions(executions: readonly Execution[], alsoWrite?: () => void): void {
    this.db.transaction(() => {
      this.queueExecutions(executions);
      alsoWrite?.();
    })();
    this.announceExecutions(executions);
  }

  /** Inserts and queues executions; call inside the caller's transaction, then `announceExecutions`. */
  queueExecutions(executions: readonly Execution[]): void {
    for (const execution of executions) {
      this.executions.insert({ execution, executorState: { dispatched: [] }, finished: false });
      this.queue.send([{ topic: "executor", key: execution.id, payload: { type: "process" } }]);
    }
  }

  /** Wakes the executor for executions just committed. */
  announceExecutions(executions: readonly Execution[]): void {
    if (executions.length === 0) return;
    this.queue.notify(["executor"]);
    for (const execution of executions) this.events.emit("execution", execution);
  }

  /** Validates and saves a flow. */
  deploy(source: string, sourceName?: string) {
    return this.flows.deploy(source, sourceName);
  }

  /** Creates an execution of the latest revision (or `revision`) and queues it. */
  async createExecution(
    namespace: string,
    flowId: string,
    request: NewExecution = {},
    revision?: number,
  ): Promise<Execution> {
    const { flow } = this.flows.get(namespace, flowId, revision);
    const execution = await this.buildExecution(flow, request);
    this.insertAndQueue(execution);
    return execution;
  }

  /** The inputs of an execution of the latest revision (or `revision`) checked one by one; nothing is created. */
  async checkExecutionInputs(
    namespace: string,
    flowId: string,
    request: NewExecution = {},
    revision?: number,
  ): Promise<InputCheck[]> {
    const { flow } = this.flows.get(namespace, flowId, revision);
    return checkExecutionInputs(flow, request, {
      tenantId: this.config.tenantId,
      storage: this.storage,
      renderer: this.renderer,
      encryption: this.encryption,
      variables: (f, x) => this.variables({ flow: f, execution: x }, true),
    });
  }

  private insertAndQueue(
    execution: Execution,
    executorState = { dispatched: [] as string[] },
    parent?: { parentExecutionId?: string; parentTaskRunId?: string },
  ): void {
    this.db.transaction(() => {
      this.executions.insert({ execution, executorState, finished: false, ...(parent ?? {}) });
      this.queue.send([{ topic: "executor", key: execution.id, payload: { type: "process" } }]);
    })();
    this.queue.notify(["executor"]);
    this.events.emit("execution", execution);
  }

  getExecution(id: string): Execution {
    const stored = this.executions.get(id);
    if (!stored) throw new SakerError("EXECUTION_NOT_FOUND", `Execution '${id}' not found`);
    return stored.execution;
  }

  /** Sends an event to an execution's executor (kill, resume…). */
  signal(executionId: string, event: ExecutorEvent): void {
    this.getExecution(executionId);
    this.db.transaction(() => this.queue.send([{ topic: "executor", key: executionId, payload: event }]))();
    this.queue.notify(["executor"]);
  }

  kill(executionId: string): void {
    this.signal(executionId, { type: "kill-requested" });
  }

  resume(executionId: string, onResumeInputs?: Record<string, unknown>): void {
    const execution = this.getExecution(executionId);
    if (execution.state.current !== "PAUSED") {
      throw new SakerError(
        "EXECUTION_NOT_PAUSED",
        `Execution '${executionId}' is not paused (state ${execution.state.current})`,
      );
    }
    this.signal(executionId, { type: "resume-requested", ...(onResumeInputs ? { onResumeInputs } : {}) });
  }

  /** Restarts a terminated or paused execution (same id, or a new one for another revision). */
  restart(executionId: string, revision?: number): Execution {
    const stored = this.executions.get(executionId);
    if (!stored) throw new SakerError("EXECUTION_NOT_FOUND", `Execution '${executionId}' not found`);
    const x = stored.execution;
    const graph = this.flows.graph(x.namespace, x.flowId, revision ?? x.flowRevision);
    const result = restartExecution(graph, x, stored.executorState, new Date(), friendlyId, revision);
    if (result.execution.id === x.id) {
      this.db.transaction(() => {
        this.executions.update(result.execution, result.state, false);
        this.queue.send([{ topic: "executor", key: x.id, payload: { type: "process" } }]);
      })();
      this.queue.notify(["executor"]);
      this.events.emit("execution", result.execution);
    } else {
      this.insertAndQueue(result.execution, result.state);
    }
    return result.execution;
  }

  /** Replays an execution as a new one, from scratch or from a task run. */
  replay(executionId: string, taskRunId?: string, revision?: number): Execution {
    const x = this.getExecution(executionId);
    const graph = this.flows.graph(x.namespace, x.flowId, revision ?? x.flowRevision);
    const result = replayExecution(graph, x, new Date(), friendlyId, taskRunId, revision);
    this.insertAndQueue(result.execution, result.state);
    return result.execution;
  }

  /**
   * Resolves once the execution is finished, or paused with nothing scheduled to resume it
   * (no pending message or job): a command-line run cannot wait for a person then.
   */
  waitForSettled(executionId: string, timeoutMs = 0): Promise<Execution> {
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      let done = false;
      const settledPause = (x: Execution) =>
        x.state.current === "PAUSED" &&
        (this.db.prepare("SELECT COUNT(*) AS n FROM queue WHERE key = ?").get(executionId) as { n: number }).n === 0;
      const check = () => {
        if (done || this.closed) return;
        // the document is read only once the execution may have settled
        const status = this.executions.status(executionId);
        if (status && !status.finished && status.state !== "PAUSED") return;
        const stored = this.executions.get(executionId);
        if (stored && (stored.finished || settledPause(stored.execution))) {
          cleanup();
          resolve(stored.execution);
        }
      };
      const onChange = (x: Execution) => {
        if (x.id === executionId) setImmediate(check);
      };
      const cleanup = () => {
        done = true;
        clearTimeout(timer);
        this.events.off("execution", onChange);
      };
      this.events.on("execution", onChange);
      if (timeoutMs > 0) {
        timer = setTimeout(() => {
          cleanup();
          reject(this.notEnded(executionId, timeoutMs));
        }, timeoutMs);
      }
      check();
    });
  }

  /** The error of a wait that timed out, naming where the execution stands. */
  private notEnded(executionId: string, timeoutMs: number): SakerError {
    const stored = this.executions.get(executionId);
    const where = stored ? `: ${describeProgress(stored.execution)}` : "";
    return new SakerError("TIMEOUT", `Execution '${executionId}' did not end within ${timeoutMs} ms${where}`);
  }

  /** Resolves once the execution is finished (terminated and its afterExecution tasks done). */
  waitForEnd(executionId: string, timeoutMs = 0): Promise<Execution> {
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const check = () => {
        const stored = this.executions.get(executionId);
        if (stored?.finished) {
          cleanup();
          resolve(stored.execution);
          return true;
        }
        return false;
      };
      const onEnd = (execution: Execution) => {
        if (execution.id === executionId) check();
      };
      const cleanup = () => {
        clearTimeout(timer);
        this.events.off("execution:end", onEnd);
      };
      this.events.on("execution:end", onEnd);
      if (check()) return;
      if (timeoutMs > 0) {
        timer = setTimeout(() => {
          cleanup();
          reject(this.notEnded(executionId, timeoutMs));
        }, timeoutMs);
      }
    });
  }
}
