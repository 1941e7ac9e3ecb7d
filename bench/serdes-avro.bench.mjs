#!/usr/bin/env node
// Avro benchmark: IonToAvro then AvroToIon of an Ion file of BENCH_ROWS rows (six fields: long,
// string, double, timestamp-millis, decimal, nullable string) through the embedded engine and
// internal storage. Each run is its own process (peak RSS is per process); prints the medians of
// BENCH_RUNS runs: wall time of each task, rows per second, the CPU time of the whole flow (steadier
// than wall time on a shared machine), sizes and peak RSS. Not a test.
// The default is 250,000 rows so that three runs stay under about 30 s on the 2-core machine;
// BENCH_ROWS=1000000 BENCH_RUNS=1 gives the million-row figure.
//   npm run build && node bench/serdes-avro.bench.mjs
import { spawnSync } from "node:child_process";
import { createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROWS = Number(process.env.BENCH_ROWS ?? 250_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const mb = (bytes) => (bytes / 1024 / 1024).toFixed(0);
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const peakRss = () => process.resourceUsage().maxRSS * 1024;

const SCHEMA = {
  type: "record",
  name: "Order",
  fields: [
    { name: "id", type: "long" },
    { name: "name", type: "string" },
    { name: "amount", type: "double" },
    { name: "created_at", type: { type: "long", logicalType: "timestamp-millis" } },
    { name: "price", type: { type: "bytes", logicalType: "decimal", precision: 10, scale: 2 } },
    { name: "note", type: ["null", "string"], default: null },
  ],
};

async function writeIon(file) {
  const out = createWriteStream(file);
  const start = Date.UTC(2024, 0, 1);
  for (let i = 1; i <= ROWS; i++) {
    const at = new Date(start + i * 1000).toISOString();
    const note = i % 3 === 0 ? "null" : `"note ${i}"`;
    const line = `{id:${i},name:"name ${i}",amount:${(i % 100000) / 4}e0,created_at:${at},price:${i % 10000}.${String(i % 100).padStart(2, "0")},note:${note}}\n`;
    if (!out.write(line)) await new Promise((r) => out.once("drain", r));
  }
  await new Promise((r) => out.end(r));
}

/** IonToAvro then AvroToIon in one flow on the embedded engine; the time of each task run. */
async function saker(file) {
  const { loadConfig } = await import("../packages/engine/dist/runtime/config.js");
  const { Instance } = await import("../packages/engine/dist/runtime/instance.js");
  const { coreRegistry } = await import("../packages/engine/dist/runtime/registryLoader.js");
  const { toStoragePath } = await import("../packages/engine/dist/storage/paths.js");
  const serdes = (await import("../plugins/serdes/dist/index.js")).default;
  const home = mkdtempSync(join(tmpdir(), "saker-bench-avro-"));
  const registry = coreRegistry();
  registry.addPlugin({ name: "@saker/plugin-serdes", version: "1.0.0", core: false }, serdes);
  const instance = await Instance.open(loadConfig({ env: {}, overrides: { home }, cwd: home }), { registry });
  try {
    await instance.storage.put("bench/avro/_files/data.ion", file);
    const schema = JSON.stringify(SCHEMA, null, 2)
      .split("\n")
      .map((l) => `      ${l}`)
      .join("\n");
    instance.deploy(`id: convert
namespace: bench.avro
tasks:
  - id: to_avro
    type: io.kestra.plugin.serdes.avro.IonToAvro
    from: kestra:///bench/avro/_files/data.ion
    schema: |
${schema}
  - id: to_ion
    type: io.kestra.plugin.serdes.avro.AvroToIon
    from: "{{ outputs.to_avro.uri }}"
`);
    const cpu = process.cpuUsage();
    const done = await instance.waitForEnd((await instance.createExecution("bench.avro", "convert")).id, 600_000);
    const used = process.cpuUsage(cpu);
    const cpuMs = (used.user + used.system) / 1000;
    if (done.state.current !== "SUCCESS") throw new Error(`the flow ended ${done.state.current}`);
    const run = (id) => done.taskRunList.find((t) => t.taskId === id);
    const ms = (id) => {
      const h = run(id).state.histories;
      const start = h.find((s) => s.state === "RUNNING") ?? h[0];
      return Date.parse(h.at(-1).date) - Date.parse(start.date);
    };
    const size = async (id) => {
      let bytes = 0;
      for await (const c of await instance.storage.get(toStoragePath(run(id).outputs.uri))) bytes += c.length;
      return bytes;
    };
    return {
      toAvro: ms("to_avro"),
      toIon: ms("to_ion"),
      cpuMs,
      avroBytes: await size("to_avro"),
      ionBytes: await size("to_ion"),
    };
  } finally {
    await instance.close();
    rmSync(home, { recursive: true, force: true });
  }
}

const [mode, file] = process.argv.slice(2);
if (mode === "saker") {
  console.log(JSON.stringify({ ...(await saker(file)), rss: peakRss() }));
} else {
  const dir = mkdtempSync(join(tmpdir(), "saker-bench-avro-data-"));
  const ion = join(dir, "data.ion");
  try {
    await writeIon(ion);
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "saker", ion], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(`run failed: ${r.stderr}`);
      runs.push(JSON.parse(r.stdout.trim().split("\n").at(-1)));
    }
    const toAvro = median(runs.map((r) => r.toAvro));
    const toIon = median(runs.map((r) => r.toIon));
    const perSecond = (ms) => Math.round(ROWS / (ms / 1000)).toLocaleString("en");
    console.log(`serdes Avro benchmark (${ROWS.toLocaleString("en")} rows of 6 fields, median of ${RUNS} runs)`);
    console.log(
      `  Ion file ${mb(statSync(ion).size)} MB, Avro file ${mb(runs[0].avroBytes)} MB, Ion written back ${mb(runs[0].ionBytes)} MB`,
    );
    console.log(`  IonToAvro                        ${(toAvro / 1000).toFixed(2)} s   (${perSecond(toAvro)} rows/s)`);
    console.log(`  AvroToIon                        ${(toIon / 1000).toFixed(2)} s   (${perSecond(toIon)} rows/s)`);
    console.log(`  CPU time of the flow (both)      ${(median(runs.map((r) => r.cpuMs)) / 1000).toFixed(2)} s`);
    console.log(`  peak RSS of the flow (both)      ${mb(median(runs.map((r) => r.rss)))} MB`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
