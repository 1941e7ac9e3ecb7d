/**
 * What engine-internal core tasks (log.Fetch, Count, PurgeExecutions, Resume…) reach beyond the
 * plugin contract. The worker attaches it to the RunContext it builds; third-party plugins
 * never see it.
 */
import { SakerError, type RunContext } from "@saker/sdk";
import type { ExecutorEvent } from "../executor/types.ts";
import type { Execution } from "../model/execution.ts";
import type { ExecutionStore } from "../backend/sqlite/executionStore.ts";
import type { KvStore } from "../backend/sqlite/kvStore.ts";
import type { LogStore } from "../backend/sqlite/logStore.ts";
import type { MetricStore } from "../backend/sqlite/metricStore.ts";
import type { TriggerStore } from "../backend/sqlite/triggerStore.ts";
import type { Storage } from "../storage/storage.ts";
import type { FlowService } from "./flowService.ts";
import type { PluginRegistry } from "../plugins/registry.ts";

export interface EngineServices {
  readonly tenantId: string;
  readonly logs: LogStore;
  readonly executions: ExecutionStore;
  readonly metrics: MetricStore;
  readonly kv: KvStore;
  /** Trigger state (disabled, last and next dates, backfill, precondition windows). */
  readonly triggers: TriggerStore;
  readonly flows: FlowService;
  readonly storage: Storage;
  readonly registry: PluginRegistry;
  /** Sends an event to an execution (resume, kill…). */
  signal(executionId: string, event: ExecutorEvent): Promise<void>;
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
