/** Logs as the server searches them: filtered, sorted (newest first by default) and paged by SQL. */
import type { LogQuery, StoredLog } from "../backend/sqlite/logStore.ts";
import type { Page, SearchQuery } from "../backend/sqlite/searchSql.ts";
import type { Instance } from "../runtime/instance.ts";

/** What the store's own query takes besides the filters: a level floor and a time window. */
export type LogScope = Pick<LogQuery, "minLevel" | "startDate" | "endDate">;

export class LogsApi {
  constructor(private readonly instance: Instance) {}

  async search(scope: LogScope, query: SearchQuery): Promise<Page<StoredLog>> {
    const base: LogQuery = { tenantId: this.instance.config.tenantId, ...scope };
    return await Promise.resolve(this.instance.logs.search(base, query));
  }

  /** The logs of one execution, oldest first. */
  async ofExecution(query: LogQuery & { executionId: string }): Promise<StoredLog[]> {
    return await Promise.resolve(this.instance.logs.find(query));
  }

  /** Deletes the logs of one execution; returns how many went. */
  async deleteOfExecution(executionId: string): Promise<number> {
    return await Promise.resolve(this.instance.logs.deleteByExecution(executionId));
  }

  /** Deletes the logs of a flow: its executions' and its triggers', or one trigger's. */
  async deleteOfFlow(namespace: string, flowId: string, triggerId?: string): Promise<number> {
    const tenantId = this.instance.config.tenantId;
    return await Promise.resolve(this.instance.logs.deleteByFlow(tenantId, namespace, flowId, triggerId));
  }
}
