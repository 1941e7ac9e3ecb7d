/**
 * What engine-internal core tasks (log.Fetch, Count, PurgeExecutions, Resume…) reach beyond the
 * plugin contract. The worker attaches it to the RunContext it builds; third-party plugins
 * never see it. Every data access is async, so that a backend other than SQLite serves the same
 * tasks; nothing here names a database type.
 */
import { SakerError, type KvEntry, type LogLevel, type RunContext } from "@saker/sdk";
import type { Execution } from "../model/execution.ts";
import type { Flow } from "../model/flow.ts";
import type {
  ExecutionCountQuery,
  ExecutionQuery,
  FlowExecutionCount,
  FlowHead,
  LogPurgeQuery,
  LogQuery,
  StoredExecution,
  StoredFlow,
  StoredLog,
  TriggerKey,
  TriggerState,
} from "../backend/records.ts";
import type { Page } from "../backend/search.ts";
import type { Storage } from "../storage/storage.ts";
import type { PluginRegistry } from "./registry.ts";

export interface EngineExecutions {
  get(id: string): Promise<StoredExecution | undefined>;
  search(query: ExecutionQuery): Promise<Page<Execution>>;
  countByFlow(query: ExecutionCountQuery): Promise<FlowExecutionCount[]>;
  /** Deletes an execution's row; true when there was one. */
  delete(id: string): Promise<boolean>;
}

export interface EngineLogs {
  find(query: LogQuery): Promise<StoredLog[]>;
  /** Deletes the matching entries; returns how many went. */
  purge(query: LogPurgeQuery): Promise<number>;
  deleteByExecution(executionId: string, levels?: readonly LogLevel[]): Promise<number>;
}

export interface EngineMetrics {
  deleteByExecution(executionId: string): Promise<number>;
}

export interface EngineKv {
  namespaces(tenantId: string): Promise<string[]>;
  /** Every entry of a namespace, expired ones included (PurgeKV decides). */
  listAll(tenantId: string, namespace: string): Promise<KvEntry[]>;
  delete(tenantId: string, namespace: string, key: string): Promise<boolean>;
}

export interface EngineTriggers {
  setDisabled(tenantId: string, key: TriggerKey, disabled: boolean): Promise<TriggerState>;
}

export interface EngineFlows {
  /** The latest revision, parsed; undefined when there is none or it is deleted. */
  find(namespace: string, id: string): Promise<{ stored: StoredFlow; flow: Flow } | undefined>;
  /** The latest revision of every flow, without sources. */
  heads(): Promise<FlowHead[]>;
  revisions(namespace: string, id: string): Promise<StoredFlow[]>;
  /** Deletes old revisions of a flow for good; returns how many went. */
  deleteRevisions(namespace: string, id: string, revisions: readonly number[]): Promise<number>;
  /** The latest, not deleted, revision of every flow of a namespace and its children, with sources. */
  all(namespacePrefix: string): Promise<StoredFlow[]>;
  /** Parses and validates a source as the API does, without saving it. */
  validate(source: string, sourceName?: string): Promise<Flow>;
  /** Saves a flow `validate` returned for `source`; `created` when a revision was added. */
  save(source: string, flow: Flow): Promise<{ stored: StoredFlow; created: boolean }>;
  /** Deletes a flow (a deleted revision is added); false when there is none. */
  delete(namespace: string, id: string): Promise<boolean>;
}

export interface EngineServices {
  readonly tenantId: string;
  readonly logs: EngineLogs;
  readonly executions: EngineExecutions;
  readonly metrics: EngineMetrics;
  readonly kv: EngineKv;
  /** Trigger state (disabled, last and next dates, backfill, precondition windows). */
  readonly triggers: EngineTriggers;
  readonly flows: EngineFlows;
  readonly storage: Storage;
  readonly registry: PluginRegistry;
  /** Validates onResume inputs of the first paused task and resumes the execution. */
  resume(executionId: string, onResumeInputs?: Record<string, unknown>): Promise<void>;
  /** Creates an execution of a flow (used by triggers and tests). */
  createExecution(namespace: string, flowId: string, inputs?: Record<string, unknown>): Promise<Execution>;
}

const ENGINE = Symbol.for("saker.engine.services");

export function attachEngineServices(ctx: RunContext, services: EngineServices): void {
  Object.defineProperty(ctx, ENGINE, { value: services, enumerable: false });
}

/** The engine services of a core task's context; fails for a context built elsewhere. */
export function engineOf(ctx: RunContext): EngineServices {
  const services = (ctx as unknown as Record<symbol, EngineServices | undefined>)[ENGINE];
  if (!services) throw new SakerError("ENGINE_UNAVAILABLE", "this task only runs inside a Saker worker");
  return services;
}
