/**
 * The SQLite side of `saker migrate`: a Saker database opened read-only, after checking that no
 * running process holds its home, that it is a Saker database, and that its schema is the one
 * this version writes (an older file is brought up to date by opening it once with this version).
 */
import { processAlive } from "../processAlive.ts";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import Database from "better-sqlite3";
import { errorMessage, SakerError } from "@saker/sdk";
import { MIGRATIONS } from "../sqlite/migrations.ts";

export interface SqliteSource {
  db: Database.Database;
  file: string;
  home: string;
  /**
   * Names this database in the target's bookkeeping: the date its first migration was applied
   * (to the millisecond), written once when the file was created and never changed.
   */
  id: string;
  /** The last process using it died without closing it (its lock file is stale). */
  stoppedAbruptly: boolean;
  close(): void;
}

/** The home's lock: refuses a home a running process holds; tells whether a dead one left it. */
function checkLock(home: string): boolean {
  const lock = join(home, "saker.lock");
  if (!existsSync(lock)) return false;
  const pid = Number(readFileSync(lock, "utf8").trim());
  if (pid && (pid === process.pid || processAlive(pid)))
    throw new SakerError(
      "HOME_LOCKED",
      `A Saker process (pid ${pid}) is using '${home}'; stop it before migrating its database (a running instance keeps writing to it)`,
    );
  return true;
}

const invalid = (file: string, why: string) =>
  new SakerError("MIGRATE_SOURCE_INVALID", `'${file}' is not a Saker database: ${why}`);

/** `location`: a home folder (its `saker.db`) or the database file itself. */
export function openSqliteSource(location: string): SqliteSource {
  const path = resolve(location);
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat)
    throw new SakerError("MIGRATE_SOURCE_INVALID", `No Saker home or SQLite database at '${path}' (--from sqlite:…)`);
  const file = stat.isDirectory() ? join(path, "saker.db") : path;
  const home = stat.isDirectory() ? path : dirname(path);
  if (!existsSync(file))
    throw new SakerError("MIGRATE_SOURCE_INVALID", `The folder '${path}' holds no Saker database (no saker.db)`);
  const stoppedAbruptly = checkLock(home);
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw invalid(file, errorMessage(error));
  }
  try {
    let rows: { version: number; applied: string }[];
    try {
      rows = db.prepare("SELECT version, applied FROM schema_migrations ORDER BY version").all() as typeof rows;
    } catch (error) {
      throw invalid(file, errorMessage(error));
    }
    const versions = new Set(rows.map((r) => r.version));
    const first = rows.find((r) => r.version === 1);
    if (!first) throw invalid(file, "it has no Saker schema");
    const newest = Math.max(...MIGRATIONS.map((m) => m.version));
    if (rows.some((r) => r.version > newest))
      throw new SakerError(
        "MIGRATE_SOURCE_INVALID",
        `'${file}' was written by a newer Saker (schema version ${Math.max(...versions)}, this one knows ${newest}); migrate it with that version`,
      );
    if (MIGRATIONS.some((m) => !versions.has(m.version)))
      throw new SakerError(
        "MIGRATE_SOURCE_INVALID",
        `'${file}' was written by an older Saker (schema version ${Math.max(...versions)}); start this version on it once (saker server local) so that it is brought up to date, then migrate`,
      );
    return { db, file, home, id: `sqlite:${first.applied}`, stoppedAbruptly, close: () => db.close() };
  } catch (error) {
    db.close();
    throw error;
  }
}
