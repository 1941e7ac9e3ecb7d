/**
 * Throwaway PostgreSQL databases for tests: each one created fresh (`saker_test_<random>`) on the
 * server of `SAKER_TEST_POSTGRES_URL` (default the local one, user postgres), dropped at the end.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { quoteIdent } from "./sql.ts";

export const TEST_POSTGRES_URL = process.env.SAKER_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export interface TestDatabase {
  name: string;
  url: string;
  /** Drops the database (closing whatever connections are still open on it). */
  drop(): Promise<void>;
}

/** The URL of another database on the same server. */
function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function onServer<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `saker_test_${randomBytes(6).toString("hex")}`;
  await onServer((client) => client.query(`CREATE DATABASE ${quoteIdent(name)}`));
  return {
    name,
    url: withDatabase(TEST_POSTGRES_URL, name),
    drop: () =>
      onServer((client) => client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`)).then(
        () => undefined,
      ),
  };
}
