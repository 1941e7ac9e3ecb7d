/** Metrics of executions: a page of an execution's metrics, names, tasks and aggregates, all in SQL. */
import { SakerError } from "@saker/sdk";
import {
  METRIC_AGGREGATIONS,
  METRIC_SORT_COLUMNS,
  type MetricAggregateQuery,
  type MetricAggregates,
  type MetricEntry,
  type MetricPageQuery,
} from "../backend/metrics.ts";
import { pageWindow, type Page } from "../backend/search.ts";
import type { Instance } from "../runtime/instance.ts";

const invalid = (message: string, path: string) =>
  new SakerError("SEARCH_INVALID", message, { details: { issues: [{ path, message }] } });

export class MetricsApi {
  constructor(private readonly instance: Instance) {}

  private get tenantId(): string {
    return this.instance.config.tenantId;
  }

  private get reads() {
    return this.instance.backend.reads.metrics;
  }

  /** `SEARCH_INVALID` for a page before the first, a size out of 1 to 10,000, an unknown sort column. */
  async page(query: Omit<MetricPageQuery, "tenantId">): Promise<Page<MetricEntry>> {
    pageWindow(query.page, query.size);
    const known = Object.keys(METRIC_SORT_COLUMNS);
    for (const s of query.sort)
      if (!Object.hasOwn(METRIC_SORT_COLUMNS, s.column))
        throw invalid(`Invalid sort field '${String(s.column)}'; expected one of ${known.join(", ")}`, "sort");
    return await this.reads.page({ ...query, tenantId: this.tenantId });
  }

  /** The metric names of a flow (of one of its tasks when given). */
  async names(namespace: string, flowId: string, taskId?: string): Promise<string[]> {
    return await this.reads.names(this.tenantId, namespace, flowId, taskId);
  }

  /** The tasks of a flow that emitted metrics. */
  async tasks(namespace: string, flowId: string): Promise<string[]> {
    return await this.reads.tasks(this.tenantId, namespace, flowId);
  }

  async aggregate(query: Omit<MetricAggregateQuery, "tenantId">): Promise<MetricAggregates> {
    if (!(METRIC_AGGREGATIONS as readonly string[]).includes(query.aggregation))
      throw invalid(
        `Invalid aggregation '${query.aggregation}'; expected one of ${METRIC_AGGREGATIONS.join(", ")}`,
        "aggregation",
      );
    return await this.reads.aggregate({ ...query, tenantId: this.tenantId });
  }
}
