#!/usr/bin/env node
// Serdes benchmark: CsvToIon and IonToCsv of a 1,000,000-row CSV file (five columns) through the
// embedded engine and internal storage, against the floor of a plain csv-parse → csv-stringify
// pipe on the same file. Each measurement runs in its own process (peak RSS is per process);
// prints medians of BENCH_RUNS runs and the ratio to the floor. Not a test.
//   npm run build && node bench/serdes.bench.mjs
import { spawnSync } from "node:child_process";
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const mb = (bytes) => (bytes / 1024 / 1024).toFixed(0);
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const peakRss = () => process.resourceUsage().maxRSS * 1024;

async function writeCsv(file) {
  const out = createWriteStream(file);
  out.write("id,name,amount,created_at,note\n");
  for (let i = 1; i <= ROWS; i++) {
    const line = `${i},name ${i},${(i % 100000) / 4},2024-01-01T00:00:${String(i % 60).padStart(2, "0")},"a, ""quoted"" note"\n`;
    if (!out.write(line)) await new Promise((r) => out.once("drain", r));
  }
  await new Promise((r) => out.end(r));
}

/** The floor: parse the CSV and write it again, no Ion and no engine. */
async function floor(file) {
  const { parse } = await import("csv-parse");
  const { stringify } = await import("csv-stringify");
  const started = performance.now();
  await pipeline(createReadStream(file), parse(), stringify(), createWriteStream(`${file}.floor.csv`));
  return { ms: performance.now() - started };
}

/** CsvToIon then IonToCsv in one flow on the embedded engine; the time of each task run. */
async function saker(file) {
  const { loadConfig } = await import("../packages/engine/dist/runtime/config.js");
  const { Instance } = await import("../packages/engine/dist/runtime/instance.js");
  const { coreRegistry } = await import("../packages/engine/dist/runtime/registryLoader.js");
  const serdes = (await import("../plugins/serdes/dist/index.js")).default;
  const home = mkdtempSync(join(tmpdir(), "saker-bench-serdes-"));
  const registry = coreRegistry();
  registry.addPlugin({ name: "@saker/plugin-serdes", version: "1.0.0", core: false }, serdes);
  const instance = await Instance.open(loadConfig({ env: {}, overrides: { home }, cwd: home }), { registry });
  try {
    await instance.storage.put("bench/serdes/_files/data.csv", file);
    instance.deploy(`id: convert
namespace: bench.serdes
tasks:
  - id: to_ion
    type: io.kestra.plugin.serdes.csv.CsvToIon
    from: kestra:///bench/serdes/_files/data.csv
  - id: to_csv
    type: io.kestra.plugin.serdes.csv.IonToCsv
    from: "{{ outputs.to_ion.uri }}"
`);
    const done = await instance.waitForEnd((await instance.createExecution("bench.serdes", "convert")).id, 600_000);
    if (done.state.current !== "SUCCESS") throw new Error(`the flow ended ${done.state.current}`);
    const ms = (id) => {
      const h = done.taskRunList.find((t) => t.taskId === id).state.histories;
      const start = h.find((s) => s.state === "RUNNING") ?? h[0];
      return Date.parse(h.at(-1).date) - Date.parse(start.date);
    };
    return { csvToIon: ms("to_ion"), ionToCsv: ms("to_csv") };
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
  const dir = mkdtempSync(join(tmpdir(), "saker-bench-serdes-data-"));
  const csv = join(dir, "data.csv");
  try {
    await writeCsv(csv);
    const run = (m) => {
      const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), m, csv], { encoding: "utf8" });
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
    const toIon = median(sakers.map((r) => r.csvToIon));
    const toCsv = median(sakers.map((r) => r.ionToCsv));
    console.log(`serdes benchmark (${ROWS.toLocaleString("en")} rows of 5 columns, median of ${RUNS} runs)`);
    console.log(
      `  csv-parse → csv-stringify pipe   ${(f / 1000).toFixed(2)} s   peak RSS ${mb(median(floors.map((r) => r.rss)))} MB`,
    );
    console.log(
      `  CsvToIon                         ${(toIon / 1000).toFixed(2)} s   (${(toIon / f).toFixed(2)}× the pipe)`,
    );
    console.log(
      `  IonToCsv                         ${(toCsv / 1000).toFixed(2)} s   (${(toCsv / f).toFixed(2)}× the pipe)`,
    );
    console.log(`  peak RSS of the flow (both)      ${mb(median(sakers.map((r) => r.rss)))} MB`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
