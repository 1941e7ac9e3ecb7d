/**
 * Trigger state, one row per trigger of a flow (`triggers` table): whether it is disabled, the
 * last date it handled and the next one it waits for, a running backfill, the precondition
 * windows of a Flow trigger. The JSON column keeps whatever the scheduler records.
 */
import { statement, type SqliteDatabase } from "./database.ts";
import { withinNamespace } from "./namespaceFilter.ts";
import type { TriggerKey, TriggerState } from "../records.ts";
import { toTriggerState, type TriggerRow } from "../rowMapping.ts";

export class TriggerStore {
  constructor(private readonly db: SqliteDatabase) {}

  get(tenantId: string, key: TriggerKey): TriggerState | undefined {
    const row = statement(
      this.db,
      "SELECT namespace, flow_id, trigger_id, json FROM triggers WHERE tenant_id = ? AND namespace = ? AND flow_id = ? AND trigger_id = ?",
    ).get(tenantId, key.namespace, key.flowId, key.triggerId) as TriggerRow | undefined;
    return row ? toTriggerState(row) : undefined;
  }

  /** Creates or replaces the state of a trigger. */
  put(tenantId: string, state: TriggerState): TriggerState {
    const { namespace, flowId, triggerId, ...rest } = state;
    const stored = { ...rest, updatedDate: new Date().toISOString() };
    this.db
      .prepare(
        `INSERT INTO triggers (tenant_id, namespace, flow_id, trigger_id, json) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (tenant_id, namespace, flow_id, trigger_id) DO UPDATE SET json = excluded.json`,
      )
      .run(tenantId, namespace, flowId, triggerId, JSON.stringify(stored));
    return { ...stored, namespace, flowId, triggerId };
  }

  /** Reads, changes and writes a trigger's state in one transaction (the state starts empty if none). */
  update(tenantId: string, key: TriggerKey, change: (current: TriggerState) => TriggerState): TriggerState {
    return this.db.transaction(() => {
      const current = this.get(tenantId, key) ?? { ...key };
      return this.put(tenantId, {
        ...change(current),
        namespace: key.namespace,
        flowId: key.flowId,
        triggerId: key.triggerId,
      });
    })();
  }

  /** Enables or disables a trigger (Toggle, the API, `stopAfter`). */
  setDisabled(tenantId: string, key: TriggerKey, disabled: boolean): TriggerState {
    return this.update(tenantId, key, (current) => ({ ...current, disabled }));
  }

  /** The triggers of a namespace (and its children) or of one flow, ordered. */
  list(tenantId: string, filter: { namespace?: string; flowId?: string } = {}): TriggerState[] {
    const clauses = ["tenant_id = ?"];
    const params: string[] = [tenantId];
    if (filter.namespace !== undefined) {
      const within = withinNamespace(filter.namespace);
      clauses.push(within.sql);
      params.push(...within.params);
    }
    if (filter.flowId !== undefined) {
      clauses.push("flow_id = ?");
      params.push(filter.flowId);
    }
    const rows = this.db
      .prepare(
        `SELECT namespace, flow_id, trigger_id, json FROM triggers WHERE ${clauses.join(" AND ")} ORDER BY namespace, flow_id, trigger_id`,
      )
      .all(...params) as TriggerRow[];
    return rows.map(toTriggerState);
  }

  delete(tenantId: string, key: TriggerKey): boolean {
    return (
      statement(
        this.db,
        "DELETE FROM triggers WHERE tenant_id = ? AND namespace = ? AND flow_id = ? AND trigger_id = ?",
      ).run(tenantId, key.namespace, key.flowId, key.triggerId).changes > 0
    );
  }
}
