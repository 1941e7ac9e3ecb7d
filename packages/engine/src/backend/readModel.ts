/**
 * The reads of the engine's public API (`api/*.ts`, hence the REST server and the CLI): searches
 * with filters, sorting and paging done by the database, documents sent as stored, statistics
 * aggregated in SQL — and the deletes those callers make. One async interface, implemented over
 * the SQLite stores (`sqlite/sqliteReadModel.ts`) and over PostgreSQL
 * (`postgres/postgresReadModel.ts`) with the same answers.
 */
import type { LogLevel } from "@saker/sdk";
import type { Execution } from "../model/execution.ts";
import type { LogPurgeQuery, LogQuery, LogTuple, StoredLog } from "./records.ts";
import type { Page, SearchQuery } from "./search.ts";
import type { MetricAggregateQuery, MetricAggregates, MetricEntry, MetricPageQuery } from "./metrics.ts";
import type {
  DailyExecutionStats,
  DailyLogStats,
  ExecutionCounts,
  ExecutionStatsQuery,
  LogStatsQuery,
  StatsPeriod,
} from "./stats.ts";

export interface ExecutionReads {
  /** Summaries (no outputs) of the executions a search matches, newest first unless sorted. */
  searchSummaries(tenantId: string, query: SearchQuery): Promise<Page<Execution>>;
  /** The ids of every execution a search matches, in its order. */
  searchIds(tenantId: string, query: Omit<SearchQuery, "page" | "size">): Promise<string[]>;
  /** An execution's JSON text as stored, with its summary. */
  text(id: string): Promise<{ json: string; summary: Execution } | undefined>;
  /** An execution's JSON text as stored, and whether it is deleted. */
  jsonText(id: string): Promise<{ json: string; deleted: boolean } | undefined>;
  /** The namespace and flow id of every flow that has executions, sorted (by bytes). */
  executedFlows(tenantId: string): Promise<{ namespace: string; flowId: string }[]>;
  /** Deletes an execution and its task runs; false when there was none. */
  delete(id: string): Promise<boolean>;
}

export interface LogReads {
  /** The logs `base` selects that a search matches, newest first unless sorted. */
  search(base: LogQuery, query: SearchQuery): Promise<Page<StoredLog>>;
  /**
   * The entries `query` selects in written order, at most `size` rows a page (keyset paging on
   * `seq`, each page read whole: nothing stays open while the caller waits between pages).
   * `limit`, `offset` and `newestFirst` do not apply.
   */
  pages(query: LogQuery, size?: number): AsyncGenerator<LogTuple[]>;
  deleteByExecution(executionId: string, levels?: readonly LogLevel[]): Promise<number>;
  /** A flow's logs (its executions' and its triggers'), or one trigger's. */
  deleteByFlow(tenantId: string, namespace: string, flowId: string, triggerId?: string): Promise<number>;
  /** Logs up to `endDate` (from `startDate`) of a flow, or of a namespace and those below it. */
  purge(query: LogPurgeQuery): Promise<number>;
}

export interface MetricReads {
  /** A page of an execution's metrics (of one task or task run), in written order unless sorted. */
  page(query: MetricPageQuery): Promise<Page<MetricEntry>>;
  names(tenantId: string, namespace: string, flowId: string, taskId?: string): Promise<string[]>;
  tasks(tenantId: string, namespace: string, flowId: string): Promise<string[]>;
  aggregate(query: MetricAggregateQuery): Promise<MetricAggregates>;
  deleteByExecution(executionId: string): Promise<number>;
}

export interface StatsReads {
  dailyExecutions(query: ExecutionStatsQuery): Promise<DailyExecutionStats[]>;
  dailyExecutionsByFlow(
    query: ExecutionStatsQuery,
    byNamespaceOnly: boolean,
  ): Promise<Record<string, Record<string, DailyExecutionStats[]>>>;
  countsByNamespace(query: StatsPeriod & { namespace?: string }): Promise<Record<string, ExecutionCounts>>;
  /** The execution of each flow that ended last (summaries without task runs), in the order of `flows`. */
  latestByFlow(tenantId: string, flows: readonly { namespace: string; id: string }[]): Promise<Execution[]>;
  dailyLogs(query: LogStatsQuery): Promise<DailyLogStats[]>;
}

export interface ReadModel {
  readonly executions: ExecutionReads;
  readonly logs: LogReads;
  readonly metrics: MetricReads;
  readonly stats: StatsReads;
}
