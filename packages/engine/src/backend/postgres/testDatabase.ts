/**
 * Throwaway PostgreSQL databases for tests: each one created fresh (`saker_test_<seconds>_<random>`)
 * on the server of `SAKER_TEST_POSTGRES_URL` (default the local one, user postgres), dropped at
 * the end. A test that dies before its end leaves its database: the next creation drops those
 * older than two hours that nobody uses.
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

const STALE_SECONDS = 2 * 3600;

/** Drops the test databases left behind long ago (one in use is left alone). */
async function dropStale(client: pg.Client, now: number): Promise<void> {
  const { rows } = await client.query<{ datname: string }>(
    "SELECT datname FROM pg_database WHERE datname ~ '^saker_test_[0-9]+_[0-9a-f]+$'",
  );
  for (const { datname } of rows) {
    if (Number(datname.split("_")[2]) > now - STALE_SECONDS) continue;
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(datname)}`).catch(() => undefined);
  }
}

let staleDropped = false;

export async function createTestDatabase(): Promise<TestDatabase> {
  const now = Math.floor(Date.now() / 1000);
  const name = `saker_test_${now}_${randomBytes(5).toString("hex")}`;
  await onServer(async (client) => {
    if (!staleDropped) {
      staleDropped = true;
      await dropStale(client, now);
    }
    await client.query(`CREATE DATABASE ${quoteIdent(name)}`);
  });
  return {
    name,
    url: withDatabase(TEST_POSTGRES_URL, name),
    drop: () =>
      onServer((client) => client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`)).then(
        () => undefined,
      ),
  };
}
