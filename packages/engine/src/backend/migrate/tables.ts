/**
 * What `saker migrate` copies, table by table, and how: the columns (the same names on both
 * sides, see `sqlite/migrations.ts` and `postgres/migrations.ts`) with their PostgreSQL types.
 *
 * - Keyed tables (flows, executions with their task runs, KV, trigger state): a row goes when its
 *   key is not in the target; one already there is compared (see `sqliteToPostgres.ts`).
 * - Appended tables (logs, metrics, queue): rows have no key but their sequence number; each is
 *   copied once, in order, and gets a new sequence number on PostgreSQL.
 *
 * Not copied: `schema_migrations` (each side has its own), PostgreSQL's `processes` (the live
 * processes' heartbeats). The queue's claims are cleared: their owner is the stopped instance.
 */

export type PgType = "text" | "int" | "int8" | "bool" | "float8";

export interface Column {
  name: string;
  type: PgType;
}

const text = (name: string): Column => ({ name, type: "text" });
const int = (name: string): Column => ({ name, type: "int" });
const bool = (name: string): Column => ({ name, type: "bool" });

export interface KeyedTable {
  kind: "keyed";
  table: "flows" | "executions" | "kv" | "triggers";
  columns: readonly Column[];
  key: readonly string[];
  /** How a key reads in a message. */
  describe(key: readonly unknown[]): string;
}

export interface AppendedTable {
  kind: "appended";
  table: "logs" | "metrics" | "queue";
  columns: readonly Column[];
}

export const FLOWS: KeyedTable = {
  kind: "keyed",
  table: "flows",
  columns: [
    text("tenant_id"),
    text("namespace"),
    text("id"),
    int("revision"),
    bool("deleted"),
    bool("disabled"),
    text("updated"),
    text("labels"),
    text("source"),
  ],
  key: ["tenant_id", "namespace", "id", "revision"],
  describe: ([tenant, namespace, id, revision]) =>
    `flow ${String(namespace)}.${String(id)} revision ${String(revision)} (tenant ${String(tenant)})`,
};

/** Executions; their task runs (`task_runs`, one row per run) go with them. */
export const EXECUTIONS: KeyedTable = {
  kind: "keyed",
  table: "executions",
  columns: [
    text("id"),
    text("tenant_id"),
    text("namespace"),
    text("flow_id"),
    int("flow_revision"),
    text("state"),
    text("start_date"),
    text("end_date"),
    text("parent_execution_id"),
    text("parent_task_run_id"),
    bool("finished"),
    bool("deleted"),
    text("summary"),
    text("executor_state"),
    text("json"),
  ],
  key: ["id"],
  describe: ([id]) => `execution ${String(id)}`,
};

export const KV: KeyedTable = {
  kind: "keyed",
  table: "kv",
  columns: [
    text("tenant_id"),
    text("namespace"),
    text("key"),
    text("value"),
    text("type"),
    text("expiration_date"),
    text("update_date"),
    text("creation_date"),
  ],
  key: ["tenant_id", "namespace", "key"],
  describe: ([tenant, namespace, key]) =>
    `KV key '${String(key)}' of namespace ${String(namespace)} (tenant ${String(tenant)})`,
};

export const TRIGGERS: KeyedTable = {
  kind: "keyed",
  table: "triggers",
  columns: [text("tenant_id"), text("namespace"), text("flow_id"), text("trigger_id"), text("json")],
  key: ["tenant_id", "namespace", "flow_id", "trigger_id"],
  describe: ([tenant, namespace, flow, trigger]) =>
    `trigger ${String(trigger)} of flow ${String(namespace)}.${String(flow)} (tenant ${String(tenant)})`,
};

export const LOGS: AppendedTable = {
  kind: "appended",
  table: "logs",
  columns: [
    text("tenant_id"),
    text("namespace"),
    text("flow_id"),
    text("execution_id"),
    text("task_id"),
    text("task_run_id"),
    int("attempt_number"),
    text("trigger_id"),
    text("level"),
    int("level_rank"),
    text("message"),
    text("timestamp"),
    text("thread"),
  ],
};

export const METRICS: AppendedTable = {
  kind: "appended",
  table: "metrics",
  columns: [
    text("tenant_id"),
    text("namespace"),
    text("flow_id"),
    text("execution_id"),
    text("task_id"),
    text("task_run_id"),
    text("name"),
    text("type"),
    { name: "value", type: "float8" },
    text("tags"),
    text("timestamp"),
  ],
};

/** The messages the stopped instance left: copied unclaimed, so the executions resume on PostgreSQL. */
export const QUEUE: AppendedTable = {
  kind: "appended",
  table: "queue",
  columns: [text("topic"), text("key"), text("payload"), { name: "available_at", type: "int8" }],
};

/** In copy order: flows before the executions of them, executions before their logs and messages. */
export const TABLES: readonly (KeyedTable | AppendedTable)[] = [FLOWS, EXECUTIONS, KV, TRIGGERS, LOGS, METRICS, QUEUE];
