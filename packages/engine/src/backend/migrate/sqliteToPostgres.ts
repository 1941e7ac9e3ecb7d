/**
 * `saker migrate --from sqlite:… --to postgres://…`: copies an embedded instance's database to
 * PostgreSQL, table by table (`tables.ts`), in batches, each batch in one transaction.
 *
 * Re-runnable: the target keeps what it received from each source (`saker_migrated_rows`: the
 * fingerprint of each keyed row as copied; `saker_migrated_seqs`: how far each appended table
 * went), so a second run copies nothing twice, and a row the target changed since (an execution
 * that resumed there, a trigger that fired) is left alone. A keyed row is:
 * - copied when its key is not in the target;
 * - skipped when it is the one copied before, or the target holds the same row;
 * - updated when the SQLite row changed since it was copied and the target's is still the copy;
 * - a conflict otherwise (the target holds different data under that key): before writing
 *   anything, the run looks for conflicts and stops with `MIGRATE_CONFLICT` listing them, unless
 *   `overwrite` (then the SQLite rows replace them).
 */
import { createHash } from "node:crypto";
import pg from "pg";
import { errorMessage, SakerError } from "@saker/sdk";
import { NOTIFY } from "../notifier.ts";
import { connectionConfig, redactUrl } from "../postgres/postgresBackend.ts";
import { migrate } from "../postgres/migrations.ts";
import { FLOW_TOPIC } from "../postgres/flowMirror.ts";
import { channelOf } from "../postgres/postgresNotifier.ts";
import { SCHEMA_NAME } from "../postgres/sql.ts";
import { openSqliteSource, type SqliteSource } from "./sqliteSource.ts";
import { EXECUTIONS, TABLES, type AppendedTable, type Column, type KeyedTable } from "./tables.ts";

export interface MigrateDatabaseOptions {
  /** The SQLite side: a home folder (its saker.db) or the database file. */
  from: string;
  /** `postgres://user:password@host:port/db`, optionally `?schema=name` (default `public`). */
  to: string;
  /** Count what would be copied; write nothing. */
  dryRun?: boolean;
  /** Replace the target's rows that differ from the SQLite ones (the conflicts). */
  overwrite?: boolean;
  /** Rows per transaction of the keyed tables (the appended ones take ten times as many). */
  batchSize?: number;
  onProgress?(progress: TableProgress): void;
  onWarning?(message: string): void;
}

export interface TableProgress {
  table: string;
  /** Rows in the SQLite table. */
  total: number;
  /** Rows looked at so far. */
  done: number;
  copied: number;
  /** Changed on SQLite since an earlier run, untouched on the target: written again. */
  updated: number;
  /** Different on the target, replaced (`overwrite`). */
  overwritten: number;
  /** Already there (copied before, or the same row). */
  skipped: number;
  conflicts: number;
}

export interface DatabaseMigrationReport {
  source: string;
  /** The target URL without its password. */
  target: string;
  schema: string;
  dryRun: boolean;
  tables: TableProgress[];
  /** The conflicts found (at most 20 described). */
  conflicts: string[];
  conflictCount: number;
  /** The source's lock file was left by a process that died (see the docs). */
  sourceStoppedAbruptly: boolean;
}

const BOOKKEEPING = `
  CREATE TABLE IF NOT EXISTS saker_migrated_rows (
    source TEXT NOT NULL, tbl TEXT NOT NULL, key TEXT NOT NULL, hash TEXT NOT NULL,
    PRIMARY KEY (source, tbl, key)
  );
  CREATE TABLE IF NOT EXISTS saker_migrated_seqs (
    source TEXT NOT NULL, tbl TEXT NOT NULL, last_seq BIGINT NOT NULL,
    PRIMARY KEY (source, tbl)
  );`;

/** Splits `?schema=` off the URL; refuses anything but postgres:// and a plain schema name. */
export function parsePostgresTarget(to: string): { url: string; schema: string } {
  if (!/^postgres(ql)?:\/\//.test(to))
    throw new SakerError("CLI_USAGE", `The target '${redactUrl(to)}' is not a postgres://user@host:5432/db URL`);
  let parsed: URL;
  try {
    parsed = new URL(to);
  } catch {
    throw new SakerError("CLI_USAGE", "The target is not a valid postgres:// URL");
  }
  const schema = parsed.searchParams.get("schema") ?? "public";
  parsed.searchParams.delete("schema");
  if (!SCHEMA_NAME.test(schema))
    throw new SakerError("CLI_USAGE", `The schema '${schema}' (?schema=) is not a plain SQL identifier`);
  return { url: parsed.toString(), schema };
}

type Value = string | number | boolean | null;

function fromSqlite(column: Column, value: unknown): Value {
  if (value === null || value === undefined) return null;
  if (column.type === "bool") return value !== 0;
  if (column.type === "text") return String(value as string);
  return Number(value);
}

function fromPostgres(column: Column, value: unknown): Value {
  if (value === null || value === undefined) return null;
  if (column.type === "bool") return Boolean(value);
  if (column.type === "text") return String(value as string);
  return Number(value);
}

/** A task run of an execution: position and document. */
type Run = [number, string, string];

interface SourceRow {
  values: Value[];
  key: string;
  keyValues: Value[];
  hash: string;
  runs?: Run[];
}

const fingerprint = (values: readonly Value[], runs?: readonly Run[]) =>
  createHash("sha256")
    .update(JSON.stringify(runs ? [values, runs.map(([position, json]) => [position, json])] : values))
    .digest("base64url");

/** The sender of the notifications (never a process's id, so every process hears them). */
const SENDER = "saker-migrate";

type Outcome = "copy" | "skip" | "update" | "conflict" | "overwrite";

function newProgress(table: string, total: number): TableProgress {
  return { table, total, done: 0, copied: 0, updated: 0, overwritten: 0, skipped: 0, conflicts: 0 };
}

class Migration {
  private readonly conflicts: string[] = [];
  private conflictCount = 0;
  private readonly changedFlows = new Map<string, { tenantId: string; namespace: string; id: string }>();
  private queueCopied = false;

  constructor(
    private readonly source: SqliteSource,
    private readonly client: pg.Client,
    private readonly options: MigrateDatabaseOptions,
    /** The target has Saker's tables (else it is empty) and the bookkeeping ones. */
    private readonly target: { tables: boolean; bookkeeping: boolean },
    private readonly schema: string,
  ) {}

  private get batchSize(): number {
    return this.options.batchSize ?? 200;
  }

  private async inTransaction(fn: () => Promise<void>): Promise<void> {
    await this.client.query("BEGIN");
    try {
      await fn();
      await this.client.query("COMMIT");
    } catch (error) {
      await this.client.query("ROLLBACK").catch(() => undefined);
      throw error;
    }
  }

  /** Goes over every table; `write` false only decides and counts. */
  async run(write: boolean, report: boolean): Promise<TableProgress[]> {
    const results: TableProgress[] = [];
    for (const table of TABLES) {
      if (!write && !report && table.kind === "appended") continue;
      const progress =
        table.kind === "keyed" ? await this.keyed(table, write, report) : await this.appended(table, write, report);
      results.push(progress);
      // the processes running on the target learn the flows before the executions that need them
      if (write && table.table === "flows") await this.notifyFlows();
    }
    return results;
  }

  get conflictList(): { count: number; described: string[] } {
    return { count: this.conflictCount, described: [...this.conflicts] };
  }

  private count(table: string): number {
    return (this.source.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  }

  private sourceRuns(ids: readonly string[]): Map<string, Run[]> {
    const runs = new Map<string, Run[]>();
    const rows = this.source.db
      .prepare(
        `SELECT execution_id, position, json, summary FROM task_runs WHERE execution_id IN (${ids.map(() => "?").join(",")}) ORDER BY execution_id, position`,
      )
      .all(...ids) as { execution_id: string; position: number; json: string; summary: string }[];
    for (const r of rows) {
      const list = runs.get(r.execution_id) ?? [];
      list.push([r.position, r.json, r.summary]);
      runs.set(r.execution_id, list);
    }
    return runs;
  }

  private async targetRows(table: KeyedTable, rows: readonly SourceRow[]): Promise<Map<string, string>> {
    const hashes = new Map<string, string>();
    if (!this.target.tables || rows.length === 0) return hashes;
    const keyColumns = table.key.map((name) => table.columns.find((c) => c.name === name)!);
    const params = keyColumns.map((_, i) => rows.map((r) => r.keyValues[i]));
    const unnest = keyColumns.map((c, i) => `$${i + 1}::${c.type}[]`).join(", ");
    const { rows: found } = await this.client.query<Record<string, unknown>>(
      `SELECT ${table.columns.map((c) => c.name).join(", ")} FROM ${table.table}
       WHERE (${table.key.join(", ")}) IN (SELECT * FROM unnest(${unnest}))`,
      params,
    );
    let runs: Map<string, Run[]> | undefined;
    if (table === EXECUTIONS) {
      runs = new Map();
      const { rows: runRows } = await this.client.query<{ execution_id: string; position: number; json: string }>(
        "SELECT execution_id, position, json FROM task_runs WHERE execution_id = ANY($1::text[]) ORDER BY execution_id, position",
        [found.map((r) => r.id)],
      );
      for (const r of runRows) {
        const list = runs.get(r.execution_id) ?? [];
        list.push([r.position, r.json, ""]);
        runs.set(r.execution_id, list);
      }
    }
    for (const row of found) {
      const values = table.columns.map((c) => fromPostgres(c, row[c.name]));
      const keyValues = table.key.map((name) => values[table.columns.findIndex((c) => c.name === name)]!);
      const key = JSON.stringify(keyValues);
      hashes.set(key, fingerprint(values, runs ? (runs.get(String(row.id)) ?? []) : undefined));
    }
    return hashes;
  }

  private async copiedBefore(table: string, keys: readonly string[]): Promise<Map<string, string>> {
    if (!this.target.bookkeeping || keys.length === 0) return new Map();
    const { rows } = await this.client.query<{ key: string; hash: string }>(
      "SELECT key, hash FROM saker_migrated_rows WHERE source = $1 AND tbl = $2 AND key = ANY($3::text[])",
      [this.source.id, table, [...keys]],
    );
    return new Map(rows.map((r) => [r.key, r.hash]));
  }

  private decide(row: SourceRow, before: string | undefined, target: string | undefined): Outcome {
    if (before === row.hash) return "skip";
    if (target === undefined) return before === undefined ? "copy" : "skip"; // removed on the target since
    if (target === row.hash) return "skip";
    if (before !== undefined && target === before) return "update";
    return this.options.overwrite ? "overwrite" : "conflict";
  }

  private async keyed(table: KeyedTable, write: boolean, report: boolean): Promise<TableProgress> {
    const progress = newProgress(table.table, this.count(table.table));
    const select = this.source.db.prepare(
      `SELECT rowid AS _rowid, ${table.columns.map((c) => c.name).join(", ")} FROM ${table.table} WHERE rowid > ? ORDER BY rowid LIMIT ?`,
    );
    const keyIndexes = table.key.map((name) => table.columns.findIndex((c) => c.name === name));
    let last = 0;
    for (;;) {
      const raw = select.all(last, this.batchSize) as Record<string, unknown>[];
      if (raw.length === 0) break;
      last = Number(raw[raw.length - 1]!._rowid);
      const runs = table === EXECUTIONS ? this.sourceRuns(raw.map((r) => String(r.id))) : undefined;
      const rows: SourceRow[] = raw.map((r) => {
        const values = table.columns.map((c) => fromSqlite(c, r[c.name]));
        const keyValues = keyIndexes.map((i) => values[i]!);
        const rowRuns = runs ? (runs.get(String(r.id)) ?? []) : undefined;
        return {
          values,
          keyValues,
          key: JSON.stringify(keyValues),
          hash: fingerprint(values, rowRuns),
          ...(rowRuns ? { runs: rowRuns } : {}),
        };
      });
      const step = async () => {
        const before = await this.copiedBefore(
          table.table,
          rows.map((r) => r.key),
        );
        const target = await this.targetRows(table, rows);
        const toWrite: SourceRow[] = [];
        const toRecord: SourceRow[] = [];
        for (const row of rows) {
          const outcome = this.decide(row, before.get(row.key), target.get(row.key));
          if (outcome === "copy") progress.copied++;
          else if (outcome === "update") progress.updated++;
          else if (outcome === "overwrite") progress.overwritten++;
          else if (outcome === "skip") progress.skipped++;
          else {
            progress.conflicts++;
            this.conflictCount++;
            if (this.conflicts.length < 20) this.conflicts.push(table.describe(row.keyValues));
          }
          if (outcome === "copy" || outcome === "update" || outcome === "overwrite") toWrite.push(row);
          if (outcome !== "conflict" && before.get(row.key) !== row.hash) toRecord.push(row);
        }
        if (!write) return;
        await this.writeKeyed(table, toWrite);
        await this.record(table.table, toRecord);
        if (table.table === "flows") {
          for (const row of toWrite) {
            const [tenantId, namespace, id] = row.keyValues.map(String) as [string, string, string];
            this.changedFlows.set(JSON.stringify([tenantId, namespace, id]), { tenantId, namespace, id });
          }
        }
      };
      if (write) await this.inTransaction(step);
      else await step();
      progress.done += rows.length;
      if (report) this.options.onProgress?.({ ...progress });
    }
    return progress;
  }

  private async writeKeyed(table: KeyedTable, rows: readonly SourceRow[]): Promise<void> {
    if (rows.length === 0) return;
    const names = table.columns.map((c) => c.name);
    const unnest = table.columns.map((c, i) => `$${i + 1}::${c.type}[]`).join(", ");
    const set = names.filter((n) => !table.key.includes(n)).map((n) => `${n} = excluded.${n}`);
    await this.client.query(
      `INSERT INTO ${table.table} (${names.join(", ")}) SELECT * FROM unnest(${unnest})
       ON CONFLICT (${table.key.join(", ")}) DO UPDATE SET ${set.join(", ")}`,
      table.columns.map((_, i) => rows.map((r) => r.values[i])),
    );
    if (table !== EXECUTIONS) return;
    const ids = rows.map((r) => String(r.values[0]));
    await this.client.query("DELETE FROM task_runs WHERE execution_id = ANY($1::text[])", [ids]);
    const runs = rows.flatMap((r) => (r.runs ?? []).map((run) => [String(r.values[0]), ...run] as const));
    if (runs.length === 0) return;
    await this.client.query(
      `INSERT INTO task_runs (execution_id, position, json, summary)
       SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::text[])`,
      [runs.map((r) => r[0]), runs.map((r) => r[1]), runs.map((r) => r[2]), runs.map((r) => r[3])],
    );
  }

  private async record(table: string, rows: readonly SourceRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.client.query(
      `INSERT INTO saker_migrated_rows (source, tbl, key, hash)
       SELECT $1, $2, k, h FROM unnest($3::text[], $4::text[]) AS r(k, h)
       ON CONFLICT (source, tbl, key) DO UPDATE SET hash = excluded.hash`,
      [this.source.id, table, rows.map((r) => r.key), rows.map((r) => r.hash)],
    );
  }

  private async mark(table: string): Promise<number> {
    if (!this.target.bookkeeping) return 0;
    const { rows } = await this.client.query<{ last_seq: string }>(
      "SELECT last_seq FROM saker_migrated_seqs WHERE source = $1 AND tbl = $2",
      [this.source.id, table],
    );
    return rows[0] ? Number(rows[0].last_seq) : 0;
  }

  private async appended(table: AppendedTable, write: boolean, report: boolean): Promise<TableProgress> {
    const progress = newProgress(table.table, this.count(table.table));
    let last = await this.mark(table.table);
    const already = (
      this.source.db.prepare(`SELECT COUNT(*) AS n FROM ${table.table} WHERE seq <= ?`).get(last) as { n: number }
    ).n;
    progress.skipped = already;
    progress.done = already;
    if (!write) {
      progress.copied = progress.total - already;
      progress.done = progress.total;
      if (report) this.options.onProgress?.({ ...progress });
      return progress;
    }
    const names = table.columns.map((c) => c.name);
    const select = this.source.db.prepare(
      `SELECT seq, ${names.join(", ")} FROM ${table.table} WHERE seq > ? ORDER BY seq LIMIT ?`,
    );
    const aliases = table.columns.map((_, i) => `c${i}`);
    const unnest = table.columns.map((c, i) => `$${i + 1}::${c.type}[]`).join(", ");
    for (;;) {
      const raw = select.all(last, this.batchSize * 10) as Record<string, unknown>[];
      if (raw.length === 0) break;
      last = Number(raw[raw.length - 1]!.seq);
      await this.inTransaction(async () => {
        // in the SQLite order: the new sequence numbers follow it
        await this.client.query(
          `INSERT INTO ${table.table} (${names.join(", ")})
           SELECT ${aliases.join(", ")} FROM unnest(${unnest}) WITH ORDINALITY AS r(${aliases.join(", ")}, n) ORDER BY n`,
          table.columns.map((c) => raw.map((r) => fromSqlite(c, r[c.name]))),
        );
        await this.client.query(
          `INSERT INTO saker_migrated_seqs (source, tbl, last_seq) VALUES ($1, $2, $3)
           ON CONFLICT (source, tbl) DO UPDATE SET last_seq = excluded.last_seq`,
          [this.source.id, table.table, last],
        );
      });
      if (table.table === "queue") this.queueCopied = true;
      progress.copied += raw.length;
      progress.done += raw.length;
      if (report) this.options.onProgress?.({ ...progress });
    }
    if (progress.done === already && report) this.options.onProgress?.({ ...progress });
    return progress;
  }

  private async send(envelopes: readonly string[]): Promise<void> {
    if (envelopes.length === 0) return;
    await this.client.query("SELECT pg_notify($1, p) FROM unnest($2::text[]) WITH ORDINALITY AS n(p, i) ORDER BY i", [
      channelOf(this.schema),
      envelopes,
    ]);
  }

  /** Tells the processes running on the target which flows to reload. */
  private async notifyFlows(): Promise<void> {
    const envelopes = [...this.changedFlows.values()].map((flow) =>
      JSON.stringify({ s: SENDER, t: FLOW_TOPIC, p: { origin: SENDER, ...flow } }),
    );
    this.changedFlows.clear();
    await this.send(envelopes);
  }

  /** Wakes the processes running on the target when messages were copied. */
  async notifyQueues(): Promise<void> {
    if (!this.queueCopied) return;
    await this.send(
      ["executor", "worker", "scheduler"].map((topic) => JSON.stringify({ s: SENDER, t: NOTIFY.queue(topic) })),
    );
  }
}

async function connect(url: string, schema: string): Promise<pg.Client> {
  const client = new pg.Client(connectionConfig(url, schema));
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new SakerError(
      "ENGINE_UNAVAILABLE",
      `Unable to connect to the PostgreSQL database at ${redactUrl(url)}: ${errorMessage(error)}`,
    );
  }
  // a connection lost between two queries fails the query; without a listener it would crash the process
  client.on("error", () => undefined);
  return client;
}

async function exists(client: pg.Client, schema: string, table: string): Promise<boolean> {
  const { rows } = await client.query<{ found: string | null }>("SELECT to_regclass($1) AS found", [
    `"${schema}".${table}`,
  ]);
  return rows[0]?.found !== null && rows[0]?.found !== undefined;
}

/** Copies the SQLite database to PostgreSQL (see the module comment); resolves with what it did. */
export async function migrateSqliteToPostgres(options: MigrateDatabaseOptions): Promise<DatabaseMigrationReport> {
  const { url, schema } = parsePostgresTarget(options.to);
  const source = openSqliteSource(options.from);
  try {
    if (source.stoppedAbruptly)
      options.onWarning?.(
        `the instance of '${source.home}' stopped abruptly: the work it had in flight is copied as unclaimed and runs again on PostgreSQL`,
      );
    const client = await connect(url, schema);
    try {
      // one snapshot of the file for the whole copy
      source.db.exec("BEGIN");
      const dryRun = options.dryRun === true;
      const before = {
        tables: await exists(client, schema, "saker_migrations"),
        bookkeeping: await exists(client, schema, "saker_migrated_rows"),
      };
      if (!dryRun) {
        await migrate(client, schema);
        await client.query(BOOKKEEPING);
      }
      const report: DatabaseMigrationReport = {
        source: source.file,
        target: redactUrl(url),
        schema,
        dryRun,
        tables: [],
        conflicts: [],
        conflictCount: 0,
        sourceStoppedAbruptly: source.stoppedAbruptly,
      };
      const plan = new Migration(source, client, options, before, schema);
      if (dryRun || !options.overwrite) {
        report.tables = await plan.run(false, dryRun);
        const { count, described } = plan.conflictList;
        report.conflictCount = count;
        report.conflicts = described;
        if (count > 0 && !dryRun)
          throw new SakerError(
            "MIGRATE_CONFLICT",
            `The target already holds different data for ${count} row(s): ${described.slice(0, 5).join("; ")}${count > 5 ? "; …" : ""}. Nothing was copied; run again with --overwrite to replace them with the SQLite rows`,
            { details: { conflicts: described, count } },
          );
        if (dryRun) return report;
      }
      const copy = new Migration(source, client, options, { tables: true, bookkeeping: true }, schema);
      report.tables = await copy.run(true, true);
      report.conflictCount = copy.conflictList.count;
      report.conflicts = copy.conflictList.described;
      await copy.notifyQueues();
      return report;
    } finally {
      if (source.db.inTransaction) source.db.exec("COMMIT");
      await client.end().catch(() => undefined);
    }
  } finally {
    source.close();
  }
}
