/** `saker cluster list`: the processes of a PostgreSQL cluster, read without opening an instance. */
import pg from "pg";
import { SakerError } from "@saker/sdk";
import { listProcesses, type ProcessRow } from "../backend/postgres/liveness.ts";
import { connectionConfig, redactUrl } from "../backend/postgres/postgresBackend.ts";
import type { CompiledConfig } from "./config.ts";

export async function readClusterProcesses(config: CompiledConfig): Promise<ProcessRow[]> {
  if (config.database.type !== "postgres")
    throw new SakerError(
      "CONFIG_INVALID",
      "A cluster needs a shared database: set database.type to 'postgres' (and database.url) in the configuration",
    );
  const url = config.database.url!;
  const client = new pg.Client(connectionConfig(url, config.database.schema ?? "public"));
  try {
    await client.connect();
  } catch (error) {
    throw new SakerError(
      "ENGINE_UNAVAILABLE",
      `Unable to connect to the PostgreSQL database at ${redactUrl(url)}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  try {
    const { rows } = await client.query<{ present: boolean }>(
      "SELECT to_regclass('processes') IS NOT NULL AND EXISTS (SELECT 1 FROM information_schema.columns WHERE column_name = 'state' AND table_name = 'processes') AS present",
    );
    // a database no Saker server opened yet (or not migrated): no processes
    if (!rows[0]?.present) return [];
    return await listProcesses(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}
