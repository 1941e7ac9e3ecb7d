/**
 * Schema migrations of the PostgreSQL backend, applied in order at open under an advisory lock,
 * so that processes starting together never race: the first applies what is missing, the others
 * wait for it and find nothing left to do. Never edit a released migration: add the next number.
 *
 * Documents are stored as TEXT (not jsonb): the executions' task runs are compared with their
 * stored text to write only the changed ones, and jsonb would not give the text back as written.
 */
import type pg from "pg";
import { quoteIdent } from "./sql.ts";

export interface PgMigration {
  version: number;
  name: string;
  sql: string;
}

export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    name: "init",
    sql: `
      CREATE TABLE flows (
        tenant_id TEXT NOT NULL,
        namespace TEXT NOT NULL,
        id TEXT NOT NULL,
        revision INTEGER NOT NULL,
        deleted BOOLEAN NOT NULL DEFAULT FALSE,
        disabled BOOLEAN NOT NULL DEFAULT FALSE,
        updated TEXT NOT NULL,
        labels TEXT NOT NULL DEFAULT '[]',
        source TEXT NOT NULL,
        PRIMARY KEY (tenant_id, namespace, id, revision)
      );

      CREATE TABLE executions (
        id TEXT PRIMARY KEY,
        row_seq BIGSERIAL,
        tenant_id TEXT NOT NULL,
        namespace TEXT NOT NULL,
        flow_id TEXT NOT NULL,
        flow_revision INTEGER NOT NULL,
        state TEXT NOT NULL,
        start_date TEXT NOT NULL,
        end_date TEXT,
        parent_execution_id TEXT,
        parent_task_run_id TEXT,
        finished BOOLEAN NOT NULL DEFAULT FALSE,
        deleted BOOLEAN NOT NULL DEFAULT FALSE,
        summary TEXT NOT NULL,
        executor_state TEXT NOT NULL,
        json TEXT NOT NULL
      );
      CREATE INDEX executions_flow ON executions (tenant_id, namespace, flow_id, state);
      CREATE INDEX executions_start ON executions (start_date);
      CREATE INDEX executions_parent ON executions (parent_execution_id);
      CREATE INDEX executions_unfinished ON executions (finished) WHERE NOT finished;
      CREATE INDEX executions_tenant_start ON executions (tenant_id, deleted, start_date);

      CREATE TABLE task_runs (
        execution_id TEXT NOT NULL,
        position INTEGER NOT NULL,
        json TEXT NOT NULL,
        summary TEXT NOT NULL,
        PRIMARY KEY (execution_id, position)
      );

      CREATE TABLE logs (
        seq BIGSERIAL PRIMARY KEY,
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
      CREATE INDEX logs_tenant_time ON logs (tenant_id, timestamp, seq);

      CREATE TABLE queue (
        seq BIGSERIAL PRIMARY KEY,
        topic TEXT NOT NULL,
        key TEXT,
        payload TEXT NOT NULL,
        available_at BIGINT NOT NULL,
        claimed_at BIGINT,
        claimed_by TEXT,
        lease_until BIGINT
      );
      CREATE INDEX queue_ready ON queue (topic, available_at, seq) WHERE claimed_at IS NULL;
      CREATE INDEX queue_key ON queue (key);

      CREATE TABLE kv (
        tenant_id TEXT NOT NULL,
        namespace TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        type TEXT NOT NULL,
        expiration_date TEXT,
        update_date TEXT NOT NULL,
        creation_date TEXT NOT NULL,
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
        seq BIGSERIAL PRIMARY KEY,
        tenant_id TEXT NOT NULL,
        namespace TEXT NOT NULL,
        flow_id TEXT NOT NULL,
        execution_id TEXT NOT NULL,
        task_id TEXT,
        task_run_id TEXT,
        name TEXT NOT NULL,
        type TEXT NOT NULL,
        value DOUBLE PRECISION NOT NULL,
        tags TEXT,
        timestamp TEXT NOT NULL
      );
      CREATE INDEX metrics_execution ON metrics (execution_id);
      CREATE INDEX metrics_flow ON metrics (tenant_id, namespace, flow_id, name, timestamp);

      -- The processes sharing the database: their queue claims are theirs while they beat.
      CREATE TABLE processes (
        owner TEXT PRIMARY KEY,
        started_at BIGINT NOT NULL,
        heartbeat_at BIGINT NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: "cluster",
    sql: `
      -- What each process runs and its liveness state (Kestra's service states).
      ALTER TABLE processes
        ADD COLUMN roles TEXT NOT NULL DEFAULT '',
        ADD COLUMN hostname TEXT,
        ADD COLUMN pid INTEGER,
        ADD COLUMN worker_group TEXT,
        ADD COLUMN concurrency INTEGER,
        ADD COLUMN state TEXT NOT NULL DEFAULT 'RUNNING',
        ADD COLUMN state_at BIGINT;
      -- A worker job's group (its task's workerGroup.key): a worker claims only its group's jobs.
      ALTER TABLE queue ADD COLUMN worker_group TEXT GENERATED ALWAYS AS (
        CASE WHEN topic = 'worker' THEN (payload::jsonb -> 'task' -> 'workerGroup' ->> 'key') END
      ) STORED;
      CREATE INDEX queue_claimed_key ON queue (key) WHERE claimed_at IS NOT NULL;
      CREATE INDEX queue_claimed_by ON queue (claimed_by) WHERE claimed_by IS NOT NULL;
    `,
  },
  {
    version: 3,
    name: "executor fences",
    sql: `
      -- Bumped by every write of an execution: an executor's working copy is still what the
      -- database holds while the revision is the one it wrote (backend/fence.ts).
      ALTER TABLE executions ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;
      -- Fails the statement (and its transaction) with SQLSTATE "code" unless a write touched the
      -- rows it expected: how a batched commit checks its claims and revisions in its own statement.
      CREATE FUNCTION saker_fence(actual BIGINT, expected BIGINT, code TEXT) RETURNS INTEGER
      LANGUAGE plpgsql AS $fence$
      BEGIN
        IF actual <> expected THEN
          RAISE EXCEPTION USING ERRCODE = code,
            MESSAGE = format('executor fence %s: %s of %s rows as expected', code, actual, expected);
        END IF;
        RETURN 1;
      END
      $fence$;
    `,
  },
];

/** The advisory lock key of a schema's migrations (one per schema, so schemas migrate apart). */
function lockKey(schema: string): string {
  return `saker_migrations:${schema}`;
}

/**
 * Creates the schema if needed and applies the missing migrations, each in its own transaction,
 * holding `pg_advisory_lock` throughout. Returns the versions applied by this call.
 */
export async function migrate(
  client: pg.ClientBase,
  schema: string,
  migrations: readonly PgMigration[] = PG_MIGRATIONS,
): Promise<number[]> {
  const applied: number[] = [];
  await client.query("SELECT pg_advisory_lock(hashtext($1))", [lockKey(schema)]);
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    await client.query(`SET search_path TO ${quoteIdent(schema)}`);
    await client.query(
      "CREATE TABLE IF NOT EXISTS saker_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied TIMESTAMPTZ NOT NULL DEFAULT now())",
    );
    const { rows } = await client.query<{ version: number }>("SELECT version FROM saker_migrations");
    const done = new Set(rows.map((r) => r.version));
    for (const migration of migrations) {
      if (done.has(migration.version)) continue;
      await client.query("BEGIN");
      try {
        await client.query(migration.sql);
        await client.query("INSERT INTO saker_migrations (version, name) VALUES ($1, $2)", [
          migration.version,
          migration.name,
        ]);
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw error;
      }
      applied.push(migration.version);
    }
  } finally {
    await client.query("SELECT pg_advisory_unlock(hashtext($1))", [lockKey(schema)]);
  }
  return applied;
}
