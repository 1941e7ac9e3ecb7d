/**
 * What a task run reaches from the worker: plugins, rendering, storage, secrets, KV, the plugin
 * configurations, and the engine services of engine-internal core tasks.
 */
import type { AnyTaskDefinition } from "@saker/sdk";
import type { Backend, EngineStores } from "../backend/backend.ts";
import type { LogEntry } from "../executor/types.ts";
import type { Execution } from "../model/execution.ts";
import type { PluginRegistry } from "../plugins/registry.ts";
import type { Encryption } from "../secrets/encryption.ts";
import type { SecretStore } from "../secrets/secrets.ts";
import type { Storage } from "../storage/storage.ts";
import type { IsolationPool } from "../worker/isolation/pool.ts";
import type { WorkerDeps } from "../worker/runJob.ts";
import type { CompiledConfig } from "./config.ts";
import type { EngineServices } from "../plugins/engineServices.ts";
import type { FlowService } from "./flowService.ts";
import type { Renderer } from "../expression/renderer.ts";
import type { SecretGuard } from "../secrets/secretGuard.ts";
import { executionOrigin } from "./renderServices.ts";

/**
 * The parts the worker's dependencies are made of. Engine-internal core tasks reach the data
 * through async `EngineServices`: the backend's repositories where they have the call, else the
 * SQLite stores behind an async call (the purges and counts the `Backend` interface does not
 * have yet).
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
  backend: Backend;
  stores: EngineStores;
  /** The threads of isolated tasks. */
  isolation: IsolationPool;
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
  const { stores, backend, flows } = parts;
  return {
    tenantId: parts.config.tenantId,
    logs: {
      find: (query) => backend.logs.find(query),
      purge: async (query) => stores.logs.purge(query),
      deleteByExecution: async (id, levels) => stores.logs.deleteByExecution(id, levels),
    },
    executions: {
      get: (id) => backend.executions.get(id),
      search: async (query) => stores.executions.search(query),
      countByFlow: async (query) => stores.executions.countByFlow(query),
      delete: async (id) => stores.executions.delete(id),
    },
    metrics: { deleteByExecution: async (id) => stores.metrics.deleteByExecution(id) },
    kv: {
      namespaces: async (tenantId) => stores.kv.namespaces(tenantId),
      listAll: async (tenantId, namespace) => stores.kv.listAll(tenantId, namespace),
      delete: (tenantId, namespace, key) => backend.kv.delete(tenantId, namespace, key),
    },
    triggers: { setDisabled: async (tenantId, key, disabled) => stores.triggers.setDisabled(tenantId, key, disabled) },
    flows: {
      find: async (namespace, id) => flows.find(namespace, id),
      heads: async () => flows.heads(),
      revisions: async (namespace, id) => flows.revisions(namespace, id),
      deleteRevisions: async (namespace, id, revisions) => flows.deleteRevisions(namespace, id, revisions),
      all: async (namespacePrefix) => flows.all(namespacePrefix),
      validate: (source, sourceName) => flows.validateAsync(source, sourceName),
      save: async (source, flow) => {
        const { stored, created } = flows.save(source, flow);
        return { stored, created };
      },
      delete: async (namespace, id) => flows.delete(namespace, id),
    },
    storage: parts.storage,
    registry: parts.registry,
    resume: (id, inputs) => parts.resume(id, inputs),
    createExecution: (namespace, flowId, inputs) => parts.createExecution(namespace, flowId, inputs),
  };
}

/** The engine services of each parts object: the worker asks for its dependencies at every job. */
const servicesOfParts = new WeakMap<WorkerParts, EngineServices>();

function sharedEngineServices(parts: WorkerParts): EngineServices {
  let services = servicesOfParts.get(parts);
  if (!services) servicesOfParts.set(parts, (services = engineServices(parts)));
  return services;
}

export function workerDeps(parts: WorkerParts, log: (entry: LogEntry) => void): WorkerDeps {
  const { config } = parts;
  return {
    tenantId: config.tenantId,
    registry: parts.registry,
    renderer: parts.renderer,
    storage: parts.storage,
    kv: parts.backend.kv,
    secrets: parts.secrets,
    encryption: parts.encryption,
    secretGuard: parts.secretGuard,
    tmpDir: config.tmpDir,
    log,
    errorLogs: (executionId) => parts.backend.logs.find({ executionId, minLevel: "ERROR" }),
    executionOrigin: (executionId) => executionOrigin(parts.backend.executions, executionId),
    engine: sharedEngineServices(parts),
    invoke: async (type, props, ctx) => {
      const isolated = type.isolated || config.plugins.isolated.some((prefix) => type.type.startsWith(prefix));
      if (isolated && type.plugin.entry) return parts.isolation.run(type.plugin.entry, type.type, props, ctx);
      return (type.definition as AnyTaskDefinition).run(props as never, ctx);
    },
    pluginConfiguration: (type) => pluginConfiguration(config, type),
    ...(config.server.url ? { serverUrl: config.server.url } : {}),
    refusedAddresses: config.http.refusedAddresses,
  };
}
