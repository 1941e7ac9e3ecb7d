#!/usr/bin/env node
// Serdes XML benchmark: IonToXml then XmlToIon (`query: /items/item`) of a 1,000,000-record Ion
// file (five fields) through the embedded engine and internal storage, against the floor of a
// bare saxes pass over the same XML (no records built, nothing written). Each measurement runs in
// its own process (peak RSS is per process); prints medians of BENCH_RUNS runs (default 1: one
// run takes about 40 s on a 2-core machine; BENCH_ROWS=200000 for a quicker look) and the CPU time
// of the flow, steadier than wall time on a shared machine. Not a test.
//   npm run build && node bench/serdes-xml.bench.mjs
import { createReadStream } from "node:fs";
import { join } from "node:path";
import * as bench from "./serdesSupport.mjs";

const ROWS = bench.rowsFromEnv(1_000_000);
const RUNS = bench.runsFromEnv(1);

const amountOf = (i) => (i % 100000) / 4;
const atOf = (i) => `2024-01-01T00:00:${String(i % 60).padStart(2, "0")}`;

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

/** IonToXml then XmlToIon in one flow on the embedded engine. */
async function saker(ionFile) {
  const { ms, cpuMs } = await bench.runFlow({
    namespace: "bench.serdes",
    storagePath: "bench/serdes/_files/data.ion",
    file: ionFile,
    flow: `id: convert
namespace: bench.serdes
tasks:
  - id: to_xml
    type: io.kestra.plugin.serdes.xml.IonToXml
    from: kestra:///bench/serdes/_files/data.ion
  - id: to_ion
    type: io.kestra.plugin.serdes.xml.XmlToIon
    from: "{{ outputs.to_xml.uri }}"
    query: /items/item
`,
  });
  return { ionToXml: ms.to_xml, xmlToIon: ms.to_ion, cpu: cpuMs };
}

if (!(await bench.childMeasure({ floor, saker })))
  await bench.withDataDir(async (dir) => {
    const ionFile = join(dir, "data.ion");
    const xmlFile = join(dir, "data.xml");
    await bench.writeLines(
      ionFile,
      ROWS,
      (i) => `{id:${i},name:"name ${i}",amount:${amountOf(i)}e0,created_at:"${atOf(i)}",note:"a <b> & \\"c\\""}\n`,
    );
    await bench.writeLines(
      xmlFile,
      ROWS,
      (i) =>
        `  <item>\n    <id>${i}</id>\n    <name>name ${i}</name>\n    <amount>${amountOf(i)}</amount>\n    <created_at>${atOf(i)}</created_at>\n    <note>a &lt;b&gt; &amp; "c"</note>\n  </item>\n`,
      { head: "<?xml version='1.0' encoding='UTF-8'?>\n<items>\n", tail: "</items>\n" },
    );
    const runs = bench.measureRuns(
      import.meta.url,
      [
        ["floor", xmlFile],
        ["saker", ionFile],
      ],
      RUNS,
    );
    const f = bench.median(runs.floor.map((r) => r.ms));
    const toXml = bench.median(runs.saker.map((r) => r.ionToXml));
    const toIon = bench.median(runs.saker.map((r) => r.xmlToIon));
    console.log(`serdes XML benchmark (${ROWS.toLocaleString("en")} records of 5 fields, median of ${RUNS} runs)`);
    console.log(
      `  bare saxes pass over the XML     ${bench.seconds(f)}   peak RSS ${bench.mb(bench.median(runs.floor.map((r) => r.rss)))} MB`,
    );
    console.log(`  IonToXml                         ${bench.seconds(toXml)}`);
    console.log(
      `  XmlToIon (query /items/item)     ${bench.seconds(toIon)}   (${(toIon / f).toFixed(2)}× the saxes pass)`,
    );
    console.log(`  CPU time of the flow (both)      ${bench.seconds(bench.median(runs.saker.map((r) => r.cpu)))}`);
    console.log(`  peak RSS of the flow (both)      ${bench.mb(bench.median(runs.saker.map((r) => r.rss)))} MB`);
  });
