#!/usr/bin/env node
// Parquet benchmark: IonToParquet then ParquetToIon of an Ion file of six columns (long, string,
// double, timestamp, decimal, boolean), 250,000 rows by default (BENCH_ROWS=1000000 for a million:
// about two minutes a run on the shared 2-core machine), through the embedded engine and internal
// storage. The floor is reading the same Ion file with readIonLines alone (no Parquet, no engine).
// Each measurement runs in its own process (peak RSS is per process); prints medians of
// BENCH_RUNS runs. Not a test.
//   npm run build && node bench/serdes-parquet.bench.mjs
import { createReadStream } from "node:fs";
import { join } from "node:path";
import * as bench from "./serdesSupport.mjs";

const ROWS = bench.rowsFromEnv(250_000);
const RUNS = bench.runsFromEnv(3);
const CODEC = process.env.BENCH_CODEC ?? "SNAPPY";

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

const lineOf = (i) =>
  `{id:${i},name:"name ${i % 5000}",amount:${(i % 100000) / 4}e0,created_at:2024-01-01T00:00:${String(i % 60).padStart(2, "0")}.000Z,price:${i % 10 === 0 ? "null" : `${i % 100000}.${String(i % 100).padStart(2, "0")}`},ok:${i % 2 === 0}}\n`;

/** The floor: read the Ion file, nothing else. */
async function floor(file) {
  const { readIonLines } = await import("../packages/sdk/dist/ion.js");
  const started = performance.now();
  let n = 0;
  for await (const _ of readIonLines(createReadStream(file))) n++;
  if (n !== ROWS) throw new Error(`read ${n} rows`);
  return { ms: performance.now() - started };
}

/** IonToParquet then ParquetToIon in one flow on the embedded engine. */
async function saker(file) {
  const { ms, bytes } = await bench.runFlow({
    namespace: "bench.parquet",
    storagePath: "bench/parquet/_files/data.ion",
    file,
    flow: `id: convert
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
`,
  });
  return { ionToParquet: ms.to_parquet, parquetToIon: ms.to_ion, parquetBytes: bytes.to_parquet };
}

if (!(await bench.childMeasure({ floor, saker })))
  await bench.withDataDir(async (dir) => {
    const ion = join(dir, "data.ion");
    await bench.writeLines(ion, ROWS, lineOf);
    const runs = bench.measureRuns(
      import.meta.url,
      [
        ["floor", ion],
        ["saker", ion],
      ],
      RUNS,
    );
    const f = bench.median(runs.floor.map((r) => r.ms));
    const toParquet = bench.median(runs.saker.map((r) => r.ionToParquet));
    const toIon = bench.median(runs.saker.map((r) => r.parquetToIon));
    console.log(
      `serdes Parquet benchmark (${ROWS.toLocaleString("en")} rows of 6 columns, ${CODEC}, median of ${RUNS} runs)`,
    );
    console.log(
      `  readIonLines over the Ion file    ${bench.seconds(f)}   peak RSS ${bench.mb(bench.median(runs.floor.map((r) => r.rss)))} MB`,
    );
    console.log(
      `  IonToParquet                      ${bench.seconds(toParquet)}   (${(toParquet / f).toFixed(2)}× the read)`,
    );
    console.log(`  ParquetToIon                      ${bench.seconds(toIon)}   (${(toIon / f).toFixed(2)}× the read)`);
    console.log(`  Parquet file                      ${bench.mb(runs.saker[0].parquetBytes)} MB`);
    console.log(`  peak RSS of the flow (both)       ${bench.mb(bench.median(runs.saker.map((r) => r.rss)))} MB`);
  });
