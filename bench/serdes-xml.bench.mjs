#!/usr/bin/env node
// Serdes XML benchmark: IonToXml then XmlToIon (`query: /items/item`) of a 1,000,000-record Ion
// file (five fields) through the embedded engine and internal storage, against the floor of a
// bare saxes pass over the same XML (no records built, nothing written). Each measurement runs in
// its own process (peak RSS is per process); prints medians of BENCH_RUNS runs (default 1: one
// run takes about 40 s on a 2-core machine; BENCH_ROWS=200000 for a quicker look) and the CPU time
// of the flow, steadier than wall time on a shared machine. Not a test.
//   npm run build && node bench/serdes-xml.bench.mjs
import { spawnSync } from "node:child_process";
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 1);
const mb = (bytes) => (bytes / 1024 / 1024).toFixed(0);
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const peakRss = () => process.resourceUsage().maxRSS * 1024;

async function writeFiles(ionFile, xmlFile) {
  const ion = createWriteStream(ionFile);
  const xml = createWriteStream(xmlFile);
  xml.write("<?xml version='1.0' encoding='UTF-8'?>\n<items>\n");
  for (let i = 1; i <= ROWS; i++) {
    const amount = (i % 100000) / 4;
    const at = `2024-01-01T00:00:${String(i % 60).padStart(2, "0")}`;
    const ok = ion.write(`{id:${i},name:"name ${i}",amount:${amount}e0,created_at:"${at}",note:"a <b> & \\"c\\""}\n`);
    const ok2 = xml.write(
      `  <item>\n    <id>${i}</id>\n    <name>name ${i}</name>\n    <amount>${amount}</amount>\n    <created_at>${at}</created_at>\n    <note>a &lt;b&gt; &amp; "c"</note>\n  </item>\n`,
    );
    if (!ok) await new Promise((r) => ion.once("drain", r));
    if (!ok2) await new Promise((r) => xml.once("drain", r));
  }
  xml.write("</items>\n");
  await Promise.all([new Promise((r) => ion.end(r)), new Promise((r) => xml.end(r))]);
}

/** The floor: saxes over the XML file, handlers counting elements only. */
async function floor(xmlFile) {
  const { SaxesParser } = await import("saxes");
  const started = performance.now();
  const parser = new SaxesParser();
  let elements = 0;
  parser.on("opentag", () => elements++);
  const stream = createReadStream(xmlFile, { encoding: "utf8", highWaterMark: 65_536 });
  for await (const chunk of stream) parser.write(chunk);
  parser.close();
  if (elements !== ROWS * 6 + 1) throw new Error(`saw ${elements} elements`);
  return { ms: performance.now() - started };
}

/** IonToXml then XmlToIon in one flow on the embedded engine; the time of each task run. */
async function saker(ionFile) {
  const { loadConfig } = await import("../packages/engine/dist/runtime/config.js");
  const { Instance } = await import("../packages/engine/dist/runtime/instance.js");
  const { coreRegistry } = await import("../packages/engine/dist/runtime/registryLoader.js");
  const serdes = (await import("../plugins/serdes/dist/index.js")).default;
  const home = mkdtempSync(join(tmpdir(), "saker-bench-serdes-xml-"));
  const registry = coreRegistry();
  registry.addPlugin({ name: "@saker/plugin-serdes", version: "1.0.0", core: false }, serdes);
  const instance = await Instance.open(loadConfig({ env: {}, overrides: { home }, cwd: home }), { registry });
  try {
    await instance.storage.put("bench/serdes/_files/data.ion", ionFile);
    instance.deploy(`id: convert
namespace: bench.serdes
tasks:
  - id: to_xml
    type: io.kestra.plugin.serdes.xml.IonToXml
    from: kestra:///bench/serdes/_files/data.ion
  - id: to_ion
    type: io.kestra.plugin.serdes.xml.XmlToIon
    from: "{{ outputs.to_xml.uri }}"
    query: /items/item
`);
    const cpuBefore = process.cpuUsage();
    const done = await instance.waitForEnd((await instance.createExecution("bench.serdes", "convert")).id, 600_000);
    const cpu = process.cpuUsage(cpuBefore);
    if (done.state.current !== "SUCCESS") throw new Error(`the flow ended ${done.state.current}`);
    const ms = (id) => {
      const h = done.taskRunList.find((t) => t.taskId === id).state.histories;
      const start = h.find((s) => s.state === "RUNNING") ?? h[0];
      return Date.parse(h.at(-1).date) - Date.parse(start.date);
    };
    return { ionToXml: ms("to_xml"), xmlToIon: ms("to_ion"), cpu: (cpu.user + cpu.system) / 1000 };
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
  const dir = mkdtempSync(join(tmpdir(), "saker-bench-serdes-xml-data-"));
  const ionFile = join(dir, "data.ion");
  const xmlFile = join(dir, "data.xml");
  try {
    await writeFiles(ionFile, xmlFile);
    const run = (m, f) => {
      const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), m, f], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(`${m} run failed: ${r.stderr}`);
      return JSON.parse(r.stdout.trim().split("\n").at(-1));
    };
    const floors = [];
    const sakers = [];
    for (let i = 0; i < RUNS; i++) {
      floors.push(run("floor", xmlFile));
      sakers.push(run("saker", ionFile));
    }
    const f = median(floors.map((r) => r.ms));
    const toXml = median(sakers.map((r) => r.ionToXml));
    const toIon = median(sakers.map((r) => r.xmlToIon));
    console.log(`serdes XML benchmark (${ROWS.toLocaleString("en")} records of 5 fields, median of ${RUNS} runs)`);
    console.log(
      `  bare saxes pass over the XML     ${(f / 1000).toFixed(2)} s   peak RSS ${mb(median(floors.map((r) => r.rss)))} MB`,
    );
    console.log(`  IonToXml                         ${(toXml / 1000).toFixed(2)} s`);
    console.log(
      `  XmlToIon (query /items/item)     ${(toIon / 1000).toFixed(2)} s   (${(toIon / f).toFixed(2)}× the saxes pass)`,
    );
    console.log(`  CPU time of the flow (both)      ${(median(sakers.map((r) => r.cpu)) / 1000).toFixed(2)} s`);
    console.log(`  peak RSS of the flow (both)      ${mb(median(sakers.map((r) => r.rss)))} MB`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
