/**
 * A Saker instance: its backend (the embedded SQLite file, or a PostgreSQL database shared with
 * other processes), a local storage folder, the executor and the workers in this process. The
 * CLI and the server drive it through the methods below; nothing here knows about HTTP or
 * terminals.
 *
 * The synchronous stores (`db`, `executions`, `logs`…) exist on SQLite only (tests and tools
 * read them; the engine API, the server and the CLI go through the backend): on PostgreSQL
 * reaching one throws a clear error.
 */
import { join } from "node:path";
import { hostname } from "node:os";
import { errorMessage, parseDuration, SakerError } from "@saker/sdk";
import { SqliteBackend, sqliteStores, type SqliteStores } from "../backend/sqlite/sqliteBackend.ts";
import { FlowMirror } from "../backend/postgres/flowMirror.ts";
import type { PostgresBackend } from "../backend/postgres/postgresBackend.ts";
import { postgresEngineStores } from "../backend/postgres/engineStores.ts";
import { LocalNotifier, onEachPoll } from "../backend/notifier.ts";
import type { Backend } from "../backend/backend.ts";
import { setDataLimits } from "../model/dataLimits.ts";
import { IsolationPool } from "../worker/isolation/pool.ts";
import { watchPlugins } from "../plugins/loader.ts";
import type { ExecutorEvent, LogEntry } from "../executor/types.ts";
import type { VariableSources } from "../executor/variables.ts";
import type { Execution } from "../model/execution.ts";
import type { Flow } from "../model/flow.ts";
import type { PluginRegistry } from "../plugins/registry.ts";
import type { SqliteQueue } from "../backend/sqlite/sqliteQueue.ts";
import { openDatabase, type SqliteDatabase } from "../backend/sqlite/database.ts";
import type { ExecutionStore } from "../backend/sqlite/executionStore.ts";
import type { KvStore } from "../backend/sqlite/kvStore.ts";
import { StatsStore } from "../backend/sqlite/statsStore.ts";
import type { LogStore } from "../backend/sqlite/logStore.ts";
import type { MetricStore } from "../backend/sqlite/metricStore.ts";
import type { TriggerStore } from "../backend/sqlite/triggerStore.ts";
import { Encryption } from "../secrets/encryption.ts";
import { loadOrCreateKey } from "../secrets/keyFile.ts";
import type { SecretMasker } from "../secrets/masker.ts";
import { EnvSecretBackend, FileSecretBackend, SecretStore, type SecretBackend } from "../secrets/secrets.ts";
import { asDiskFull, isDiskFull } from "../storage/diskFull.ts";
import { openStorage } from "../storage/openStorage.ts";
import type { Storage } from "../storage/storage.ts";
import type { WorkerDeps } from "../worker/runJob.ts";
import { countAbruptStop } from "./abruptStops.ts";
import { Admission } from "./admission.ts";
import type { CompiledConfig } from "./config.ts";
import { DiskWatch } from "./diskWatch.ts";
import { checkExecutionInputs, type NewExecution } from "./executionFactory.ts";
import type { InputCheck } from "../model/inputs.ts";
import { ExecutorService } from "./executorService.ts";
import { describeProgress } from "./progress.ts";
import { FlowService, type LoadedFlow } from "./flowService.ts";
import { lockHome } from "./homeLock.ts";
import { tuneJit } from "./jitTuning.ts";
import { ExecutionWaiters } from "./executionWaiters.ts";
import { InstanceEventsFacade } from "./instanceEvents.ts";
import { LeaseKeeper } from "./leases.ts";
import { QuietTriggers } from "./triggers/quietTriggers.ts";
import type { ClusterMember } from "./clusterMember.ts";
import { listProcesses, type ProcessRow } from "../backend/postgres/liveness.ts";
import { loadRegistry, pluginDirs } from "./registryLoader.ts";
import { createRenderer } from "./expressions.ts";
import type { EngineServices } from "../plugins/engineServices.ts";
import type { RenderServices, Renderer } from "../expression/renderer.ts";
import { executionOrigin, Renders } from "./renderServices.ts";
import type { Reporter, RoleContext, RoleStatus } from "./roleContext.ts";
import { WorkerService } from "./workerService.ts";
import { SchedulerService } from "./schedulerService.ts";
import { SecretGuard } from "../secrets/secretGuard.ts";
import { engineServices, pluginConfiguration, workerDeps, type WorkerParts } from "./workerDeps.ts";

export type { InstanceEvents } from "./instanceEvents.ts";

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
  /** Run the executor in this process (default true; a worker-only or API-only process of a cluster says false). */
  executor?: boolean;
  /** Run a worker in this process (default true). */
  worker?: boolean;
  /** This process serves the REST API (listed as a `webserver` in the cluster; PostgreSQL). */
  webserver?: boolean;
  /**
   * A process of a cluster (`saker server executor|worker|…`): a scheduler runs in some process,
   * so ended executions are posted to it even when this one runs none (Flow triggers).
   */
  cluster?: boolean;
}

function encryptionKey(config: CompiledConfig): Buffer {
  if (config.encryption.secretKey) return Buffer.from(config.encryption.secretKey, "base64");
  return loadOrCreateKey(join(config.home, "encryption.key"));
}

export class Instance implements RoleContext {
  readonly events: InstanceEventsFacade;
  /** Waits on executions: one listener each for all waiters, however many wait. */
  private readonly changeWaiters: ExecutionWaiters;
  private readonly endWaiters: ExecutionWaiters;
  /** The database behind the async interfaces the loops use (on SQLite the stores below are its synchronous side). */
  readonly backend: Backend;
  /** The synchronous SQLite stores; undefined on PostgreSQL. */
  private readonly sqlite: SqliteStores | undefined;
  private statsStore: StatsStore | undefined;
  readonly flows: FlowService;
  readonly storage: Storage;
  readonly secrets: SecretStore;
  readonly encryption: Encryption;
  /** Masking, sealing and the masked view of secret values. */
  readonly secretGuard: SecretGuard;
  readonly renderer: Renderer;
  /** Render services and variables of the executor's and the triggers' renders. */
  readonly renders: Renders;
  /** New executions, signals, restarts: through the backend, then a wake-up. */
  readonly admission: Admission;
  readonly report: Reporter;
  /** The leases of this process's queue claims, renewed, and the expired ones reaped. */
  readonly leases: LeaseKeeper;
  /** What the roles are handed (no role reaches the instance itself). */
  readonly context: RoleContext;
  readonly executor: ExecutorService;
  readonly worker: WorkerService;
  readonly scheduler: SchedulerService;
  /** Reports a full disk once and its end (the loops wait for space instead of failing). */
  readonly disk: DiskWatch;
  private schedulerEnabled = false;
  private inCluster = false;
  private executorEnabled = true;
  private workerEnabled = true;
  private closed = false;
  private stopWatching: (() => void) | undefined;
  private readonly workerParts: WorkerParts;
  /** `name@version` of every plugin version registered from the plugins folder. */
  readonly loadedPlugins = new Set<string>();

  private constructor(
    readonly config: CompiledConfig,
    database: { sqlite: SqliteDatabase } | { postgres: PostgresBackend; flows: FlowMirror },
    readonly registry: PluginRegistry,
    private readonly unlock: () => void,
  ) {
    this.report = {
      loopError: (context, error) => this.reportLoopError(context, error),
      internalError: (context, error) => this.reportInternalError(context, error),
    };
    if ("sqlite" in database) {
      const stores = sqliteStores(database.sqlite);
      this.sqlite = stores;
      this.backend = new SqliteBackend(stores, {
        notifier: new LocalNotifier((topic, error) => this.reportInternalError(`a listener of '${topic}'`, error)),
      });
      this.flows = new FlowService(stores.flows, registry, config.tenantId, config.plugins.defaults);
    } else {
      this.sqlite = undefined;
      this.backend = database.postgres;
      this.flowMirror = database.flows;
      this.flows = new FlowService(database.flows, registry, config.tenantId, config.plugins.defaults);
    }
    this.events = new InstanceEventsFacade(this.backend.notifier);
    this.changeWaiters = new ExecutionWaiters(this.events, "execution");
    this.endWaiters = new ExecutionWaiters(this.events, "execution:end");
    const backends: SecretBackend[] = [
      new EnvSecretBackend(config.env, (name) =>
        process.stderr.write(`warning: ${name} is not valid base64; ignored\n`),
      ),
    ];
    if (config.secrets.file) backends.push(new FileSecretBackend(config.secrets.file));
    this.secrets = new SecretStore(backends);
    this.storage = openStorage(config.storage, config.storagePath, this.secrets);
    this.encryption = new Encryption(encryptionKey(config));
    this.secretGuard = new SecretGuard(this.secrets, this.encryption);
    this.renderer = createRenderer(registry, config.expressions);
    this.renders = new Renders(config, this.secretGuard, {
      storage: this.storage,
      secrets: this.secrets,
      encryption: this.encryption,
      kv: (namespace, key) => this.backend.kv.get(config.tenantId, namespace, key),
      errorLogs: (executionId) => this.backend.logs.find({ executionId, minLevel: "ERROR" }),
      executionOrigin: (executionId) => executionOrigin(this.backend.executions, executionId),
    });
    const quietTriggers = new QuietTriggers(this.flows, () => this.sqlite !== undefined && !this.inCluster);
    this.admission = new Admission({
      backend: this.backend,
      config,
      flows: this.flows,
      renderer: this.renderer,
      renders: this.renders,
      storage: this.storage,
      encryption: this.encryption,
      secretGuard: this.secretGuard,
      schedulerEnabled: () => this.schedulerEnabled || this.inCluster,
      inserted: (stored) => this.executor.seed(stored),
      leaseMs: () => this.leases.leaseMs,
      triggersQuiet: () => quietTriggers.quiet(),
    });
    this.workerParts = {
      config,
      registry,
      renderer: this.renderer,
      storage: this.storage,
      secrets: this.secrets,
      encryption: this.encryption,
      secretGuard: this.secretGuard,
      flows: this.flows,
      backend: this.backend,
      stores: this.sqlite ?? postgresEngineStores(this.backend as PostgresBackend),
      isolation: new IsolationPool(),
      resume: (id, inputs) => this.resume(id, inputs),
      createExecution: (namespace, flowId, inputs) =>
        this.createExecution(namespace, flowId, { ...(inputs ? { inputs } : {}) }),
    };
    this.disk = new DiskWatch(config.home, (line) => process.stderr.write(`saker: ${line}\n`));
    this.leases = new LeaseKeeper(this.backend, (context, error) => this.reportLoopError(context, error));
    this.context = {
      backend: this.backend,
      config,
      flows: this.flows,
      registry,
      renderer: this.renderer,
      renders: this.renders,
      secretGuard: this.secretGuard,
      storage: this.storage,
      admission: this.admission,
      report: this.report,
      disk: this.disk,
      leases: this.leases,
      workerDeps: (log) => this.workerDeps(log),
      pluginConfiguration: (type) => this.pluginConfiguration(type),
    };
    this.executor = new ExecutorService(this.context);
    this.worker = new WorkerService(this.context);
    this.scheduler = new SchedulerService(this.context);
  }

  /** Liveness checks and the scheduler's leadership, on PostgreSQL. */
  private cluster: ClusterMember | undefined;
  private readonly deathListeners = new Set<() => void>();

  /**
   * Another process declared this one dead (its heartbeats stopped reaching the database for
   * longer than the liveness timeout) and gave its work to others: it stops taking any.
   */
  private async declaredDead(): Promise<void> {
    process.stderr.write(
      "saker: this process was declared dead by the cluster (no heartbeat within server.liveness.timeout): it stops taking work\n",
    );
    for (const listener of this.deathListeners) listener();
    await Promise.all([this.scheduler.stop(), this.worker.stop(), this.executor.stop()]).catch((error: unknown) =>
      this.reportInternalError("stopping after being declared dead", error),
    );
  }

  /**
   * The processes sharing this instance's database with their liveness state (PostgreSQL); on the
   * embedded database, this process alone.
   */
  async clusterProcesses(): Promise<ProcessRow[]> {
    if (!this.sqlite) return listProcesses((this.backend as PostgresBackend).pool);
    const roles = [
      ...(this.executorEnabled ? ["executor"] : []),
      ...(this.workerEnabled ? ["worker"] : []),
      ...(this.schedulerEnabled ? ["scheduler"] : []),
    ];
    const now = new Date().toISOString();
    return [
      {
        owner: this.backend.owner,
        roles,
        hostname: hostname(),
        pid: process.pid,
        workerGroup: null,
        concurrency: this.workerEnabled ? this.config.worker.concurrency : null,
        state: this.closed ? "TERMINATED" : "RUNNING",
        startedAt: this.startedAt,
        heartbeatAt: now,
        stateAt: null,
      },
    ];
  }
  private readonly startedAt = new Date().toISOString();

  /** Calls `listener` if the cluster declares this process dead (PostgreSQL); returns the unsubscribe. */
  onDeclaredDead(listener: () => void): () => void {
    this.deathListeners.add(listener);
    return () => this.deathListeners.delete(listener);
  }

  /** The flows of a PostgreSQL database, mirrored for `flows` (undefined on SQLite). */
  private readonly flowMirror: FlowMirror | undefined;

  /** The synchronous SQLite stores (tests, tools); on PostgreSQL a clear error. */
  private sqliteOnly(what: string): SqliteStores {
    if (this.sqlite) return this.sqlite;
    throw new SakerError(
      "ENGINE_UNAVAILABLE",
      `instance.${what} is only available on the SQLite backend (database.type is 'postgres'): use instance.backend`,
    );
  }

  get db(): SqliteDatabase {
    return this.sqliteOnly("db").db;
  }
  get queue(): SqliteQueue {
    return this.sqliteOnly("queue").queue;
  }
  get executions(): ExecutionStore {
    return this.sqliteOnly("executions").executions;
  }
  get logs(): LogStore {
    return this.sqliteOnly("logs").logs;
  }
  get kv(): KvStore {
    return this.sqliteOnly("kv").kv;
  }
  get metrics(): MetricStore {
    return this.sqliteOnly("metrics").metrics;
  }
  get triggers(): TriggerStore {
    return this.sqliteOnly("triggers").triggers;
  }
  get stats(): StatsStore {
    return (this.statsStore ??= new StatsStore(this.sqliteOnly("stats").db));
  }

  /** Opens (and locks) the data folder, registers the core plugin, recovers unfinished work. */
  static async open(config: CompiledConfig, options: OpenOptions = {}): Promise<Instance> {
    // The embedded database allows one process per home; on PostgreSQL any number share the database (and may share a storage folder).
    const lock =
      config.database.type === "postgres"
        ? { release: () => {}, previousStoppedAbruptly: false }
        : lockHome(config.home);
    const unlock = lock.release;
    let db: SqliteDatabase | undefined;
    let instance: Instance | undefined;
    let postgres: PostgresBackend | undefined;
    // After an abrupt stop, the lock is left in place until its interrupted work is counted.
    let counted = !lock.previousStoppedAbruptly;
    setDataLimits(config.limits);
    tuneJit();
    try {
      const loaded = new Set<string>();
      const registry = options.registry ?? (await loadRegistry(config, loaded));
      registry.defaultVersion = config.plugins.defaultVersion;
      if (config.database.type === "postgres") {
        const report = (context: string, error: unknown) =>
          process.stderr.write(`saker: ${context}: ${errorMessage(error)}\n`);
        const roles = [
          ...(options.executor !== false ? ["executor"] : []),
          ...(options.worker !== false ? ["worker"] : []),
          ...(options.scheduler === true ? ["scheduler"] : []),
          ...(options.webserver === true ? ["webserver"] : []),
        ];
        const liveness = config.server.liveness;
        // the PostgreSQL client (pg) and the cluster's parts load only for a PostgreSQL database
        const { PostgresBackend } = await import("../backend/postgres/postgresBackend.ts");
        const { ClusterMember } = await import("./clusterMember.ts");
        postgres = await PostgresBackend.open({
          url: config.database.url!,
          process: {
            roles,
            ...(options.worker !== false && config.server.workerGroup
              ? { workerGroup: config.server.workerGroup }
              : {}),
            ...(options.worker !== false ? { concurrency: config.worker.concurrency } : {}),
          },
          ...(liveness.enabled ? { heartbeatMs: parseDuration(liveness.heartbeatInterval) } : {}),
          onDeclaredDead: () => void instance?.declaredDead(),
          ...(config.database.schema ? { schema: config.database.schema } : {}),
          ...(config.database.poolSize ? { poolSize: config.database.poolSize } : {}),
          onListenerError: (topic, error) => report(`a listener of '${topic}'`, error),
          onConnectionError: (error) => report("the PostgreSQL connection", error),
        });
        const backend = postgres;
        const flows = await FlowMirror.load(postgres.flows, postgres.notifier, (fn) =>
          backend.transaction((tx) => fn((tx as unknown as PostgresBackend).flows)),
        );
        instance = new Instance(config, { postgres, flows }, registry, unlock);
        // Other processes share the database: only the claims of those that stopped beating are freed.
        counted = true;
        await postgres.queue.reapExpired({
          aliveOwners: await postgres.aliveOwners(liveness.enabled ? parseDuration(liveness.timeout) : undefined),
        });
        instance.cluster = new ClusterMember(instance.context, postgres, instance.scheduler, {
          liveness: liveness.enabled,
          scheduler: options.scheduler === true,
        });
      } else {
        db = openDatabase(config.databaseFile, {
          reset: options.resetDatabase === true,
          onReset: (movedTo, problem) =>
            process.stderr.write(
              `saker: the database was damaged (${problem}); moved to '${movedTo}', starting with an empty one\n`,
            ),
        });
        instance = new Instance(config, { sqlite: db }, registry, unlock);
        if (!counted) await countAbruptStop(instance.context);
        counted = true;
        // One process per home (the lock): every claim not made by this open belongs to a dead process.
        await instance.backend.queue.reapExpired({ aliveOwners: [instance.backend.owner] });
      }
      await instance.storage.verify?.();
      for (const key of loaded) instance.loadedPlugins.add(key);
      instance.schedulerEnabled = options.scheduler === true;
      instance.inCluster = options.cluster === true && config.database.type === "postgres";
      instance.executorEnabled = options.executor !== false;
      instance.workerEnabled = options.worker !== false;
      if (options.start !== false) instance.start();
      return instance;
    } catch (error) {
      instance?.storage.close?.();
      db?.close();
      await postgres?.close();
      if (counted) unlock();
      throw asDiskFull(error, config.home);
    }
  }

  start(): void {
    this.cluster?.start();
    this.leases.start();
    if (this.executorEnabled) this.executor.start();
    if (this.workerEnabled) this.worker.start();
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
    await (this.backend as Partial<PostgresBackend>).terminating?.();
    await this.scheduler.stop();
    await this.worker.stop();
    await this.executor.stop();
    await this.leases.stop();
    await this.cluster?.stop();
    await this.workerParts.isolation.close();
    await this.flowMirror?.flush().catch((error: unknown) => this.reportInternalError("saving flows", error));
    this.flowMirror?.close();
    await this.backend.close();
    this.storage.close?.();
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

  /** The roles' statuses (`/health`). */
  status(): { executor: RoleStatus; worker: RoleStatus; scheduler: RoleStatus } {
    return { executor: this.executor.status(), worker: this.worker.status(), scheduler: this.scheduler.status() };
  }

  /**
   * The variables of a render context. `decrypt` reveals SECRET inputs and sealed values (outputs,
   * labels… holding a secret) in memory only.
   */
  variables(sources: VariableSources, decrypt: boolean): Record<string, unknown> {
    return this.renders.variables(sources, decrypt);
  }

  /** Runtime services for renders done by the executor (runIf, If conditions, outputs…). */
  executorServices(execution: Execution): RenderServices {
    return this.renders.executorServices(execution);
  }

  renderServices(namespace: string, executionId: string, masker: SecretMasker, readPrefixes: string[]): RenderServices {
    return this.renders.renderServices(namespace, executionId, masker, readPrefixes);
  }

  workerDeps(log: (entry: LogEntry) => void): WorkerDeps {
    return workerDeps(this.workerParts, log);
  }

  /** The configuration the instance gives a plugin type (`plugins.configurations` matching it). */
  pluginConfiguration(type: string): Record<string, unknown> {
    return pluginConfiguration(this.config, type);
  }

  engineServices(): EngineServices {
    return engineServices(this.workerParts);
  }

  /** A new execution, its labels and inputs holding a secret (a Subflow's rendered ones) sealed. */
  buildExecution(flow: Flow, request: NewExecution): Promise<Execution> {
    return this.admission.buildExecution(flow, request);
  }

  /*
   * The writes below go through admission (the backend's transactions, then a wake-up): a
   * resolved promise means the write is committed, a rejection that nothing was written.
   */

  /** Inserts and queues executions (a webhook's), with `alsoWrite` in the same transaction. */
  startExecutions(executions: readonly Execution[], alsoWrite?: (tx: Backend) => Promise<void>): Promise<void> {
    return this.admission.start(executions, alsoWrite);
  }

  /** Validates and saves a flow. */
  async deploy(source: string, sourceName?: string): Promise<LoadedFlow & { created: boolean }> {
    const flow = await this.flows.validateAsync(source, sourceName);
    const saved = this.flows.save(source, flow);
    await this.flowMirror?.flush();
    return saved;
  }

  /**
   * Runs saves and deletes of flows made through `flows` together, all committed or none;
   * resolves once they are committed. On PostgreSQL they are written behind the mirror in one
   * transaction; on SQLite `fn` runs in a backend transaction.
   */
  async changeFlows<T>(fn: (flows: FlowService) => T): Promise<T> {
    const mirror = this.flowMirror;
    if (mirror) {
      const result = mirror.together(() => fn(this.flows));
      await mirror.flush();
      return result;
    }
    try {
      return await this.backend.transaction(() => Promise.resolve(fn(this.flows)));
    } catch (error) {
      // revisions parsed by saves that were rolled back must not be served for their numbers
      this.flows.invalidate();
      throw error;
    }
  }

  /** Creates an execution of the latest revision (or `revision`) and queues it. */
  async createExecution(
    namespace: string,
    flowId: string,
    request: NewExecution = {},
    revision?: number,
  ): Promise<Execution> {
    await this.refreshFlow(namespace, flowId, revision);
    return await this.admission.create(namespace, flowId, request, revision);
  }

  /**
   * Brings `flows` up to date with the database for one flow (its latest revision, or
   * `revision`), for a request that must see what another process saved a moment ago: on
   * PostgreSQL its notification may still be on the way. Nothing to do on SQLite.
   */
  async refreshFlow(namespace: string, flowId: string, revision?: number): Promise<void> {
    await this.flowMirror?.refresh(this.config.tenantId, namespace, flowId, revision);
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
      variables: (f, x) => this.renders.variables({ flow: f, execution: x }, true),
      services: (x) => this.renders.executorServices(x),
    });
  }

  getExecution(id: string): Promise<Execution> {
    return this.admission.getExecution(id);
  }

  /** Sends an event to an execution's executor (kill, resume…). */
  signal(executionId: string, event: ExecutorEvent): Promise<void> {
    return this.admission.signal(executionId, event);
  }

  kill(executionId: string): Promise<void> {
    return this.signal(executionId, { type: "kill-requested" });
  }

  resume(executionId: string, onResumeInputs?: Record<string, unknown>): Promise<void> {
    return this.admission.resume(executionId, onResumeInputs);
  }

  /** Restarts a terminated or paused execution (same id, or a new one for another revision). */
  restart(executionId: string, revision?: number): Promise<Execution> {
    return this.admission.restart(executionId, revision);
  }

  /** Replays an execution as a new one, from scratch or from a task run. */
  replay(executionId: string, taskRunId?: string, revision?: number): Promise<Execution> {
    return this.admission.replay(executionId, taskRunId, revision);
  }

  /**
   * Resolves once the execution is finished, or paused with nothing scheduled to resume it
   * (no pending message or job): a command-line run cannot wait for a person then.
   */
  waitForSettled(executionId: string, timeoutMs = 0): Promise<Execution> {
    if (!this.sqlite) {
      const backend = this.backend;
      return this.waitFor(this.changeWaiters, executionId, timeoutMs, async () => {
        if (this.closed) return undefined;
        const status = await backend.executions.status(executionId);
        if (status && !status.finished && status.state !== "PAUSED") return undefined;
        const stored = await backend.executions.get(executionId);
        if (!stored) return undefined;
        if (stored.finished) return stored.execution;
        return stored.execution.state.current === "PAUSED" && !(await backend.queue.hasKey(executionId))
          ? stored.execution
          : undefined;
      });
    }
    const settledPause = (x: Execution) => x.state.current === "PAUSED" && !this.queue.hasKey(executionId);
    return this.waitFor(this.changeWaiters, executionId, timeoutMs, () => {
      if (this.closed) return undefined;
      // the document is read only once the execution may have settled
      const status = this.executions.status(executionId);
      if (status && !status.finished && status.state !== "PAUSED") return undefined;
      const stored = this.executions.get(executionId);
      return stored && (stored.finished || settledPause(stored.execution)) ? stored.execution : undefined;
    });
  }

  /**
   * Resolves with what `check` finds, checked at once and after each notification of the
   * execution (a turn later: the notification may come before what follows it is readable).
   */
  private waitFor(
    waiters: ExecutionWaiters,
    executionId: string,
    timeoutMs: number,
    check: () => Execution | undefined | Promise<Execution | undefined>,
  ): Promise<Execution> {
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      let done = false;
      const finish = (error: Error | undefined, execution?: Execution) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        stop();
        if (error) reject(error);
        else resolve(execution!);
      };
      const found = (execution: Execution | undefined) => {
        if (execution) finish(undefined, execution);
      };
      const attempt = () => {
        if (done) return;
        try {
          const result = check();
          if (result instanceof Promise) result.then(found, (error: unknown) => finish(error as Error));
          else found(result);
        } catch (error) {
          finish(error as Error);
        }
      };
      const watching = waiters.watch(executionId, () => setImmediate(attempt));
      // the change may be another process's, its notification lost: poll too
      const stopPolling = onEachPoll(this.backend.notifier, attempt);
      const stop = () => {
        watching();
        stopPolling();
      };
      if (timeoutMs > 0)
        timer = setTimeout(() => {
          void this.notEnded(executionId, timeoutMs).then((error) => finish(error));
        }, timeoutMs);
      attempt();
    });
  }

  /** The error of a wait that timed out, naming where the execution stands. */
  private async notEnded(executionId: string, timeoutMs: number): Promise<SakerError> {
    const stored = this.sqlite
      ? this.sqlite.executions.get(executionId)
      : await this.backend.executions.get(executionId).catch(() => undefined);
    const where = stored ? `: ${describeProgress(stored.execution)}` : "";
    return new SakerError("TIMEOUT", `Execution '${executionId}' did not end within ${timeoutMs} ms${where}`);
  }

  /** Resolves once the execution is finished (terminated and its afterExecution tasks done). */
  waitForEnd(executionId: string, timeoutMs = 0): Promise<Execution> {
    if (!this.sqlite) {
      const backend = this.backend;
      return this.waitFor(this.endWaiters, executionId, timeoutMs, async () => {
        const stored = await backend.executions.get(executionId);
        return stored?.finished ? stored.execution : undefined;
      });
    }
    return this.waitFor(this.endWaiters, executionId, timeoutMs, () => {
      const stored = this.executions.get(executionId);
      return stored?.finished ? stored.execution : undefined;
    });
  }
}
