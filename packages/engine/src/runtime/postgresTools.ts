/**
 * The CLI's PostgreSQL tools (`saker migrate database`, `saker cluster list`), as the engine's API
 * exports them: each loads the PostgreSQL client when called, so that importing the engine (a
 * server on the embedded database, say) never does.
 */
import type { DatabaseMigrationReport, MigrateDatabaseOptions } from "../backend/migrate/sqliteToPostgres.ts";
import type { ProcessRow } from "../backend/postgres/liveness.ts";
import type { CompiledConfig } from "./config.ts";

/** Copies an embedded database into a PostgreSQL one (see `backend/migrate/sqliteToPostgres.ts`). */
export async function migrateSqliteToPostgres(options: MigrateDatabaseOptions): Promise<DatabaseMigrationReport> {
  return (await import("../backend/migrate/sqliteToPostgres.ts")).migrateSqliteToPostgres(options);
}

/** The processes of a PostgreSQL cluster, read without opening an instance (see `clusterProcesses.ts`). */
export async function readClusterProcesses(config: CompiledConfig): Promise<ProcessRow[]> {
  return (await import("./clusterProcesses.ts")).readClusterProcesses(config);
}
