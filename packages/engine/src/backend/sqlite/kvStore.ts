import type { KvEntry } from "@saker/sdk";
import { statement, type SqliteDatabase } from "./database.ts";
import { kvValues, toKvEntry, type KvRow } from "../rowMapping.ts";
import { globPrefix } from "../like.ts";

/** Key-value entries by namespace. Expired entries read as missing and are removed on read. */
export class KvStore {
  constructor(private readonly db: SqliteDatabase) {}

  get(tenantId: string, namespace: string, key: string, now = new Date()): KvEntry | undefined {
    const row = statement(this.db, "SELECT * FROM kv WHERE tenant_id = ? AND namespace = ? AND key = ?").get(
      tenantId,
      namespace,
      key,
    ) as KvRow | undefined;
    if (!row) return undefined;
    if (row.expiration_date && row.expiration_date <= now.toISOString()) {
      this.delete(tenantId, namespace, key);
      return undefined;
    }
    return toKvEntry(row);
  }

  set(tenantId: string, namespace: string, entry: KvEntry): void {
    this.db
      .prepare(
        `INSERT INTO kv (tenant_id, namespace, key, value, type, expiration_date, update_date, creation_date) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (tenant_id, namespace, key) DO UPDATE SET value = excluded.value, type = excluded.type, expiration_date = excluded.expiration_date, update_date = excluded.update_date`,
      )
      .run(...kvValues(tenantId, namespace, entry));
  }

  delete(tenantId: string, namespace: string, key: string): boolean {
    return (
      statement(this.db, "DELETE FROM kv WHERE tenant_id = ? AND namespace = ? AND key = ?").run(
        tenantId,
        namespace,
        key,
      ).changes > 0
    );
  }

  list(tenantId: string, namespace: string, prefix = "", now = new Date()): KvEntry[] {
    const rows = statement(
      this.db,
      // GLOB: case-sensitive, as PostgreSQL's LIKE (SQLite's LIKE is not)
      "SELECT * FROM kv WHERE tenant_id = ? AND namespace = ? AND key GLOB ? ORDER BY key",
    ).all(tenantId, namespace, globPrefix(prefix)) as KvRow[];
    return rows.filter((r) => !r.expiration_date || r.expiration_date > now.toISOString()).map(toKvEntry);
  }

  /** The namespaces holding at least one entry (expired ones count), sorted. */
  namespaces(tenantId: string): string[] {
    const rows = statement(this.db, "SELECT DISTINCT namespace FROM kv WHERE tenant_id = ? ORDER BY namespace").all(
      tenantId,
    ) as { namespace: string }[];
    return rows.map((r) => r.namespace);
  }

  /** Every entry of a namespace, expired ones included (for purging). */
  listAll(tenantId: string, namespace: string): KvEntry[] {
    const rows = statement(this.db, "SELECT * FROM kv WHERE tenant_id = ? AND namespace = ? ORDER BY key").all(
      tenantId,
      namespace,
    ) as KvRow[];
    return rows.map(toKvEntry);
  }
}
