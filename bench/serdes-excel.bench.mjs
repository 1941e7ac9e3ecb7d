#!/usr/bin/env node
// Excel benchmark: IonToExcel then ExcelToIon of an Ion file of BENCH_ROWS rows (six columns:
// int, string, float, boolean, day timestamp, instant timestamp) through the embedded engine and
// internal storage. Each run is its own process (peak RSS is per process); prints the median time
// of each task over BENCH_RUNS runs, rows per second and the median peak RSS. Not a test.
//   npm run build && node bench/serdes-excel.bench.mjs          (100,000 rows by default)
//   BENCH_ROWS=1000000 BENCH_RUNS=1 node bench/serdes-excel.bench.mjs
import { statSync } from "node:fs";
import { join } from "node:path";
import * as bench from "./serdesSupport.mjs";

// 100,000 rows by default so that three runs stay under about 40 s on a small machine (exceljs
// converts some 25,000 to 30,000 rows a second each way); memory stays flat, so a million rows
// (BENCH_ROWS=1000000) only takes longer.
const ROWS = bench.rowsFromEnv(100_000);
const RUNS = bench.runsFromEnv(3);

const lineOf = (i) => {
  const day = `2024-${String((i % 12) + 1).padStart(2, "0")}-${String((i % 28) + 1).padStart(2, "0")}`;
  return `{id:${i},name:"name ${i}",amount:${(i % 100000) / 4 + 0.5}e0,ok:${i % 2 === 0},day:${day},at:${day}T10:00:${String(i % 60).padStart(2, "0")}.000Z}\n`;
};

/** IonToExcel then ExcelToIon in one flow on the embedded engine. */
async function saker(file) {
  const { ms, outputs, bytes } = await bench.runFlow({
    namespace: "bench.excel",
    storagePath: "bench/excel/_files/data.ion",
    file,
    flow: `id: convert
namespace: bench.excel
tasks:
  - id: to_xlsx
    type: io.kestra.plugin.serdes.excel.IonToExcel
    from: kestra:///bench/excel/_files/data.ion
  - id: to_ion
    type: io.kestra.plugin.serdes.excel.ExcelToIon
    from: "{{ outputs.to_xlsx.uri }}"
`,
  });
  if (outputs.to_ion.size !== ROWS) throw new Error(`ExcelToIon read ${outputs.to_ion.size} rows, not ${ROWS}`);
  return { toXlsx: ms.to_xlsx, toIon: ms.to_ion, xlsxBytes: bytes.to_xlsx };
}

if (!(await bench.childMeasure({ saker })))
  await bench.withDataDir(async (dir) => {
    const ionFile = join(dir, "data.ion");
    await bench.writeLines(ionFile, ROWS, lineOf);
    const runs = bench.measureRuns(import.meta.url, [["saker", ionFile]], RUNS).saker;
    const toXlsx = bench.median(runs.map((r) => r.toXlsx));
    const toIon = bench.median(runs.map((r) => r.toIon));
    console.log(
      `serdes Excel benchmark (${ROWS.toLocaleString("en")} rows of 6 columns, median of ${RUNS} runs; a small default to stay under ~40 s, BENCH_ROWS=1000000 for a million)`,
    );
    console.log(
      `  Ion file                  ${bench.mb(statSync(ionFile).size)} MB   xlsx file ${bench.mb(runs[0].xlsxBytes)} MB`,
    );
    console.log(`  IonToExcel                ${bench.seconds(toXlsx)}   (${bench.perSecond(ROWS, toXlsx)} rows/s)`);
    console.log(`  ExcelToIon                ${bench.seconds(toIon)}   (${bench.perSecond(ROWS, toIon)} rows/s)`);
    console.log(
      `  peak RSS of the flow      ${bench.mb(bench.median(runs.map((r) => r.rss)))} MB (both tasks, engine included)`,
    );
  });
