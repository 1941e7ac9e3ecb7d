/** Execution and log statistics, aggregated by the database, and the counts of the dashboard summary. */
import type { Execution } from "../model/execution.ts";
import type {
  DailyExecutionStats,
  DailyLogStats,
  ExecutionCounts,
  ExecutionStatsQuery,
  LogStatsQuery,
  StatsPeriod,
} from "../backend/sqlite/statsStore.ts";
import type { Instance } from "../runtime/instance.ts";

type Untenanted<T> = Omit<T, "tenantId">;

export class StatsApi {
  constructor(private readonly instance: Instance) {}

  private get tenantId(): string {
    return this.instance.config.tenantId;
  }

  async dailyExecutions(query: Untenanted<ExecutionStatsQuery>): Promise<DailyExecutionStats[]> {
    return await Promise.resolve(this.instance.stats.dailyExecutions({ ...query, tenantId: this.tenantId }));
  }

  async dailyExecutionsByFlow(
    query: Untenanted<ExecutionStatsQuery>,
    byNamespaceOnly: boolean,
  ): Promise<Record<string, Record<string, DailyExecutionStats[]>>> {
    return await Promise.resolve(
      this.instance.stats.dailyExecutionsByFlow({ ...query, tenantId: this.tenantId }, byNamespaceOnly),
    );
  }

  async countsByNamespace(
    query: Untenanted<StatsPeriod> & { namespace?: string },
  ): Promise<Record<string, ExecutionCounts>> {
    return await Promise.resolve(this.instance.stats.countsByNamespace({ ...query, tenantId: this.tenantId }));
  }

  async latestByFlow(flows: readonly { namespace: string; id: string }[]): Promise<Execution[]> {
    return await Promise.resolve(this.instance.stats.latestByFlow(this.tenantId, flows));
  }

  async dailyLogs(query: Untenanted<LogStatsQuery>): Promise<DailyLogStats[]> {
    return await Promise.resolve(this.instance.stats.dailyLogs({ ...query, tenantId: this.tenantId }));
  }

  /** How many flows (latest revisions, not deleted) and trigger states, of one namespace when given. */
  async summary(namespace?: string): Promise<{ flows: number; triggers: number }> {
    const instance = this.instance;
    const flows = await Promise.resolve(
      instance.flows.heads().filter((f) => namespace === undefined || f.namespace === namespace).length,
    );
    const triggers = await Promise.resolve(
      instance.triggers
        .list(this.tenantId, namespace === undefined ? {} : { namespace })
        .filter((t) => namespace === undefined || t.namespace === namespace).length,
    );
    return { flows, triggers };
  }
}
