/**
 * Schema migrations of the embedded SQLite database, applied in order at open. Never edit a
 * released migration: add the next number. A breaking change says so in its header.
 */
import type Database from "better-sqlite3";
import { sourceLabels } from "../../model/sourceLabels.ts";

export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** Fills what SQL alone cannot, in the migration's transaction, after `sql`. */
  backfill?(db: Database.Database): void;
}

/**
 * An execution's JSON without the task runs' and the execution's outputs: what lists show. SQL
 * form of `executionSummary`, for rows written before the column existed.
 */
const SUMMARY_SQL = `json_remove(json_set(json, '$.taskRunList',
  (SELECT json_group_array(json(json_remove(value, '$.outputs')) ORDER BY key) FROM json_each(executions.json, '$.taskRunList'))), '$.outputs')`;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "init",
    sql: `
      CREATE TABLE flows (
        tenant_id TEXT NOT NULL,
        namespace TEXT NOT NULL,
        id TEXT NOT NULL,
        revision INTEGER NOT NULL,
        source TEXT NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0,
        disabled INTEGER NOT NULL DEFAULT 0,
        updated TEXT NOT NULL,
        PRIMARY KEY (tenant_id, namespace, id, revision)
      );

      CREATE TABLE executions (
        id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL,
        namespace TEXT NOT NULL,
        flow_id TEXT NOT NULL,
        flow_revision INTEGER NOT NULL,
        state TEXT NOT NULL,
        start_date TEXT NOT NULL,
        end_date TEXT,
        parent_execution_id TEXT,
        parent_task_run_id TEXT,
        finished INTEGER NOT NULL DEFAULT 0,
        deleted INTEGER NOT NULL DEFAULT 0,
        json TEXT NOT NULL,
        executor_state TEXT NOT NULL
      );
      CREATE INDEX executions_flow ON executions (tenant_id, namespace, flow_id, state);
      CREATE INDEX executions_start ON executions (start_date);
      CREATE INDEX executions_parent ON executions (parent_execution_id);
      CREATE INDEX executions_unfinished ON executions (finished) WHERE finished = 0;

      CREATE TABLE logs (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        tenant_id TEXT NOT NULL,
        namespace TEXT NOT NULL,
        flow_id TEXT NOT NULL,
        execution_id TEXT,
        task_id TEXT,
        task_run_id TEXT,
        attempt_number INTEGER,
        trigger_id TEXT,
        level TEXT NOT NULL,
        level_rank INTEGER NOT NULL,
        message TEXT NOT NULL,
        timestamp TEXT NOT NULL,
        thread TEXT
      );
      CREATE INDEX logs_execution ON logs (execution_id, seq);
      CREATE INDEX logs_flow ON logs (tenant_id, namespace, flow_id, timestamp);

      CREATE TABLE queue (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        topic TEXT NOT NULL,
        key TEXT,
        payload TEXT NOT NULL,
        available_at INTEGER NOT NULL,
        claimed_at INTEGER
      );
      CREATE INDEX queue_ready ON queue (topic, claimed_at, available_at, seq);
      CREATE INDEX queue_key ON queue (key);

      CREATE TABLE kv (
        tenant_id TEXT NOT NULL,
        namespace TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        type TEXT NOT NULL,
        expiration_date TEXT,
        update_date TEXT NOT NULL,
        PRIMARY KEY (tenant_id, namespace, key)
      );

      CREATE TABLE triggers (
        tenant_id TEXT NOT NULL,
        namespace TEXT NOT NULL,
        flow_id TEXT NOT NULL,
        trigger_id TEXT NOT NULL,
        json TEXT NOT NULL,
        PRIMARY KEY (tenant_id, namespace, flow_id, trigger_id)
      );

      CREATE TABLE metrics (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        namespace TEXT NOT NULL,
        flow_id TEXT NOT NULL,
        execution_id TEXT NOT NULL,
        task_id TEXT,
        task_run_id TEXT,
        name TEXT NOT NULL,
        type TEXT NOT NULL,
        value REAL NOT NULL,
        tags TEXT,
        timestamp TEXT NOT NULL
      );
      CREATE INDEX metrics_execution ON metrics (execution_id);
    `,
  },
  {
    version: 2,
    name: "list summaries",
    // Both tables are rebuilt so that the columns lists read come before the large documents:
    // SQLite reads a column stored after a multi-megabyte one by walking its overflow pages.
    sql: `
      CREATE TABLE flows_v2 (
        tenant_id TEXT NOT NULL,
        namespace TEXT NOT NULL,
        id TEXT NOT NULL,
        revision INTEGER NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0,
        disabled INTEGER NOT NULL DEFAULT 0,
        updated TEXT NOT NULL,
        labels TEXT NOT NULL DEFAULT '[]',
        source TEXT NOT NULL,
        PRIMARY KEY (tenant_id, namespace, id, revision)
      );
      INSERT INTO flows_v2 (tenant_id, namespace, id, revision, deleted, disabled, updated, source)
        SELECT tenant_id, namespace, id, revision, deleted, disabled, updated, source FROM flows;
      DROP TABLE flows;
      ALTER TABLE flows_v2 RENAME TO flows;

      CREATE TABLE executions_v2 (
        id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL,
        namespace TEXT NOT NULL,
        flow_id TEXT NOT NULL,
        flow_revision INTEGER NOT NULL,
        state TEXT NOT NULL,
        start_date TEXT NOT NULL,
        end_date TEXT,
        parent_execution_id TEXT,
        parent_task_run_id TEXT,
        finished INTEGER NOT NULL DEFAULT 0,
        deleted INTEGER NOT NULL DEFAULT 0,
        summary TEXT NOT NULL,
        executor_state TEXT NOT NULL,
        json TEXT NOT NULL
      );
      INSERT INTO executions_v2 (id, tenant_id, namespace, flow_id, flow_revision, state, start_date, end_date, parent_execution_id, parent_task_run_id, finished, deleted, summary, executor_state, json)
        SELECT id, tenant_id, namespace, flow_id, flow_revision, state, start_date, end_date, parent_execution_id, parent_task_run_id, finished, deleted, ${SUMMARY_SQL}, executor_state, json
        FROM executions ORDER BY rowid;
      DROP TABLE executions;
      ALTER TABLE executions_v2 RENAME TO executions;
      CREATE INDEX executions_flow ON executions (tenant_id, namespace, flow_id, state);
      CREATE INDEX executions_start ON executions (start_date);
      CREATE INDEX executions_parent ON executions (parent_execution_id);
      CREATE INDEX executions_unfinished ON executions (finished) WHERE finished = 0;
      CREATE INDEX executions_tenant_start ON executions (tenant_id, deleted, start_date);
      CREATE INDEX logs_tenant_time ON logs (tenant_id, timestamp, seq);
    `,
    backfill(db) {
      const rows = db.prepare("SELECT rowid, source FROM flows").all() as { rowid: number; source: string }[];
      const set = db.prepare("UPDATE flows SET labels = ? WHERE rowid = ?");
      for (const row of rows) set.run(JSON.stringify(sourceLabels(row.source)), row.rowid);
    },
  },
  {
    version: 3,
    name: "kv creation date, metrics by flow",
    // A key written before this migration gets its last update as its creation date. Metrics get
    // the tenant, and an index for the per-flow names, tasks and aggregates.
    sql: `
      ALTER TABLE kv ADD COLUMN creation_date TEXT NOT NULL DEFAULT '';
      UPDATE kv SET creation_date = update_date;
      ALTER TABLE metrics ADD COLUMN tenant_id TEXT NOT NULL DEFAULT 'main';
      CREATE INDEX metrics_flow ON metrics (tenant_id, namespace, flow_id, name, timestamp);
    `,
  },
  {
    version: 4,
    name: "task runs in their own rows",
    // A step of a long execution wrote its whole document (every task run) twice; the task runs now
    // have a row each (JSON and summary), so a step writes only the runs it changed. The
    // execution's `json` and `summary` keep everything else.
    sql: `
      CREATE TABLE task_runs (
        execution_id TEXT NOT NULL,
        position INTEGER NOT NULL,
        json TEXT NOT NULL,
        summary TEXT NOT NULL,
        PRIMARY KEY (execution_id, position)
      ) WITHOUT ROWID;
      INSERT INTO task_runs (execution_id, position, json, summary)
        SELECT executions.id, CAST(t.key AS INTEGER), json(t.value), json_remove(t.value, '$.outputs')
        FROM executions, json_each(executions.json, '$.taskRunList') AS t;
      UPDATE executions SET json = json_remove(json, '$.taskRunList'), summary = json_remove(summary, '$.taskRunList');
      -- For a client reading the file with SQL: each execution's whole document, as it was stored before.
      CREATE VIEW execution_documents AS
        SELECT e.id, e.tenant_id, e.namespace, e.flow_id, e.state, e.finished, e.deleted,
          json_set(e.json, '$.taskRunList', (
            SELECT json_group_array(json(r.json)) FROM (
              SELECT json FROM task_runs WHERE execution_id = e.id ORDER BY position
            ) AS r
          )) AS json
        FROM executions AS e;
    `,
  },
  {
    version: 5,
    name: "leased queue claims",
    // A claim names its owner (one id per open process) and holds until `lease_until` (epoch ms);
    // the owner extends it while it works, a reaper frees it when it lapses. A message claimed
    // before this migration has no lease: the next reap frees it, as the old open did. No index
    // on the lease: the reaper scans the (short) queue every 20 s, while an index would be
    // maintained by every claim and acknowledgement of the hot path.
    sql: `
      ALTER TABLE queue ADD COLUMN claimed_by TEXT;
      ALTER TABLE queue ADD COLUMN lease_until INTEGER;
    `,
  },
  {
    version: 6,
    name: "cheaper writes",
    // Pages written per step. task_runs becomes a rowid table: WITHOUT ROWID stores rows in an
    // index b-tree, where a row past ~1 kB (most task runs) spills to an overflow page and the
    // interior pages carry whole keys; a step wrote ~4 pages of it, now ~2 (a run is updated in
    // place, its index entry untouched). queue_key goes: an index every message's insert and
    // acknowledgement maintained, for lookups by key that are rare (a kill, a paused execution)
    // and scan a short table (the ones per topic use queue_ready). queue_ready keeps the
    // unclaimed messages only, what claims look for: a message handed over claimed (executor to
    // worker and back, most of them) is inserted and acknowledged without touching it.
    sql: `
      DROP VIEW execution_documents;
      CREATE TABLE task_runs_v6 (
        execution_id TEXT NOT NULL,
        position INTEGER NOT NULL,
        json TEXT NOT NULL,
        summary TEXT NOT NULL,
        PRIMARY KEY (execution_id, position)
      );
      INSERT INTO task_runs_v6 (execution_id, position, json, summary)
        SELECT execution_id, position, json, summary FROM task_runs ORDER BY execution_id, position;
      DROP TABLE task_runs;
      ALTER TABLE task_runs_v6 RENAME TO task_runs;
      -- For a client reading the file with SQL: each execution's whole document, as it was stored before.
      CREATE VIEW execution_documents AS
        SELECT e.id, e.tenant_id, e.namespace, e.flow_id, e.state, e.finished, e.deleted,
          json_set(e.json, '$.taskRunList', (
            SELECT json_group_array(json(r.json)) FROM (
              SELECT json FROM task_runs WHERE execution_id = e.id ORDER BY position
            ) AS r
          )) AS json
        FROM executions AS e;
      DROP INDEX queue_key;
      DROP INDEX queue_ready;
      CREATE INDEX queue_ready ON queue (topic, available_at, seq) WHERE claimed_at IS NULL;
    `,
  },
];
