/**
 * What a task run reaches from the worker: plugins, rendering, storage, secrets, KV, the plugin
 * configurations, and the engine services of engine-internal core tasks.
 */
import type { AnyTaskDefinition } from "@saker/sdk";
import type { ExecutorEvent, LogEntry } from "../executor/types.ts";
import type { Execution } from "../model/execution.ts";
import type { PluginRegistry } from "../plugins/registry.ts";
import type { ExecutionStore } from "../backend/sqlite/executionStore.ts";
import type { KvStore } from "../backend/sqlite/kvStore.ts";
import type { LogStore } from "../backend/sqlite/logStore.ts";
import type { MetricStore } from "../backend/sqlite/metricStore.ts";
import type { TriggerStore } from "../backend/sqlite/triggerStore.ts";
import type { Encryption } from "../secrets/encryption.ts";
import type { SecretStore } from "../secrets/secrets.ts";
import type { Storage } from "../storage/storage.ts";
import { runIsolatedTask } from "../worker/isolation/pool.ts";
import type { WorkerDeps } from "../worker/runJob.ts";
import type { CompiledConfig } from "./config.ts";
import type { EngineServices } from "./engineServices.ts";
import type { FlowService } from "./flowService.ts";
import type { Renderer } from "./renderer.ts";
import type { SecretGuard } from "./secretGuard.ts";

/**
 * The parts the worker's dependencies are made of. Engine-internal core tasks still reach the
 * synchronous SQLite stores (`EngineServices`); they move to the backend with the engine API.
 */
export interface WorkerParts {
  config: CompiledConfig;
  registry: PluginRegistry;
  renderer: Renderer;
  storage: Storage;
  secrets: SecretStore;
  encryption: Encryption;
  secretGuard: SecretGuard;
  flows: FlowService;
  stores: {
    kv: KvStore;
    logs: LogStore;
    executions: ExecutionStore;
    metrics: MetricStore;
    triggers: TriggerStore;
  };
  signal(executionId: string, event: ExecutorEvent): Promise<void>;
  resume(executionId: string, onResumeInputs?: Record<string, unknown>): Promise<void>;
  createExecution(namespace: string, flowId: string, inputs?: Record<string, unknown>): Promise<Execution>;
}

/** The configuration the instance gives a plugin type (`plugins.configurations` matching it). */
export function pluginConfiguration(config: CompiledConfig, type: string): Record<string, unknown> {
  return Object.assign(
    {},
    ...config.plugins.configurations.filter((c) => type.startsWith(c.type)).map((c) => c.values),
  );
}

export function engineServices(parts: WorkerParts): EngineServices {
  const { stores } = parts;
  return {
    tenantId: parts.config.tenantId,
    logs: stores.logs,
    executions: stores.executions,
    metrics: stores.metrics,
    kv: stores.kv,
    flows: parts.flows,
    storage: parts.storage,
    registry: parts.registry,
    triggers: stores.triggers,
    signal: (id, event) => parts.signal(id, event),
    resume: (id, inputs) => parts.resume(id, inputs),
    createExecution: (namespace, flowId, inputs) => parts.createExecution(namespace, flowId, inputs),
  };
}

export function workerDeps(parts: WorkerParts, log: (entry: LogEntry) => void): WorkerDeps {
  const { config } = parts;
  return {
    tenantId: config.tenantId,
    registry: parts.registry,
    renderer: parts.renderer,
    storage: parts.storage,
    kv: parts.stores.kv,
    secrets: parts.secrets,
    encryption: parts.encryption,
    secretGuard: parts.secretGuard,
    tmpDir: config.tmpDir,
    log,
    errorLogs: async (executionId) => parts.stores.logs.find({ executionId, minLevel: "ERROR" }),
    engine: engineServices(parts),
    invoke: async (type, props, ctx) => {
      const isolated = type.isolated || config.plugins.isolated.some((prefix) => type.type.startsWith(prefix));
      if (isolated && type.plugin.entry) return runIsolatedTask(type.plugin.entry, type.type, props, ctx);
      return (type.definition as AnyTaskDefinition).run(props as never, ctx);
    },
    pluginConfiguration: (type) => pluginConfiguration(config, type),
    ...(config.server.url ? { serverUrl: config.server.url } : {}),
    refusedAddresses: config.http.refusedAddresses,
  };
}
