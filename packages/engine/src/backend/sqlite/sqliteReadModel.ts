/**
 * The API's reads on SQLite: the synchronous stores' own queries, each run under the backend's
 * rules (at once, or after the open transaction), so that nobody reads uncommitted rows.
 */
import type { LogLevel } from "@saker/sdk";
import type { ExecutionReads, LogReads, MetricReads, ReadModel, StatsReads } from "../readModel.ts";
import type { LogPurgeQuery, LogQuery, LogTuple } from "../records.ts";
import type { SearchQuery } from "../search.ts";
import type { MetricAggregateQuery, MetricPageQuery } from "../metrics.ts";
import type { SqliteDatabase } from "./database.ts";
import type { ExecutionStore } from "./executionStore.ts";
import type { LogStore } from "./logStore.ts";
import type { MetricStore } from "./metricStore.ts";
import type { ExecutionStatsQuery, LogStatsQuery, StatsPeriod } from "../stats.ts";
import { StatsStore } from "./statsStore.ts";

/** Runs a synchronous store call under the backend's rules. */
type Run = <T>(fn: () => T) => Promise<T>;

/** The stores the reads need (the backend's `SqliteStores`). */
export interface ReadStores {
  readonly db: SqliteDatabase;
  readonly executions: ExecutionStore;
  readonly logs: LogStore;
  readonly metrics: MetricStore;
}

export function sqliteReadModel(stores: ReadStores, run: Run): ReadModel {
  const { executions: x, logs: l, metrics: m } = stores;
  let statsStore: StatsStore | undefined;
  const stats = () => (statsStore ??= new StatsStore(stores.db));

  const executions: ExecutionReads = {
    searchSummaries: (tenantId: string, query: SearchQuery) => run(() => x.searchSummaries(tenantId, query)),
    searchIds: (tenantId: string, query: Omit<SearchQuery, "page" | "size">) => run(() => x.searchIds(tenantId, query)),
    text: (id: string) => run(() => x.text(id)),
    jsonText: (id: string) => run(() => x.jsonText(id)),
    executedFlows: (tenantId: string) => run(() => x.executedFlows(tenantId)),
    delete: (id: string) => run(() => x.delete(id)),
  };

  const logs: LogReads = {
    search: (base: LogQuery, query: SearchQuery) => run(() => l.search(base, query)),
    async *pages(query: LogQuery, size?: number): AsyncGenerator<LogTuple[]> {
      const pages = l.pages(query, size);
      for (;;) {
        const next = await run(() => pages.next());
        if (next.done) return;
        yield next.value;
      }
    },
    deleteByExecution: (executionId: string, levels?: readonly LogLevel[]) =>
      run(() => l.deleteByExecution(executionId, levels)),
    deleteByFlow: (tenantId: string, namespace: string, flowId: string, triggerId?: string) =>
      run(() => l.deleteByFlow(tenantId, namespace, flowId, triggerId)),
    purge: (query: LogPurgeQuery) => run(() => l.purge(query)),
  };

  const metrics: MetricReads = {
    page: (query: MetricPageQuery) => run(() => m.page(query)),
    names: (tenantId: string, namespace: string, flowId: string, taskId?: string) =>
      run(() => m.names(tenantId, namespace, flowId, taskId)),
    tasks: (tenantId: string, namespace: string, flowId: string) => run(() => m.tasks(tenantId, namespace, flowId)),
    aggregate: (query: MetricAggregateQuery) => run(() => m.aggregate(query)),
    deleteByExecution: (executionId: string) => run(() => m.deleteByExecution(executionId)),
  };

  const statsReads: StatsReads = {
    dailyExecutions: (query: ExecutionStatsQuery) => run(() => stats().dailyExecutions(query)),
    dailyExecutionsByFlow: (query: ExecutionStatsQuery, byNamespaceOnly: boolean) =>
      run(() => stats().dailyExecutionsByFlow(query, byNamespaceOnly)),
    countsByNamespace: (query: StatsPeriod & { namespace?: string }) => run(() => stats().countsByNamespace(query)),
    latestByFlow: (tenantId: string, flows: readonly { namespace: string; id: string }[]) =>
      run(() => stats().latestByFlow(tenantId, flows)),
    dailyLogs: (query: LogStatsQuery) => run(() => stats().dailyLogs(query)),
  };

  return { executions, logs, metrics, stats: statsReads };
}
