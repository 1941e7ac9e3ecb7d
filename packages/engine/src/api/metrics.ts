/** Metrics of executions: a page of an execution's metrics, names, tasks and aggregates, all in SQL. */
import type {
  MetricAggregateQuery,
  MetricAggregates,
  MetricEntry,
  MetricPageQuery,
} from "../backend/sqlite/metricStore.ts";
import type { Page } from "../backend/sqlite/searchSql.ts";
import type { Instance } from "../runtime/instance.ts";

export class MetricsApi {
  constructor(private readonly instance: Instance) {}

  private get tenantId(): string {
    return this.instance.config.tenantId;
  }

  async page(query: Omit<MetricPageQuery, "tenantId">): Promise<Page<MetricEntry>> {
    return await Promise.resolve(this.instance.metrics.page({ ...query, tenantId: this.tenantId }));
  }

  /** The metric names of a flow (of one of its tasks when given). */
  async names(namespace: string, flowId: string, taskId?: string): Promise<string[]> {
    return await Promise.resolve(this.instance.metrics.names(this.tenantId, namespace, flowId, taskId));
  }

  /** The tasks of a flow that emitted metrics. */
  async tasks(namespace: string, flowId: string): Promise<string[]> {
    return await Promise.resolve(this.instance.metrics.tasks(this.tenantId, namespace, flowId));
  }

  async aggregate(query: Omit<MetricAggregateQuery, "tenantId">): Promise<MetricAggregates> {
    return await Promise.resolve(this.instance.metrics.aggregate({ ...query, tenantId: this.tenantId }));
  }
}
