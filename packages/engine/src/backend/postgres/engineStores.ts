/**
 * The calls of the engine services (`plugins/engineServices.ts`) that `Backend` does not have yet
 * — purges, searches, counts, the KV listing — on PostgreSQL, with the SQLite stores' answers.
 */
import type { LogLevel } from "@saker/sdk";
import type { Execution } from "../../model/execution.ts";
import type { ExecutionCountQuery, ExecutionQuery } from "../sqlite/executionStore.ts";
import type { LogPurgeQuery } from "../sqlite/logStore.ts";
import type { TriggerKey } from "../records.ts";
import { withRuns } from "./executionRepository.ts";
import type { PostgresBackend } from "./postgresBackend.ts";
import { toKvEntry } from "./repositories.ts";

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
interface DocumentRow {
  id: string;
  doc: string;
  runs: string[] | null;
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
  else if (query.namespace)
    where.add((n) => `(namespace = $${n} OR namespace LIKE $${n + 1})`, query.namespace, `${query.namespace}.%`);
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

/** The documents (or summaries) of the executions `$1` lists, runs put back. */
export function documentsSql(summary: boolean): string {
  const column = summary ? "summary" : "json";
  return `SELECT e.id, e.${column} AS doc,
    ARRAY(SELECT r.${column} FROM task_runs r WHERE r.execution_id = e.id ORDER BY r.position) AS runs
  FROM executions e WHERE e.id = ANY($1::text[])`;
}

export function documentsInOrder(ids: readonly string[], rows: readonly DocumentRow[]): Execution[] {
  const byId = new Map(rows.map((r) => [r.id, JSON.parse(withRuns(r.doc, r.runs ?? [])) as Execution]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

export function postgresEngineStores(backend: PostgresBackend) {
  const db = backend.pool;

  const logs = {
    async purge(query: LogPurgeQuery): Promise<number> {
      const where = new Where();
      where.add((n) => `tenant_id = $${n}`, query.tenantId);
      where.add((n) => `timestamp <= $${n}`, query.endDate);
      if (query.startDate) where.add((n) => `timestamp >= $${n}`, query.startDate);
      if (query.namespace !== undefined && query.flowId !== undefined)
        where.add((n) => `namespace = $${n} AND flow_id = $${n + 1}`, query.namespace, query.flowId);
      else if (query.namespace !== undefined)
        where.add((n) => `(namespace = $${n} OR namespace LIKE $${n + 1})`, query.namespace, `${query.namespace}.%`);
      else if (query.flowId !== undefined) where.add((n) => `flow_id = $${n}`, query.flowId);
      if (query.levels?.length) where.add((n) => `level = ANY($${n}::text[])`, [...query.levels]);
      return (await db.query(`DELETE FROM logs WHERE ${where.sql}`, where.params)).rowCount ?? 0;
    },
    async deleteByExecution(executionId: string, levels?: readonly LogLevel[]): Promise<number> {
      const result = levels?.length
        ? await db.query("DELETE FROM logs WHERE execution_id = $1 AND level = ANY($2::text[])", [
            executionId,
            [...levels],
          ])
        : await db.query("DELETE FROM logs WHERE execution_id = $1", [executionId]);
      return result.rowCount ?? 0;
    },
  };

  async function documents(ids: readonly string[], summary: boolean): Promise<Execution[]> {
    if (ids.length === 0) return [];
    const { rows } = await db.query<DocumentRow>(documentsSql(summary), [[...ids]]);
    return documentsInOrder(ids, rows);
  }

  const executions = {
    async search(query: ExecutionQuery): Promise<{ results: Execution[]; total: number }> {
      const search = executionSearch(query);
      const { rows } = await db.query<SearchRow>(search.sql, search.params);
      const ids = search.page(rows);
      return { results: await documents(ids.page, query.summary === true), total: ids.total };
    },
    async countByFlow(query: ExecutionCountQuery): Promise<{ namespace: string; flowId: string; count: number }[]> {
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

  const metrics = {
    async deleteByExecution(executionId: string): Promise<number> {
      return (await db.query("DELETE FROM metrics WHERE execution_id = $1", [executionId])).rowCount ?? 0;
    },
  };

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
