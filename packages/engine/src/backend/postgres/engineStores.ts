/**
 * The calls of the engine services (`plugins/engineServices.ts`) that `Backend` does not have yet
 * — searches, counts, the KV listing — on PostgreSQL, with the SQLite stores' answers. The purges
 * and deletes are the read model's (`backend.reads`, `postgresReadModel.ts`).
 */
import type { Execution } from "../../model/execution.ts";
import type { ExecutionCountQuery, ExecutionQuery, FlowExecutionCount, TriggerKey } from "../records.ts";
import type { Page } from "../search.ts";
import type { EngineStores } from "../backend.ts";
import type { PostgresBackend } from "./postgresBackend.ts";
import { documentsInOrder, documentsSql, type DocumentRow } from "./postgresReadModel.ts";
import { toKvEntry } from "../rowMapping.ts";
import { withinNamespace, withinNamespaceParams } from "./sql.ts";

/** Collects SQL conditions with their numbered parameters. */
class Where {
  readonly clauses: string[] = [];
  readonly params: unknown[] = [];
  add(sql: (n: number) => string, ...values: unknown[]): void {
    this.clauses.push(sql(this.params.length + 1));
    this.params.push(...values);
  }
  get sql(): string {
    return this.clauses.join(" AND ");
  }
}

type Labeled = { labels?: { key: string; value: string }[] };

interface SearchRow {
  id: string;
  summary: string;
}

/**
 * The SQL of an execution search (every match, in order), and the page of ids out of its rows:
 * labels live in the documents, so they are filtered here, on the summaries.
 */
export function executionSearch(query: ExecutionQuery): {
  sql: string;
  params: unknown[];
  page(rows: readonly SearchRow[]): { page: string[]; total: number };
} {
  const where = new Where();
  where.add((n) => `tenant_id = $${n} AND NOT deleted`, query.tenantId);
  if (query.namespace && query.exactNamespace) where.add((n) => `namespace = $${n}`, query.namespace);
  else if (query.namespace) where.add(withinNamespace, ...withinNamespaceParams(query.namespace));
  if (query.finished !== undefined) where.add((n) => `finished = $${n}`, query.finished);
  if (query.flowId) where.add((n) => `flow_id = $${n}`, query.flowId);
  if (query.states?.length) where.add((n) => `state = ANY($${n}::text[])`, [...query.states]);
  if (query.startDate) where.add((n) => `start_date >= $${n}`, query.startDate);
  if (query.endDate) where.add((n) => `start_date <= $${n}`, query.endDate);
  if (query.parentExecutionId) where.add((n) => `parent_execution_id = $${n}`, query.parentExecutionId);
  const direction = query.sort === "asc" ? "ASC" : "DESC";
  const size = query.size ?? 25;
  const page = Math.max(1, query.page ?? 1);
  const wanted = Object.entries(query.labels ?? {});
  return {
    sql: `SELECT id, summary FROM executions WHERE ${where.sql} ORDER BY start_date ${direction}, row_seq ${direction}`,
    params: where.params,
    page(rows) {
      const ids = rows
        .filter((r) => {
          if (wanted.length === 0) return true;
          const labels = (JSON.parse(r.summary) as Labeled).labels ?? [];
          return wanted.every(([k, v]) => labels.some((l) => l.key === k && (v === undefined || l.value === v)));
        })
        .map((r) => r.id);
      return { page: ids.slice((page - 1) * size, page * size), total: ids.length };
    },
  };
}

export function postgresEngineStores(backend: PostgresBackend): EngineStores {
  const db = backend.pool;

  // the purges and deletes are the read model's (the API makes them too)
  const logs = {
    purge: backend.reads.logs.purge,
    deleteByExecution: backend.reads.logs.deleteByExecution,
  };

  async function documents(ids: readonly string[], summary: boolean): Promise<Execution[]> {
    if (ids.length === 0) return [];
    const { rows } = await db.query<DocumentRow>(documentsSql(summary), [[...ids]]);
    return documentsInOrder(ids, rows);
  }

  const executions = {
    async search(query: ExecutionQuery): Promise<Page<Execution>> {
      const search = executionSearch(query);
      const { rows } = await db.query<SearchRow>(search.sql, search.params);
      const ids = search.page(rows);
      return { results: await documents(ids.page, query.summary === true), total: ids.total };
    },
    async countByFlow(query: ExecutionCountQuery): Promise<FlowExecutionCount[]> {
      const where = new Where();
      where.add(
        (n) => `tenant_id = $${n} AND NOT deleted AND start_date >= $${n + 1} AND start_date <= $${n + 2}`,
        query.tenantId,
        query.startDate,
        query.endDate,
      );
      if (query.states?.length) where.add((n) => `state = ANY($${n}::text[])`, [...query.states]);
      const or: string[] = [];
      for (const flow of query.flows ?? []) {
        or.push(`(namespace = $${where.params.length + 1} AND flow_id = $${where.params.length + 2})`);
        where.params.push(flow.namespace, flow.flowId);
      }
      for (const namespace of query.namespaces ?? []) {
        or.push(`namespace = $${where.params.length + 1}`);
        where.params.push(namespace);
      }
      if (or.length === 0) return [];
      const { rows } = await db.query<{ namespace: string; flowId: string; count: string }>(
        `SELECT namespace, flow_id AS "flowId", COUNT(*) AS count FROM executions WHERE ${where.sql} AND (${or.join(" OR ")})
         GROUP BY namespace, flow_id ORDER BY namespace COLLATE "C", flow_id COLLATE "C"`,
        where.params,
      );
      return rows.map((r) => ({ namespace: r.namespace, flowId: r.flowId, count: Number(r.count) }));
    },
    delete: (id: string) => backend.executions.delete(id),
  };

  const metrics = { deleteByExecution: backend.reads.metrics.deleteByExecution };

  const kv = {
    async namespaces(tenantId: string): Promise<string[]> {
      const { rows } = await db.query<{ namespace: string }>(
        `SELECT namespace FROM kv WHERE tenant_id = $1 GROUP BY namespace ORDER BY namespace COLLATE "C"`,
        [tenantId],
      );
      return rows.map((r) => r.namespace);
    },
    async listAll(tenantId: string, namespace: string) {
      const { rows } = await db.query<Parameters<typeof toKvEntry>[0]>(
        `SELECT * FROM kv WHERE tenant_id = $1 AND namespace = $2 ORDER BY key COLLATE "C"`,
        [tenantId, namespace],
      );
      return rows.map(toKvEntry);
    },
  };

  const triggers = {
    setDisabled: (tenantId: string, key: TriggerKey, disabled: boolean) =>
      backend.triggers.update(tenantId, key, (current) => ({ ...current, disabled })),
  };

  return { logs, executions, metrics, kv, triggers };
}
