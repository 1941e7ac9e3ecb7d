#!/usr/bin/env node
// Parquet benchmark: IonToParquet then ParquetToIon of an Ion file of six columns (long, string,
// double, timestamp, decimal, boolean), 250,000 rows by default (BENCH_ROWS=1000000 for a million:
// about two minutes a run on the shared 2-core machine), through the embedded engine and internal
// storage. The floor is reading the same Ion file with readIonLines alone (no Parquet, no engine).
// Each measurement runs in its own process (peak RSS is per process); prints medians of
// BENCH_RUNS runs. Not a test.
//   npm run build && node bench/serdes-parquet.bench.mjs
import { spawnSync } from "node:child_process";
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROWS = Number(process.env.BENCH_ROWS ?? 250_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const CODEC = process.env.BENCH_CODEC ?? "SNAPPY";
const mb = (bytes) => (bytes / 1024 / 1024).toFixed(0);
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const peakRss = () => process.resourceUsage().maxRSS * 1024;

const SCHEMA = JSON.stringify({
  type: "record",
  name: "Bench",
  fields: [
    { name: "id", type: "long" },
    { name: "name", type: "string" },
    { name: "amount", type: "double" },
    { name: "created_at", type: { type: "long", logicalType: "timestamp-millis" } },
    { name: "price", type: ["null", { type: "bytes", logicalType: "decimal", precision: 12, scale: 2 }] },
    { name: "ok", type: "boolean" },
  ],
});

async function writeIon(file) {
  const out = createWriteStream(file);
  for (let i = 1; i <= ROWS; i++) {
    const line = `{id:${i},name:"name ${i % 5000}",amount:${(i % 100000) / 4}e0,created_at:2024-01-01T00:00:${String(i % 60).padStart(2, "0")}.000Z,price:${i % 10 === 0 ? "null" : `${i % 100000}.${String(i % 100).padStart(2, "0")}`},ok:${i % 2 === 0}}\n`;
    if (!out.write(line)) await new Promise((r) => out.once("drain", r));
  }
  await new Promise((r) => out.end(r));
}

/** The floor: read the Ion file, nothing else. */
async function floor(file) {
  const { readIonLines } = await import("../packages/sdk/dist/ion.js");
  const started = performance.now();
  let n = 0;
  for await (const _ of readIonLines(createReadStream(file))) n++;
  if (n !== ROWS) throw new Error(`read ${n} rows`);
  return { ms: performance.now() - started };
}

/** IonToParquet then ParquetToIon in one flow on the embedded engine; the time of each task run. */
async function saker(file) {
  const { loadConfig } = await import("../packages/engine/dist/runtime/config.js");
  const { Instance } = await import("../packages/engine/dist/runtime/instance.js");
  const { coreRegistry } = await import("../packages/engine/dist/runtime/registryLoader.js");
  const serdes = (await import("../plugins/serdes/dist/index.js")).default;
  const home = mkdtempSync(join(tmpdir(), "saker-bench-parquet-"));
  const registry = coreRegistry();
  registry.addPlugin({ name: "@saker/plugin-serdes", version: "1.0.0", core: false }, serdes);
  const instance = await Instance.open(loadConfig({ env: {}, overrides: { home }, cwd: home }), { registry });
  try {
    await instance.storage.put("bench/parquet/_files/data.ion", file);
    instance.deploy(`id: convert
namespace: bench.parquet
tasks:
  - id: to_parquet
    type: io.kestra.plugin.serdes.parquet.IonToParquet
    from: kestra:///bench/parquet/_files/data.ion
    compressionCodec: ${CODEC}
    timeZoneId: UTC
    schema: '${SCHEMA}'
  - id: to_ion
    type: io.kestra.plugin.serdes.parquet.ParquetToIon
    from: "{{ outputs.to_parquet.uri }}"
`);
    const done = await instance.waitForEnd((await instance.createExecution("bench.parquet", "convert")).id, 600_000);
    if (done.state.current !== "SUCCESS") throw new Error(`the flow ended ${done.state.current}`);
    const ms = (id) => {
      const h = done.taskRunList.find((t) => t.taskId === id).state.histories;
      const start = h.find((s) => s.state === "RUNNING") ?? h[0];
      return Date.parse(h.at(-1).date) - Date.parse(start.date);
    };
    const parquetUri = done.taskRunList.find((t) => t.taskId === "to_parquet").outputs.uri;
    const { toStoragePath } = await import("../packages/engine/dist/storage/paths.js");
    const size = await instance.storage.size(toStoragePath(parquetUri));
    return { ionToParquet: ms("to_parquet"), parquetToIon: ms("to_ion"), parquetBytes: size };
  } finally {
    await instance.close();
    rmSync(home, { recursive: true, force: true });
  }
}

const [mode, file] = process.argv.slice(2);
if (mode === "floor" || mode === "saker") {
  const result = mode === "floor" ? await floor(file) : await saker(file);
  console.log(JSON.stringify({ ...result, rss: peakRss() }));
} else {
  const dir = mkdtempSync(join(tmpdir(), "saker-bench-parquet-data-"));
  const ion = join(dir, "data.ion");
  try {
    await writeIon(ion);
    const run = (m) => {
      const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), m, ion], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(`${m} run failed: ${r.stderr}`);
      return JSON.parse(r.stdout.trim().split("\n").at(-1));
    };
    const floors = [];
    const sakers = [];
    for (let i = 0; i < RUNS; i++) {
      floors.push(run("floor"));
      sakers.push(run("saker"));
    }
    const f = median(floors.map((r) => r.ms));
    const toParquet = median(sakers.map((r) => r.ionToParquet));
    const toIon = median(sakers.map((r) => r.parquetToIon));
    console.log(
      `serdes Parquet benchmark (${ROWS.toLocaleString("en")} rows of 6 columns, ${CODEC}, median of ${RUNS} runs)`,
    );
    console.log(
      `  readIonLines over the Ion file    ${(f / 1000).toFixed(2)} s   peak RSS ${mb(median(floors.map((r) => r.rss)))} MB`,
    );
    console.log(
      `  IonToParquet                      ${(toParquet / 1000).toFixed(2)} s   (${(toParquet / f).toFixed(2)}× the read)`,
    );
    console.log(
      `  ParquetToIon                      ${(toIon / 1000).toFixed(2)} s   (${(toIon / f).toFixed(2)}× the read)`,
    );
    console.log(`  Parquet file                      ${mb(sakers[0].parquetBytes)} MB`);
    console.log(`  peak RSS of the flow (both)       ${mb(median(sakers.map((r) => r.rss)))} MB`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
