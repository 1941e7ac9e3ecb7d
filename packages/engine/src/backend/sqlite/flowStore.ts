import { Lru } from "../../model/lru.ts";
import type { Label } from "../../model/execution.ts";
import { statement, type SqliteDatabase } from "./database.ts";
import type { Page, SearchQuery } from "../search.ts";
import { flowColumns } from "../searchColumns.ts";
import { compileSqliteSearch } from "./searchSql.ts";
import type { FlowSource } from "../backend.ts";
import type { FlowSummary, StoredFlow, FlowHead } from "../records.ts";

/** Flow fields for filters and sorting, over the latest revision's row (`f`). */
export const FLOW_COLUMNS = flowColumns({
  disabled: "CASE f.disabled WHEN 1 THEN 'true' ELSE 'false' END",
  labels: "f.labels",
  naturalOrder: "f.namespace, f.id",
});

interface SummaryRow {
  tenant_id: string;
  namespace: string;
  id: string;
  revision: number;
  deleted: number;
  disabled: number;
  updated: string;
  labels: string;
}

interface Row extends SummaryRow {
  source: string;
}

const SUMMARY_COLUMNS = "tenant_id, namespace, id, revision, deleted, disabled, updated, labels";

const toSummary = (r: SummaryRow): FlowSummary => ({
  tenantId: r.tenant_id,
  namespace: r.namespace,
  id: r.id,
  revision: r.revision,
  deleted: r.deleted === 1,
  disabled: r.disabled === 1,
  updated: r.updated,
  labels: JSON.parse(r.labels) as Label[],
});

const toFlow = (r: Row): StoredFlow => ({ ...toSummary(r), source: r.source });

const inPrefix = (namespace: string, prefix?: string) =>
  prefix === undefined || namespace === prefix || namespace.startsWith(`${prefix}.`);

/** How many flows' latest revisions `FlowStore` keeps in memory (the least recently read go first). */
const LATEST_CACHED = 1000;

const flowKey = (tenantId: string, namespace: string, id: string) => `${tenantId}\u0000${namespace}\u0000${id}`;

/** Flows with every revision. A change adds a revision; deleting adds a `deleted` revision. */
export class FlowStore implements FlowSource {
  /**
   * The latest revision of flows read lately (`null`: none), as committed: each execution
   * created reads it, and the source need not be read and copied each time. Valid while no other
   * connection committed (`PRAGMA data_version`) and this one wrote none of these flows: every
   * write through this store drops its flow's entry, and nothing read inside a transaction is kept
   * (that transaction's own writes may still be rolled back).
   */
  private readonly latestCache = new Lru<string, StoredFlow | null>(LATEST_CACHED);
  private cachedVersion: number | undefined;
  private readonly dataVersion;
  /**
   * `PRAGMA data_version` is read once per turn of the event loop: a burst creating a thousand
   * executions in one turn reads it once. Another process's commit during the turn is seen at the
   * next one, as if it had come after.
   */
  private versionRead = false;
  private readonly nextTurn = () => {
    this.versionRead = false;
  };

  constructor(private readonly db: SqliteDatabase) {
    this.dataVersion = db.prepare("PRAGMA data_version").pluck();
  }

  /** The latest revision of a flow; shared with the cache and other readers: not to be changed. */
  latest(tenantId: string, namespace: string, id: string): StoredFlow | undefined {
    const key = flowKey(tenantId, namespace, id);
    const version = this.versionRead ? this.cachedVersion : (this.dataVersion.get() as number);
    if (!this.versionRead) {
      this.versionRead = true;
      setImmediate(this.nextTurn).unref();
    }
    if (version !== this.cachedVersion) {
      this.latestCache.clear();
      this.cachedVersion = version;
    } else {
      const cached = this.latestCache.get(key);
      if (cached !== undefined) return cached ?? undefined;
    }
    const flow = this.readLatest(tenantId, namespace, id);
    if (!this.db.inTransaction) this.latestCache.set(key, flow ?? null);
    return flow;
  }

  private readLatest(tenantId: string, namespace: string, id: string): StoredFlow | undefined {
    const row = statement(
      this.db,
      "SELECT * FROM flows WHERE tenant_id = ? AND namespace = ? AND id = ? ORDER BY revision DESC LIMIT 1",
    ).get(tenantId, namespace, id) as Row | undefined;
    return row ? toFlow(row) : undefined;
  }

  /**
   * A write of a flow by this connection: its cached latest revision is forgotten before and after
   * (also when the write, or the transaction it joins, fails).
   */
  private writing<T>(tenantId: string, namespace: string, id: string, write: () => T): T {
    const key = flowKey(tenantId, namespace, id);
    this.latestCache.delete(key);
    try {
      return write();
    } finally {
      this.latestCache.delete(key);
    }
  }

  revision(tenantId: string, namespace: string, id: string, revision: number): StoredFlow | undefined {
    const row = statement(
      this.db,
      "SELECT * FROM flows WHERE tenant_id = ? AND namespace = ? AND id = ? AND revision = ?",
    ).get(tenantId, namespace, id, revision) as Row | undefined;
    return row ? toFlow(row) : undefined;
  }

  revisions(tenantId: string, namespace: string, id: string): StoredFlow[] {
    return (
      statement(this.db, "SELECT * FROM flows WHERE tenant_id = ? AND namespace = ? AND id = ? ORDER BY revision").all(
        tenantId,
        namespace,
        id,
      ) as Row[]
    ).map(toFlow);
  }

  /**
   * Saves a new revision unless the source is unchanged (then the current revision is returned).
   * A deleted flow saved again comes back with the next revision.
   */
  save(
    tenantId: string,
    namespace: string,
    id: string,
    source: string,
    disabled: boolean,
    labels: readonly Label[] = [],
  ): { flow: StoredFlow; created: boolean } {
    return this.writing(tenantId, namespace, id, () =>
      this.db.transaction(() => this.insertRevision(tenantId, namespace, id, source, disabled, labels))(),
    );
  }

  private insertRevision(
    tenantId: string,
    namespace: string,
    id: string,
    source: string,
    disabled: boolean,
    labels: readonly Label[],
  ): { flow: StoredFlow; created: boolean } {
    const current = this.readLatest(tenantId, namespace, id);
    if (current && !current.deleted && current.source === source) return { flow: current, created: false };
    const revision = (current?.revision ?? 0) + 1;
    const updated = new Date().toISOString();
    statement(
      this.db,
      "INSERT INTO flows (tenant_id, namespace, id, revision, source, deleted, disabled, updated, labels) VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?)",
    ).run(tenantId, namespace, id, revision, source, disabled ? 1 : 0, updated, JSON.stringify(labels));
    return {
      flow: { tenantId, namespace, id, revision, source, deleted: false, disabled, updated, labels: [...labels] },
      created: true,
    };
  }

  /** Marks a flow deleted with a new revision; false when there was none. */
  delete(tenantId: string, namespace: string, id: string): boolean {
    return this.writing(tenantId, namespace, id, () => this.insertDeleted(tenantId, namespace, id));
  }

  private insertDeleted(tenantId: string, namespace: string, id: string): boolean {
    const current = this.readLatest(tenantId, namespace, id);
    if (!current || current.deleted) return false;
    statement(
      this.db,
      "INSERT INTO flows (tenant_id, namespace, id, revision, source, deleted, disabled, updated, labels) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?)",
    ).run(
      tenantId,
      namespace,
      id,
      current.revision + 1,
      current.source,
      current.disabled ? 1 : 0,
      new Date().toISOString(),
      JSON.stringify(current.labels),
    );
    return true;
  }

  /** The latest revision of every flow that is not deleted. */
  all(tenantId: string, namespacePrefix?: string): StoredFlow[] {
    return (this.db.prepare(latestSql("f.*")).all(tenantId) as Row[])
      .map(toFlow)
      .filter((f) => inPrefix(f.namespace, namespacePrefix));
  }

  /** `all` without the sources: lists read only these columns. */
  summaries(tenantId: string, namespacePrefix?: string): FlowSummary[] {
    const columns = SUMMARY_COLUMNS.split(", ")
      .map((c) => `f.${c}`)
      .join(", ");
    return (this.db.prepare(latestSql(columns)).all(tenantId) as SummaryRow[])
      .map(toSummary)
      .filter((f) => inPrefix(f.namespace, namespacePrefix));
  }

  /**
   * The latest revisions (not deleted) a search matches, without their sources: filtered, sorted
   * and paged by SQL.
   */
  searchSummaries(tenantId: string, query: SearchQuery): Page<FlowSummary> {
    const search = compileSqliteSearch(this.db, FLOW_COLUMNS, query);
    const from = `FROM flows f JOIN (
      SELECT tenant_id, namespace, id, MAX(revision) AS revision FROM flows WHERE tenant_id = ? GROUP BY tenant_id, namespace, id
    ) l ON f.tenant_id = l.tenant_id AND f.namespace = l.namespace AND f.id = l.id AND f.revision = l.revision
    WHERE f.deleted = 0 AND ${search.where}`;
    const params = [tenantId, ...search.params];
    const { n } = this.db.prepare(`SELECT COUNT(*) AS n ${from}`).get(...params) as { n: number };
    if (search.offset >= n) return { results: [], total: n };
    const columns = SUMMARY_COLUMNS.split(", ")
      .map((c) => `f.${c}`)
      .join(", ");
    const rows = this.db
      .prepare(`SELECT ${columns} ${from} ORDER BY ${search.orderBy} LIMIT ? OFFSET ?`)
      .all(...params, search.limit, search.offset) as SummaryRow[];
    return { results: rows.map(toSummary), total: n };
  }

  /** The namespaces holding a flow whose latest revision is not deleted, sorted. */
  latestNamespaces(tenantId: string): string[] {
    return this.db
      .prepare(`SELECT DISTINCT namespace FROM (${latestSql("f.namespace")}) ORDER BY namespace`)
      .pluck()
      .all(tenantId) as string[];
  }

  /** The latest revision of every flow that is not deleted, without its source (cheap to list often). */
  heads(tenantId: string): FlowHead[] {
    return this.db
      .prepare(
        `SELECT namespace, id, MAX(revision) AS revision, deleted, disabled FROM flows WHERE tenant_id = ?
         GROUP BY namespace, id ORDER BY namespace, id`,
      )
      .all(tenantId)
      .filter((r) => (r as { deleted: number }).deleted === 0)
      .map((r) => {
        const row = r as { namespace: string; id: string; revision: number; disabled: number };
        return { namespace: row.namespace, id: row.id, revision: row.revision, disabled: row.disabled === 1 };
      });
  }

  /** Deletes the given revisions of a flow for good; returns how many went. */
  deleteRevisions(tenantId: string, namespace: string, id: string, revisions: readonly number[]): number {
    const stmt = statement(
      this.db,
      "DELETE FROM flows WHERE tenant_id = ? AND namespace = ? AND id = ? AND revision = ?",
    );
    return this.writing(tenantId, namespace, id, () =>
      this.db.transaction(() =>
        revisions.reduce((n, revision) => n + stmt.run(tenantId, namespace, id, revision).changes, 0),
      )(),
    );
  }

  namespaces(tenantId: string): string[] {
    return (
      statement(
        this.db,
        "SELECT DISTINCT namespace FROM flows WHERE tenant_id = ? AND deleted = 0 ORDER BY namespace",
      ).all(tenantId) as { namespace: string }[]
    ).map((r) => r.namespace);
  }
}

/** The latest revision of each flow of a tenant that is not deleted, by namespace and id. */
function latestSql(columns: string): string {
  return `SELECT ${columns} FROM flows f JOIN (
      SELECT tenant_id, namespace, id, MAX(revision) AS revision FROM flows WHERE tenant_id = ? GROUP BY tenant_id, namespace, id
    ) l ON f.tenant_id = l.tenant_id AND f.namespace = l.namespace AND f.id = l.id AND f.revision = l.revision
    WHERE f.deleted = 0 ORDER BY f.namespace, f.id`;
}
