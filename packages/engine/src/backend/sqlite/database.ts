/**
 * The embedded database: one SQLite file in WAL mode. Every state change is committed before it
 * is acknowledged, so a process killed at any moment loses nothing it had reported.
 */
import Database from "better-sqlite3";
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { errorMessage, SakerError } from "@saker/sdk";
import { Checkpointer, type CheckpointerOptions } from "./checkpointer.ts";
import { MIGRATIONS } from "./migrations.ts";

export type SqliteDatabase = Database.Database;

const statements = new WeakMap<SqliteDatabase, Map<string, Database.Statement>>();

/**
 * The statement of a fixed SQL text, prepared once per database (preparing costs more than most
 * of the hot path's statements run). Only for literal texts: one built from a query would grow
 * the cache without bound.
 */
export function statement(db: SqliteDatabase, sql: string): Database.Statement {
  let cache = statements.get(db);
  if (!cache) statements.set(db, (cache = new Map()));
  let stmt = cache.get(sql);
  if (!stmt) cache.set(sql, (stmt = db.prepare(sql)));
  return stmt;
}

/** The database file is not a usable SQLite database (garbage, truncated, emptied). */
export class DatabaseDamagedError extends SakerError {
  static override readonly kind: string = "DatabaseDamagedError";
  constructor(file: string, problem: string) {
    super(
      "DATABASE_DAMAGED",
      `The database file '${file}' is damaged (${problem}). Start with --reset-database to move it aside and begin with an empty database, or restore it from a backup`,
      { details: { file } },
    );
  }
}

export interface OpenDatabaseOptions {
  /** Move a damaged file aside (never delete it) and start with an empty database. */
  reset?: boolean;
  /** Told where a damaged file was moved. */
  onReset?(movedTo: string, problem: string): void;
  /**
   * Checkpoint the WAL from a worker thread instead of inside the commits (see checkpointer.ts).
   * Default true (a file, not `:memory:`); options tune it.
   */
  checkpointThread?: boolean | CheckpointerOptions;
}

const checkpointers = new WeakMap<SqliteDatabase, Checkpointer>();

/** The checkpoint thread's handle of a database opened by `openDatabase`, if it has one. */
export function checkpointerOf(db: SqliteDatabase): Checkpointer | undefined {
  return checkpointers.get(db);
}

/**
 * Opens the database, creating it when there is no file. An existing file is checked first
 * (`PRAGMA quick_check`): a damaged or emptied one stops the start with a `DatabaseDamagedError`,
 * or is moved aside with `reset`.
 */
export function openDatabase(file: string, options: OpenDatabaseOptions = {}): SqliteDatabase {
  if (file !== ":memory:") {
    mkdirSync(dirname(file), { recursive: true });
    const problem = existsSync(file) ? damageOf(file) : undefined;
    if (problem && !options.reset) throw new DatabaseDamagedError(file, problem);
    if (problem) options.onReset?.(moveAside(file), problem);
  }
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 5000");
  db.pragma("foreign_keys = ON");
  migrate(db);
  if (file !== ":memory:" && options.checkpointThread !== false) {
    const tuning = typeof options.checkpointThread === "object" ? options.checkpointThread : {};
    const checkpointer = new Checkpointer(db, tuning);
    checkpointers.set(db, checkpointer);
    const close = db.close.bind(db);
    // the thread's connection closes first: this one, the last, checkpoints and removes the WAL
    db.close = () => {
      void checkpointer.stop();
      return close();
    };
  }
  return db;
}

function migrate(db: SqliteDatabase): void {
  db.exec(
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied TEXT NOT NULL)",
  );
  const applied = new Set(
    (db.prepare("SELECT version FROM schema_migrations").all() as { version: number }[]).map((r) => r.version),
  );
  for (const migration of MIGRATIONS) {
    if (applied.has(migration.version)) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      migration.backfill?.(db);
      db.prepare("INSERT INTO schema_migrations (version, name, applied) VALUES (?, ?, ?)").run(
        migration.version,
        migration.name,
        new Date().toISOString(),
      );
    })();
  }
}

/** What is wrong with an existing database file, if anything. */
function damageOf(file: string): string | undefined {
  const wal = `${file}-wal`;
  if (statSync(file).size === 0 && !(existsSync(wal) && statSync(wal).size > 0)) return "the file is empty: 0 bytes";
  let db: SqliteDatabase | undefined;
  try {
    db = new Database(file, { fileMustExist: true });
    const result = db.pragma("quick_check", { simple: true });
    return result === "ok" ? undefined : `quick_check: ${String(result)}`;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string" && (code === "SQLITE_NOTADB" || code.startsWith("SQLITE_CORRUPT")))
      return errorMessage(error);
    throw error;
  } finally {
    db?.close();
  }
}

/** Renames the file (and its WAL) to `<file>.damaged-<date>`; returns the new name. */
function moveAside(file: string): string {
  const aside = `${file}.damaged-${new Date().toISOString().replace(/[:.]/g, "-")}`;
  renameSync(file, aside);
  if (existsSync(`${file}-wal`)) renameSync(`${file}-wal`, `${aside}-wal`);
  rmSync(`${file}-shm`, { force: true });
  return aside;
}
