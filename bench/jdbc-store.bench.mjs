#!/usr/bin/env node
// JDBC STORE benchmark: 1,000,000 PostgreSQL rows streamed through io.kestra.plugin.jdbc.postgresql.Query
// (fetchType: STORE) into an Ion file in internal storage, on the embedded engine. Prints the time,
// the rows per second and the process's peak RSS, which must stay under 200 MB whatever the row
// count; then shows that FETCH of the same query is refused. Not a test.
//   npm run build && node bench/jdbc-store.bench.mjs
// Needs PostgreSQL on 127.0.0.1:5432, database `test`, user postgres (BENCH_PG_URL to change).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import jdbc from "../plugins/jdbc/dist/index.js";
import { pgConfigOf } from "../plugins/jdbc/dist/postgres/pgConfig.js";
import { loadConfig } from "../packages/engine/dist/runtime/config.js";
import { Instance } from "../packages/engine/dist/runtime/instance.js";
import { coreRegistry } from "../packages/engine/dist/runtime/registryLoader.js";
import { toStoragePath } from "../packages/engine/dist/storage/paths.js";

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const RSS_LIMIT_MB = 200;
const FETCH_SIZE = Number(process.env.BENCH_FETCH_SIZE ?? 10_000);
const URL = process.env.BENCH_PG_URL ?? "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";
const mb = (bytes) => (bytes / 1024 / 1024).toFixed(0);

async function prepareTable() {
  // The flow's URL, read as the plugin reads it.
  const client = new pg.Client(pgConfigOf({ url: URL }).config);
  await client.connect();
  try {
    const exists = await client.query(
      "select count(*)::int as n from information_schema.tables where table_name = 'jdbc_bench'",
    );
    const count = exists.rows[0].n ? (await client.query("select count(*)::int as n from jdbc_bench")).rows[0].n : -1;
    if (count !== ROWS) {
      await client.query("drop table if exists jdbc_bench");
      await client.query(`create table jdbc_bench as
        select g as id, 'name ' || g as name, round((g % 100000) / 7.0, 2)::numeric(12,2) as amount,
               timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second' as created_at, g % 2 = 0 as flag
        from generate_series(1, ${ROWS}) g`);
    }
  } finally {
    await client.end();
  }
}

const flow = (fetchType) => `id: store_${fetchType.toLowerCase()}
namespace: bench.jdbc
tasks:
  - id: query
    type: io.kestra.plugin.jdbc.postgresql.Query
    url: ${URL}
    sql: select * from jdbc_bench order by id
    fetchType: ${fetchType}
    timeZoneId: UTC
    fetchSize: ${FETCH_SIZE}
`;

await prepareTable();
const home = mkdtempSync(join(tmpdir(), "saker-bench-jdbc-"));
const registry = coreRegistry();
registry.addPlugin({ name: "@saker/plugin-jdbc", version: "1.0.0", core: false }, jdbc);
const instance = await Instance.open(loadConfig({ env: {}, overrides: { home }, cwd: home }), { registry });
try {
  const rssBefore = process.resourceUsage().maxRSS * 1024;
  for (const source of [flow("STORE"), flow("FETCH")]) await instance.deploy(source);
  let started = performance.now();
  const stored = await instance.waitForEnd((await instance.createExecution("bench.jdbc", "store_store")).id, 600_000);
  const storeMs = performance.now() - started;
  const run = stored.taskRunList.find((t) => t.taskId === "query");
  if (stored.state.current !== "SUCCESS") throw new Error(`STORE ended ${stored.state.current}`);
  const { uri, size } = run.outputs;
  const bytes = await instance.storage.size(toStoragePath(uri));
  const peak = process.resourceUsage().maxRSS * 1024;

  started = performance.now();
  const fetched = await instance.waitForEnd((await instance.createExecution("bench.jdbc", "store_fetch")).id, 600_000);
  const fetchMs = performance.now() - started;
  const refusal = instance.logs
    .find({ executionId: fetched.id, minLevel: "ERROR" })
    .map((l) => l.message)
    .join(" ");

  console.log(
    `jdbc STORE benchmark (${ROWS.toLocaleString("en")} rows, PostgreSQL → Ion file, fetchSize ${FETCH_SIZE})`,
  );
  console.log(
    `  STORE time           ${(storeMs / 1000).toFixed(2)} s  (${Math.round(size / (storeMs / 1000)).toLocaleString("en")} rows/s)`,
  );
  console.log(`  rows stored          ${size.toLocaleString("en")}  (${mb(bytes)} MB of Ion text)`);
  console.log(
    `  peak RSS             ${mb(peak)} MB  (before the query: ${mb(rssBefore)} MB; limit ${RSS_LIMIT_MB} MB)`,
  );
  console.log(
    `  FETCH of same query  ${fetched.state.current} in ${(fetchMs / 1000).toFixed(2)} s: ${refusal.slice(0, 160)}`,
  );
  if (size !== ROWS) throw new Error(`stored ${size} rows, expected ${ROWS}`);
  if (peak / 1024 / 1024 >= RSS_LIMIT_MB) throw new Error(`peak RSS ${mb(peak)} MB is over ${RSS_LIMIT_MB} MB`);
  if (fetched.state.current !== "FAILED" || !refusal.includes("fetchType: STORE"))
    throw new Error("FETCH of a million rows was not refused");
} finally {
  await instance.close();
  rmSync(home, { recursive: true, force: true });
}
