/** Execution and log statistics, aggregated by the database, and the counts of the dashboard summary. */
import type { Execution } from "../model/execution.ts";
import type {
  DailyExecutionStats,
  DailyLogStats,
  ExecutionCounts,
  ExecutionStatsQuery,
  LogStatsQuery,
  StatsPeriod,
} from "../backend/stats.ts";
import type { Instance } from "../runtime/instance.ts";

type Untenanted<T> = Omit<T, "tenantId">;

export class StatsApi {
  constructor(private readonly instance: Instance) {}

  private get tenantId(): string {
    return this.instance.config.tenantId;
  }

  private get reads() {
    return this.instance.backend.reads.stats;
  }

  async dailyExecutions(query: Untenanted<ExecutionStatsQuery>): Promise<DailyExecutionStats[]> {
    return await this.reads.dailyExecutions({ ...query, tenantId: this.tenantId });
  }

  async dailyExecutionsByFlow(
    query: Untenanted<ExecutionStatsQuery>,
    byNamespaceOnly: boolean,
  ): Promise<Record<string, Record<string, DailyExecutionStats[]>>> {
    return await this.reads.dailyExecutionsByFlow({ ...query, tenantId: this.tenantId }, byNamespaceOnly);
  }

  async countsByNamespace(
    query: Untenanted<StatsPeriod> & { namespace?: string },
  ): Promise<Record<string, ExecutionCounts>> {
    return await this.reads.countsByNamespace({ ...query, tenantId: this.tenantId });
  }

  async latestByFlow(flows: readonly { namespace: string; id: string }[]): Promise<Execution[]> {
    return await this.reads.latestByFlow(this.tenantId, flows);
  }

  async dailyLogs(query: Untenanted<LogStatsQuery>): Promise<DailyLogStats[]> {
    return await this.reads.dailyLogs({ ...query, tenantId: this.tenantId });
  }

  /** How many flows (latest revisions, not deleted) and trigger states, of one namespace when given. */
  async summary(namespace?: string): Promise<{ flows: number; triggers: number }> {
    const instance = this.instance;
    const flows = instance.flows.heads().filter((f) => namespace === undefined || f.namespace === namespace).length;
    const triggers = (
      await instance.backend.triggers.list(this.tenantId, namespace === undefined ? {} : { namespace })
    ).filter((t) => namespace === undefined || t.namespace === namespace).length;
    return { flows, triggers };
  }
}
