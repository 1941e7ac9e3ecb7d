#!/usr/bin/env node
// Avro benchmark: IonToAvro then AvroToIon of an Ion file of BENCH_ROWS rows (six fields: long,
// string, double, timestamp-millis, decimal, nullable string) through the embedded engine and
// internal storage. Each run is its own process (peak RSS is per process); prints the medians of
// BENCH_RUNS runs: wall time of each task, rows per second, the CPU time of the whole flow (steadier
// than wall time on a shared machine), sizes and peak RSS. Not a test.
// The default is 250,000 rows so that three runs stay under about 30 s on the 2-core machine;
// BENCH_ROWS=1000000 BENCH_RUNS=1 gives the million-row figure.
//   npm run build && node bench/serdes-avro.bench.mjs
import { statSync } from "node:fs";
import { join } from "node:path";
import * as bench from "./serdesSupport.mjs";

const ROWS = bench.rowsFromEnv(250_000);
const RUNS = bench.runsFromEnv(3);

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

const START = Date.UTC(2024, 0, 1);
const lineOf = (i) => {
  const at = new Date(START + i * 1000).toISOString();
  const note = i % 3 === 0 ? "null" : `"note ${i}"`;
  return `{id:${i},name:"name ${i}",amount:${(i % 100000) / 4}e0,created_at:${at},price:${i % 10000}.${String(i % 100).padStart(2, "0")},note:${note}}\n`;
};

/** IonToAvro then AvroToIon in one flow on the embedded engine. */
async function saker(file) {
  const schema = JSON.stringify(SCHEMA, null, 2)
    .split("\n")
    .map((l) => `      ${l}`)
    .join("\n");
  const { ms, bytes, cpuMs } = await bench.runFlow({
    namespace: "bench.avro",
    storagePath: "bench/avro/_files/data.ion",
    file,
    flow: `id: convert
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
`,
  });
  return { toAvro: ms.to_avro, toIon: ms.to_ion, cpuMs, avroBytes: bytes.to_avro, ionBytes: bytes.to_ion };
}

if (!(await bench.childMeasure({ saker })))
  await bench.withDataDir(async (dir) => {
    const ion = join(dir, "data.ion");
    await bench.writeLines(ion, ROWS, lineOf);
    const runs = bench.measureRuns(import.meta.url, [["saker", ion]], RUNS).saker;
    const toAvro = bench.median(runs.map((r) => r.toAvro));
    const toIon = bench.median(runs.map((r) => r.toIon));
    console.log(`serdes Avro benchmark (${ROWS.toLocaleString("en")} rows of 6 fields, median of ${RUNS} runs)`);
    console.log(
      `  Ion file ${bench.mb(statSync(ion).size)} MB, Avro file ${bench.mb(runs[0].avroBytes)} MB, Ion written back ${bench.mb(runs[0].ionBytes)} MB`,
    );
    console.log(
      `  IonToAvro                        ${bench.seconds(toAvro)}   (${bench.perSecond(ROWS, toAvro)} rows/s)`,
    );
    console.log(
      `  AvroToIon                        ${bench.seconds(toIon)}   (${bench.perSecond(ROWS, toIon)} rows/s)`,
    );
    console.log(`  CPU time of the flow (both)      ${bench.seconds(bench.median(runs.map((r) => r.cpuMs)))}`);
    console.log(`  peak RSS of the flow (both)      ${bench.mb(bench.median(runs.map((r) => r.rss)))} MB`);
  });
