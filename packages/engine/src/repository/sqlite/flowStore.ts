import type { SqliteDatabase } from "./database.ts";

export interface StoredFlow {
  tenantId: string;
  namespace: string;
  id: string;
  revision: number;
  source: string;
  deleted: boolean;
  disabled: boolean;
  updated: string;
}

interface Row {
  tenant_id: string;
  namespace: string;
  id: string;
  revision: number;
  source: string;
  deleted: number;
  disabled: number;
  updated: string;
}

const toFlow = (r: Row): StoredFlow => ({
  tenantId: r.tenant_id,
  namespace: r.namespace,
  id: r.id,
  revision: r.revision,
  source: r.source,
  deleted: r.deleted === 1,
  disabled: r.disabled === 1,
  updated: r.updated,
});

/** Which revision of a flow is the latest, and whether it is disabled. */
export interface FlowHead {
  namespace: string;
  id: string;
  revision: number;
  disabled: boolean;
}

/** Flows with every revision. A change adds a revision; deleting adds a `deleted` revision. */
export class FlowStore {
  constructor(private readonly db: SqliteDatabase) {}

  latest(tenantId: string, namespace: string, id: string): StoredFlow | undefined {
    const row = this.db
      .prepare("SELECT * FROM flows WHERE tenant_id = ? AND namespace = ? AND id = ? ORDER BY revision DESC LIMIT 1")
      .get(tenantId, namespace, id) as Row | undefined;
    return row ? toFlow(row) : undefined;
  }

  revision(tenantId: string, namespace: string, id: string, revision: number): StoredFlow | undefined {
    const row = this.db
      .prepare("SELECT * FROM flows WHERE tenant_id = ? AND namespace = ? AND id = ? AND revision = ?")
      .get(tenantId, namespace, id, revision) as Row | undefined;
    return row ? toFlow(row) : undefined;
  }

  revisions(tenantId: string, namespace: string, id: string): StoredFlow[] {
    return (this.db.prepare("SELECT * FROM flows WHERE tenant_id = ? AND namespace = ? AND id = ? ORDER BY revision").all(tenantId, namespace, id) as Row[]).map(toFlow);
  }

  /**
   * Saves a new revision unless the source is unchanged (then the current revision is returned).
   * A deleted flow saved again comes back with the next revision.
   */
  save(tenantId: string, namespace: string, id: string, source: string, disabled: boolean): { flow: StoredFlow; created: boolean } {
    return this.db.transaction(() => {
      const current = this.latest(tenantId, namespace, id);
      if (current && !current.deleted && current.source === source) return { flow: current, created: false };
      const revision = (current?.revision ?? 0) + 1;
      const updated = new Date().toISOString();
      this.db
        .prepare("INSERT INTO flows (tenant_id, namespace, id, revision, source, deleted, disabled, updated) VALUES (?, ?, ?, ?, ?, 0, ?, ?)")
        .run(tenantId, namespace, id, revision, source, disabled ? 1 : 0, updated);
      return { flow: { tenantId, namespace, id, revision, source, deleted: false, disabled, updated }, created: true };
    })();
  }

  /** Marks a flow deleted with a new revision; false when there was none. */
  delete(tenantId: string, namespace: string, id: string): boolean {
    const current = this.latest(tenantId, namespace, id);
    if (!current || current.deleted) return false;
    this.db
      .prepare("INSERT INTO flows (tenant_id, namespace, id, revision, source, deleted, disabled, updated) VALUES (?, ?, ?, ?, ?, 1, ?, ?)")
      .run(tenantId, namespace, id, current.revision + 1, current.source, current.disabled ? 1 : 0, new Date().toISOString());
    return true;
  }

  /** The latest revision of every flow that is not deleted. */
  all(tenantId: string, namespacePrefix?: string): StoredFlow[] {
    const rows = this.db
      .prepare(
        `SELECT f.* FROM flows f JOIN (
           SELECT tenant_id, namespace, id, MAX(revision) AS revision FROM flows WHERE tenant_id = ? GROUP BY tenant_id, namespace, id
         ) l ON f.tenant_id = l.tenant_id AND f.namespace = l.namespace AND f.id = l.id AND f.revision = l.revision
         WHERE f.deleted = 0 ORDER BY f.namespace, f.id`,
      )
      .all(tenantId) as Row[];
    const flows = rows.map(toFlow);
    return namespacePrefix ? flows.filter((f) => f.namespace === namespacePrefix || f.namespace.startsWith(`${namespacePrefix}.`)) : flows;
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

  namespaces(tenantId: string): string[] {
    return (this.db.prepare("SELECT DISTINCT namespace FROM flows WHERE tenant_id = ? AND deleted = 0 ORDER BY namespace").all(tenantId) as { namespace: string }[]).map((r) => r.namespace);
  }
}
