#!/usr/bin/env node
// Excel benchmark: IonToExcel then ExcelToIon of an Ion file of BENCH_ROWS rows (six columns:
// int, string, float, boolean, day timestamp, instant timestamp) through the embedded engine and
// internal storage. Each run is its own process (peak RSS is per process); prints the median time
// of each task over BENCH_RUNS runs, rows per second and the median peak RSS. Not a test.
//   npm run build && node bench/serdes-excel.bench.mjs          (100,000 rows by default)
//   BENCH_ROWS=1000000 BENCH_RUNS=1 node bench/serdes-excel.bench.mjs
import { spawnSync } from "node:child_process";
import { createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

// 100,000 rows by default so that three runs stay under about 40 s on a small machine (exceljs
// converts some 25,000 to 30,000 rows a second each way); memory stays flat, so a million rows
// (BENCH_ROWS=1000000) only takes longer.
const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const mb = (bytes) => (bytes / 1024 / 1024).toFixed(0);
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const peakRss = () => process.resourceUsage().maxRSS * 1024;

async function writeIon(file) {
  const out = createWriteStream(file);
  for (let i = 1; i <= ROWS; i++) {
    const day = `2024-${String((i % 12) + 1).padStart(2, "0")}-${String((i % 28) + 1).padStart(2, "0")}`;
    const line = `{id:${i},name:"name ${i}",amount:${(i % 100000) / 4 + 0.5}e0,ok:${i % 2 === 0},day:${day},at:${day}T10:00:${String(i % 60).padStart(2, "0")}.000Z}\n`;
    if (!out.write(line)) await new Promise((r) => out.once("drain", r));
  }
  await new Promise((r) => out.end(r));
}

async function saker(file) {
  const { loadConfig } = await import("../packages/engine/dist/runtime/config.js");
  const { Instance } = await import("../packages/engine/dist/runtime/instance.js");
  const { coreRegistry } = await import("../packages/engine/dist/runtime/registryLoader.js");
  const { toStoragePath } = await import("../packages/engine/dist/storage/paths.js");
  const serdes = (await import("../plugins/serdes/dist/index.js")).default;
  const home = mkdtempSync(join(tmpdir(), "saker-bench-excel-"));
  const registry = coreRegistry();
  registry.addPlugin({ name: "@saker/plugin-serdes", version: "1.0.0", core: false }, serdes);
  const instance = await Instance.open(loadConfig({ env: {}, overrides: { home }, cwd: home }), { registry });
  try {
    await instance.storage.put("bench/excel/_files/data.ion", file);
    instance.deploy(`id: convert
namespace: bench.excel
tasks:
  - id: to_xlsx
    type: io.kestra.plugin.serdes.excel.IonToExcel
    from: kestra:///bench/excel/_files/data.ion
  - id: to_ion
    type: io.kestra.plugin.serdes.excel.ExcelToIon
    from: "{{ outputs.to_xlsx.uri }}"
`);
    const done = await instance.waitForEnd((await instance.createExecution("bench.excel", "convert")).id, 900_000);
    if (done.state.current !== "SUCCESS") throw new Error(`the flow ended ${done.state.current}`);
    const run = (id) => done.taskRunList.find((t) => t.taskId === id);
    const ms = (id) => {
      const h = run(id).state.histories;
      const start = h.find((s) => s.state === "RUNNING") ?? h[0];
      return Date.parse(h.at(-1).date) - Date.parse(start.date);
    };
    const rowsBack = run("to_ion").outputs.size;
    if (rowsBack !== ROWS) throw new Error(`ExcelToIon read ${rowsBack} rows, not ${ROWS}`);
    const xlsx = await instance.storage.get(toStoragePath(run("to_xlsx").outputs.uri));
    let bytes = 0;
    for await (const c of xlsx) bytes += c.length;
    return { toXlsx: ms("to_xlsx"), toIon: ms("to_ion"), xlsxBytes: bytes };
  } finally {
    await instance.close();
    rmSync(home, { recursive: true, force: true });
  }
}

const [mode, file] = process.argv.slice(2);
if (mode === "saker") {
  const result = await saker(file);
  console.log(JSON.stringify({ ...result, rss: peakRss() }));
} else {
  const dir = mkdtempSync(join(tmpdir(), "saker-bench-excel-data-"));
  const ionFile = join(dir, "data.ion");
  try {
    await writeIon(ionFile);
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "saker", ionFile], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(`run failed: ${r.stderr}`);
      runs.push(JSON.parse(r.stdout.trim().split("\n").at(-1)));
    }
    const toXlsx = median(runs.map((r) => r.toXlsx));
    const toIon = median(runs.map((r) => r.toIon));
    const rate = (ms) => Math.round(ROWS / (ms / 1000)).toLocaleString("en");
    console.log(
      `serdes Excel benchmark (${ROWS.toLocaleString("en")} rows of 6 columns, median of ${RUNS} runs; a small default to stay under ~40 s, BENCH_ROWS=1000000 for a million)`,
    );
    console.log(`  Ion file                  ${mb(statSync(ionFile).size)} MB   xlsx file ${mb(runs[0].xlsxBytes)} MB`);
    console.log(`  IonToExcel                ${(toXlsx / 1000).toFixed(2)} s   (${rate(toXlsx)} rows/s)`);
    console.log(`  ExcelToIon                ${(toIon / 1000).toFixed(2)} s   (${rate(toIon)} rows/s)`);
    console.log(`  peak RSS of the flow      ${mb(median(runs.map((r) => r.rss)))} MB (both tasks, engine included)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
