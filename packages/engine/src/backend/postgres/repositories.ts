/**
 * Flows, logs, KV, triggers and metrics on PostgreSQL: the same rows, and the same answers, as
 * the SQLite stores of `backend/sqlite` (see each one there for the why).
 */
import type { KvEntry, Metric } from "@saker/sdk";
import type { LogEntry, WorkerJob } from "../../executor/types.ts";
import type { Label } from "../../model/execution.ts";
import type {
  FlowRevisionRepository,
  KvRepository,
  LogRepository,
  MetricRepository,
  TriggerRepository,
} from "../backend.ts";
import { compileSearch, type Page, type SearchQuery } from "../search.ts";
import { PG_FLOW_COLUMNS, POSTGRES_DIALECT, searchError } from "./searchDialect.ts";
import type {
  FlowHead,
  FlowSummary,
  LogQuery,
  StoredFlow,
  StoredLog,
  StoredMetric,
  TriggerKey,
  TriggerState,
} from "../records.ts";
import { batchWrite } from "./writeBatch.ts";
import { withinNamespace, withinNamespaceParams, type Atomic, type Queryable } from "./sql.ts";
import { likePrefix } from "../like.ts";
import {
  kvValues,
  levelRank,
  toKvEntry,
  toLog,
  toMetric,
  toTriggerState,
  type KvRow,
  type LogRow,
  type TriggerRow,
} from "../rowMapping.ts";

/** A KV entry written, its values from `kvValues`. */
export const KV_UPSERT = `INSERT INTO kv (tenant_id, namespace, key, value, type, expiration_date, update_date, creation_date) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
  ON CONFLICT (tenant_id, namespace, key) DO UPDATE SET value = excluded.value, type = excluded.type, expiration_date = excluded.expiration_date, update_date = excluded.update_date`;

interface FlowRow {
  tenant_id: string;
  namespace: string;
  id: string;
  revision: number;
  deleted: boolean;
  disabled: boolean;
  updated: string;
  labels: string;
  source: string;
}

const SUMMARY_COLUMNS = "f.tenant_id, f.namespace, f.id, f.revision, f.deleted, f.disabled, f.updated, f.labels";

const toFlowSummary = (r: Omit<FlowRow, "source">): FlowSummary => ({
  tenantId: r.tenant_id,
  namespace: r.namespace,
  id: r.id,
  revision: r.revision,
  deleted: r.deleted,
  disabled: r.disabled,
  updated: r.updated,
  labels: JSON.parse(r.labels) as Label[],
});

export const toFlow = (r: FlowRow): StoredFlow => ({ ...toFlowSummary(r), source: r.source });

const inPrefix = (namespace: string, prefix?: string) =>
  prefix === undefined || namespace === prefix || namespace.startsWith(`${prefix}.`);

/** The latest revision of each flow of a tenant that is not deleted, by namespace and id. */
const LATEST_SQL = `SELECT f.* FROM flows f JOIN (
    SELECT tenant_id, namespace, id, MAX(revision) AS revision FROM flows WHERE tenant_id = $1 GROUP BY tenant_id, namespace, id
  ) l ON f.tenant_id = l.tenant_id AND f.namespace = l.namespace AND f.id = l.id AND f.revision = l.revision
  WHERE NOT f.deleted ORDER BY f.namespace COLLATE "C", f.id COLLATE "C"`;

export class PostgresFlows implements FlowRevisionRepository {
  constructor(private readonly db: Queryable) {}

  async latest(tenantId: string, namespace: string, id: string): Promise<StoredFlow | undefined> {
    const { rows } = await this.db.query<FlowRow>(
      "SELECT * FROM flows WHERE tenant_id = $1 AND namespace = $2 AND id = $3 ORDER BY revision DESC LIMIT 1",
      [tenantId, namespace, id],
    );
    return rows[0] ? toFlow(rows[0]) : undefined;
  }

  /** The number of a flow's latest revision and whether it is deleted (no source read). */
  async latestHead(
    tenantId: string,
    namespace: string,
    id: string,
  ): Promise<{ revision: number; deleted: boolean } | undefined> {
    const { rows } = await this.db.query<{ revision: number; deleted: boolean }>(
      "SELECT revision, deleted FROM flows WHERE tenant_id = $1 AND namespace = $2 AND id = $3 ORDER BY revision DESC LIMIT 1",
      [tenantId, namespace, id],
    );
    return rows[0];
  }

  async revision(tenantId: string, namespace: string, id: string, revision: number): Promise<StoredFlow | undefined> {
    const { rows } = await this.db.query<FlowRow>(
      "SELECT * FROM flows WHERE tenant_id = $1 AND namespace = $2 AND id = $3 AND revision = $4",
      [tenantId, namespace, id, revision],
    );
    return rows[0] ? toFlow(rows[0]) : undefined;
  }

  async revisions(tenantId: string, namespace: string, id: string): Promise<StoredFlow[]> {
    const { rows } = await this.db.query<FlowRow>(
      "SELECT * FROM flows WHERE tenant_id = $1 AND namespace = $2 AND id = $3 ORDER BY revision",
      [tenantId, namespace, id],
    );
    return rows.map(toFlow);
  }

  async all(tenantId: string, namespacePrefix?: string): Promise<StoredFlow[]> {
    const { rows } = await this.db.query<FlowRow>(LATEST_SQL, [tenantId]);
    return rows.map(toFlow).filter((f) => inPrefix(f.namespace, namespacePrefix));
  }

  async heads(tenantId: string): Promise<FlowHead[]> {
    const { rows } = await this.db.query<{ namespace: string; id: string; revision: number; disabled: boolean }>(
      `SELECT f.namespace, f.id, f.revision, f.disabled FROM flows f JOIN (
         SELECT namespace, id, MAX(revision) AS revision FROM flows WHERE tenant_id = $1 GROUP BY namespace, id
       ) l ON f.namespace = l.namespace AND f.id = l.id AND f.revision = l.revision
       WHERE f.tenant_id = $1 AND NOT f.deleted ORDER BY f.namespace COLLATE "C", f.id COLLATE "C"`,
      [tenantId],
    );
    return rows.map((r) => ({ namespace: r.namespace, id: r.id, revision: r.revision, disabled: r.disabled }));
  }

  async search(tenantId: string, query: SearchQuery): Promise<Page<FlowSummary>> {
    try {
      const search = compileSearch(PG_FLOW_COLUMNS, query, { dialect: POSTGRES_DIALECT, paramsBefore: 1 });
      const from = `FROM flows f JOIN (
          SELECT tenant_id, namespace, id, MAX(revision) AS revision FROM flows WHERE tenant_id = $1 GROUP BY tenant_id, namespace, id
        ) l ON f.tenant_id = l.tenant_id AND f.namespace = l.namespace AND f.id = l.id AND f.revision = l.revision
        WHERE NOT f.deleted AND ${search.where}`;
      const params = [tenantId, ...search.params];
      const { rows: counted } = await this.db.query<{ n: string }>(`SELECT COUNT(*) AS n ${from}`, params);
      const total = Number(counted[0]?.n ?? 0);
      if (search.offset >= total) return { results: [], total };
      const { rows } = await this.db.query<Omit<FlowRow, "source">>(
        `SELECT ${SUMMARY_COLUMNS} ${from} ORDER BY ${search.orderBy} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
        [...params, search.limit, search.offset],
      );
      return { results: rows.map((r) => toFlowSummary(r)), total };
    } catch (error) {
      throw searchError(error);
    }
  }

  async namespaces(tenantId: string): Promise<string[]> {
    const { rows } = await this.db.query<{ namespace: string }>(
      `SELECT DISTINCT namespace COLLATE "C" AS namespace FROM (${LATEST_SQL.replace("f.*", "f.namespace")}) l ORDER BY 1`,
      [tenantId],
    );
    return rows.map((r) => r.namespace);
  }

  /** Every revision of every flow of every tenant (the flow mirror's load). */
  async everything(): Promise<StoredFlow[]> {
    const { rows } = await this.db.query<FlowRow>("SELECT * FROM flows ORDER BY tenant_id, namespace, id, revision");
    return rows.map(toFlow);
  }

  /** Adds a revision as given; fails when it exists (another process saved that revision first). */
  async insertRevision(flow: StoredFlow): Promise<void> {
    await this.db.query(
      "INSERT INTO flows (tenant_id, namespace, id, revision, source, deleted, disabled, updated, labels) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
      [
        flow.tenantId,
        flow.namespace,
        flow.id,
        flow.revision,
        flow.source,
        flow.deleted,
        flow.disabled,
        flow.updated,
        JSON.stringify(flow.labels),
      ],
    );
  }

  /** Deletes the given revisions of a flow for good; returns how many went. */
  async deleteRevisions(
    tenantId: string,
    namespace: string,
    id: string,
    revisions: readonly number[],
  ): Promise<number> {
    const { rowCount } = await this.db.query(
      "DELETE FROM flows WHERE tenant_id = $1 AND namespace = $2 AND id = $3 AND revision = ANY($4::int[])",
      [tenantId, namespace, id, [...revisions]],
    );
    return rowCount ?? 0;
  }
}

/** `WHERE` of a log query, with its parameters (numbered from 1). */
export function logWhere(query: LogQuery): { clause: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: (n: number) => string, ...values: unknown[]) => {
    where.push(sql(params.length + 1));
    params.push(...values);
  };
  const eq = (column: string, value: unknown) => {
    if (value !== undefined) add((n) => `${column} = $${n}`, value);
  };
  eq("tenant_id", query.tenantId);
  eq("execution_id", query.executionId);
  eq("namespace", query.namespace);
  if (query.namespacePrefix !== undefined) add(withinNamespace, ...withinNamespaceParams(query.namespacePrefix));
  eq("flow_id", query.flowId);
  eq("task_id", query.taskId);
  if (query.taskIds) add((n) => `task_id = ANY($${n}::text[])`, [...query.taskIds]);
  eq("task_run_id", query.taskRunId);
  eq("attempt_number", query.attemptNumber);
  if (query.minLevel) add((n) => `level_rank >= $${n}`, levelRank(query.minLevel));
  if (query.afterSeq !== undefined) add((n) => `seq > $${n}`, query.afterSeq);
  if (query.startDate) add((n) => `timestamp >= $${n}`, query.startDate);
  if (query.endDate) add((n) => `timestamp <= $${n}`, query.endDate);
  return { clause: where.length ? `WHERE ${where.join(" AND ")}` : "", params };
}

export class PostgresLogs implements LogRepository {
  constructor(private readonly db: Queryable) {}

  async append(entries: readonly LogEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const column = <T>(f: (e: LogEntry) => T) => entries.map(f);
    // one statement, or in the transaction's batch; in the entries' order (their sequence numbers follow it)
    await batchWrite(this.db, [
      {
        text: `INSERT INTO logs (tenant_id, namespace, flow_id, execution_id, task_id, task_run_id, attempt_number, trigger_id, level, level_rank, message, timestamp, thread)
       SELECT t, ns, f, x, k, r, a, tr, l, lr, m, ts, th
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::text[], $9::text[], $10::int[], $11::text[], $12::text[], $13::text[])
         WITH ORDINALITY AS e(t, ns, f, x, k, r, a, tr, l, lr, m, ts, th, n)
       ORDER BY n`,
        values: [
          column((e) => e.tenantId ?? "main"),
          column((e) => e.namespace),
          column((e) => e.flowId),
          column((e) => e.executionId ?? null),
          column((e) => e.taskId ?? null),
          column((e) => e.taskRunId ?? null),
          column((e) => e.attemptNumber ?? null),
          column((e) => e.triggerId ?? null),
          column((e) => e.level),
          column((e) => levelRank(e.level)),
          column((e) => e.message),
          column((e) => e.timestamp),
          column((e) => e.thread ?? null),
        ],
      },
    ]);
  }

  async find(query: LogQuery): Promise<StoredLog[]> {
    const { clause, params } = logWhere(query);
    const order = query.newestFirst ? "timestamp DESC, seq ASC" : "seq";
    let limit = "";
    if (query.limit !== undefined) limit += ` LIMIT ${Math.max(0, Math.floor(query.limit))}`;
    if (query.offset) limit += ` OFFSET ${Math.max(0, Math.floor(query.offset))}`;
    const { rows } = await this.db.query<LogRow>(`SELECT * FROM logs ${clause} ORDER BY ${order}${limit}`, params);
    return rows.map(toLog);
  }
}

/** Expired entries read as missing and are removed on read. */
export class PostgresKv implements KvRepository {
  constructor(private readonly db: Queryable) {}

  async get(tenantId: string, namespace: string, key: string): Promise<KvEntry | undefined> {
    const { rows } = await this.db.query<KvRow>(
      "SELECT * FROM kv WHERE tenant_id = $1 AND namespace = $2 AND key = $3",
      [tenantId, namespace, key],
    );
    const row = rows[0];
    if (!row) return undefined;
    if (row.expiration_date && row.expiration_date <= new Date().toISOString()) {
      await this.db.query(
        "DELETE FROM kv WHERE tenant_id = $1 AND namespace = $2 AND key = $3 AND expiration_date = $4",
        [tenantId, namespace, key, row.expiration_date],
      );
      return undefined;
    }
    return toKvEntry(row);
  }

  async set(tenantId: string, namespace: string, entry: KvEntry): Promise<void> {
    await this.db.query(KV_UPSERT, kvValues(tenantId, namespace, entry));
  }

  async delete(tenantId: string, namespace: string, key: string): Promise<boolean> {
    const { rowCount } = await this.db.query("DELETE FROM kv WHERE tenant_id = $1 AND namespace = $2 AND key = $3", [
      tenantId,
      namespace,
      key,
    ]);
    return (rowCount ?? 0) > 0;
  }

  async list(tenantId: string, namespace: string, prefix = ""): Promise<KvEntry[]> {
    const { rows } = await this.db.query<KvRow>(
      // COLLATE "C": the order of the keys' bytes, as SQLite's
      `SELECT * FROM kv WHERE tenant_id = $1 AND namespace = $2 AND key LIKE $3 ESCAPE '\\' ORDER BY key COLLATE "C"`,
      [tenantId, namespace, likePrefix(prefix)],
    );
    const now = new Date().toISOString();
    return rows.filter((r) => !r.expiration_date || r.expiration_date > now).map(toKvEntry);
  }
}

export class PostgresTriggers implements TriggerRepository {
  constructor(
    private readonly db: Queryable,
    private readonly atomic: Atomic,
  ) {}

  async get(tenantId: string, key: TriggerKey): Promise<TriggerState | undefined> {
    const { rows } = await this.db.query<TriggerRow>(
      "SELECT namespace, flow_id, trigger_id, json FROM triggers WHERE tenant_id = $1 AND namespace = $2 AND flow_id = $3 AND trigger_id = $4",
      [tenantId, key.namespace, key.flowId, key.triggerId],
    );
    return rows[0] ? toTriggerState(rows[0]) : undefined;
  }

  async put(tenantId: string, state: TriggerState): Promise<TriggerState> {
    const { namespace, flowId, triggerId, ...rest } = state;
    const stored = { ...rest, updatedDate: new Date().toISOString() };
    await this.db.query(
      `INSERT INTO triggers (tenant_id, namespace, flow_id, trigger_id, json) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (tenant_id, namespace, flow_id, trigger_id) DO UPDATE SET json = excluded.json`,
      [tenantId, namespace, flowId, triggerId, JSON.stringify(stored)],
    );
    return { ...stored, namespace, flowId, triggerId };
  }

  async list(tenantId: string, filter: { namespace?: string; flowId?: string } = {}): Promise<TriggerState[]> {
    const clauses = ["tenant_id = $1"];
    const params: string[] = [tenantId];
    if (filter.namespace !== undefined) {
      clauses.push(withinNamespace(params.length + 1));
      params.push(...withinNamespaceParams(filter.namespace));
    }
    if (filter.flowId !== undefined) {
      clauses.push(`flow_id = $${params.length + 1}`);
      params.push(filter.flowId);
    }
    const { rows } = await this.db.query<TriggerRow>(
      `SELECT namespace, flow_id, trigger_id, json FROM triggers WHERE ${clauses.join(" AND ")}
       ORDER BY namespace COLLATE "C", flow_id COLLATE "C", trigger_id COLLATE "C"`,
      params,
    );
    return rows.map(toTriggerState);
  }

  async delete(tenantId: string, key: TriggerKey): Promise<boolean> {
    const { rowCount } = await this.db.query(
      "DELETE FROM triggers WHERE tenant_id = $1 AND namespace = $2 AND flow_id = $3 AND trigger_id = $4",
      [tenantId, key.namespace, key.flowId, key.triggerId],
    );
    return (rowCount ?? 0) > 0;
  }

  /** Reads, changes and writes a trigger's state in one transaction, the row locked meanwhile. */
  update(tenantId: string, key: TriggerKey, change: (current: TriggerState) => TriggerState): Promise<TriggerState> {
    return this.atomic(async (db) => {
      // A row to lock even for a trigger without state yet: two first updates at once queue on it
      // (the second insert waits for the first's commit) instead of both starting from nothing.
      await db.query(
        `INSERT INTO triggers (tenant_id, namespace, flow_id, trigger_id, json) VALUES ($1, $2, $3, $4, '{}')
         ON CONFLICT (tenant_id, namespace, flow_id, trigger_id) DO NOTHING`,
        [tenantId, key.namespace, key.flowId, key.triggerId],
      );
      const { rows } = await db.query<TriggerRow>(
        "SELECT namespace, flow_id, trigger_id, json FROM triggers WHERE tenant_id = $1 AND namespace = $2 AND flow_id = $3 AND trigger_id = $4 FOR UPDATE",
        [tenantId, key.namespace, key.flowId, key.triggerId],
      );
      const current = rows[0] ? toTriggerState(rows[0]) : { ...key };
      return new PostgresTriggers(db, this.atomic).put(tenantId, {
        ...change(current),
        namespace: key.namespace,
        flowId: key.flowId,
        triggerId: key.triggerId,
      });
    });
  }
}

export class PostgresMetrics implements MetricRepository {
  constructor(private readonly db: Queryable) {}

  async append(job: WorkerJob, metrics: readonly Metric[]): Promise<void> {
    if (metrics.length === 0) return;
    const now = new Date().toISOString();
    await this.db.query(
      `INSERT INTO metrics (tenant_id, namespace, flow_id, execution_id, task_id, task_run_id, name, type, value, tags, timestamp)
       SELECT $1, $2, $3, $4, $5, $6, m.name, m.type, m.value, m.tags, $7
       FROM unnest($8::text[], $9::text[], $10::float8[], $11::text[]) WITH ORDINALITY AS m(name, type, value, tags, n)
       ORDER BY m.n`,
      [
        job.flow.tenantId ?? "main",
        job.flow.namespace,
        job.flow.id,
        job.executionId,
        job.task.id,
        job.taskRunId,
        now,
        metrics.map((m) => m.name),
        metrics.map((m) => m.type),
        metrics.map((m) => m.value),
        metrics.map((m) => (m.tags ? JSON.stringify(m.tags) : null)),
      ],
    );
  }

  async byExecution(executionId: string): Promise<StoredMetric[]> {
    const { rows } = await this.db.query<Record<string, string | number | null>>(
      "SELECT * FROM metrics WHERE execution_id = $1 ORDER BY seq",
      [executionId],
    );
    return rows.map(toMetric);
  }
}
