/**
 * The engine's public API for the server and the CLI: one object built once from an open
 * instance, every call async.
 */
import type { Instance } from "../runtime/instance.ts";
import { ExecutionsApi } from "./executions.ts";
import { FlowsApi } from "./flows.ts";
import { KvApi } from "./kv.ts";
import { LogsApi } from "./logs.ts";
import { MetricsApi } from "./metrics.ts";
import { StatsApi } from "./stats.ts";
import { TriggersApi } from "./triggers.ts";
import { WebhooksApi } from "./webhooks.ts";

export interface EngineApi {
  readonly instance: Instance;
  readonly executions: ExecutionsApi;
  readonly flows: FlowsApi;
  readonly logs: LogsApi;
  readonly kv: KvApi;
  readonly metrics: MetricsApi;
  readonly stats: StatsApi;
  readonly triggers: TriggersApi;
  readonly webhooks: WebhooksApi;
}

export function createEngineApi(instance: Instance): EngineApi {
  return {
    instance,
    executions: new ExecutionsApi(instance),
    flows: new FlowsApi(instance),
    logs: new LogsApi(instance),
    kv: new KvApi(instance),
    metrics: new MetricsApi(instance),
    stats: new StatsApi(instance),
    triggers: new TriggersApi(instance),
    webhooks: new WebhooksApi(instance),
  };
}

export { ExecutionsApi, type DeleteExecutionOptions } from "./executions.ts";
export { FlowsApi } from "./flows.ts";
export { KvApi } from "./kv.ts";
export { LogsApi, type LogScope, type ShownLogPage } from "./logs.ts";
export { MetricsApi } from "./metrics.ts";
export { StatsApi } from "./stats.ts";
export {
  TriggersApi,
  type BackfillRequest,
  type TriggerFilter,
  type TriggerListing,
  type TriggerSort,
  type TriggerView,
} from "./triggers.ts";
export { WebhooksApi, type WebhookOutcome } from "./webhooks.ts";
