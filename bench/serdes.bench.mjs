#!/usr/bin/env node
// Serdes benchmark: CsvToIon and IonToCsv of a 1,000,000-row CSV file (five columns) through the
// embedded engine and internal storage, against the floor of a plain csv-parse → csv-stringify
// pipe on the same file. Each measurement runs in its own process (peak RSS is per process);
// prints medians of BENCH_RUNS runs and the ratio to the floor. Not a test.
//   npm run build && node bench/serdes.bench.mjs
import { createReadStream, createWriteStream } from "node:fs";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import * as bench from "./serdesSupport.mjs";

const ROWS = bench.rowsFromEnv(1_000_000);
const RUNS = bench.runsFromEnv(3);

/** The floor: parse the CSV and write it again, no Ion and no engine. */
async function floor(file) {
  const { parse } = await import("csv-parse");
  const { stringify } = await import("csv-stringify");
  const started = performance.now();
  await pipeline(createReadStream(file), parse(), stringify(), createWriteStream(`${file}.floor.csv`));
  return { ms: performance.now() - started };
}

/** CsvToIon then IonToCsv in one flow on the embedded engine. */
async function saker(file) {
  const { ms } = await bench.runFlow({
    namespace: "bench.serdes",
    storagePath: "bench/serdes/_files/data.csv",
    file,
    flow: `id: convert
namespace: bench.serdes
tasks:
  - id: to_ion
    type: io.kestra.plugin.serdes.csv.CsvToIon
    from: kestra:///bench/serdes/_files/data.csv
  - id: to_csv
    type: io.kestra.plugin.serdes.csv.IonToCsv
    from: "{{ outputs.to_ion.uri }}"
`,
  });
  return { csvToIon: ms.to_ion, ionToCsv: ms.to_csv };
}

if (!(await bench.childMeasure({ floor, saker })))
  await bench.withDataDir(async (dir) => {
    const csv = join(dir, "data.csv");
    await bench.writeLines(
      csv,
      ROWS,
      (i) =>
        `${i},name ${i},${(i % 100000) / 4},2024-01-01T00:00:${String(i % 60).padStart(2, "0")},"a, ""quoted"" note"\n`,
      { head: "id,name,amount,created_at,note\n" },
    );
    const runs = bench.measureRuns(
      import.meta.url,
      [
        ["floor", csv],
        ["saker", csv],
      ],
      RUNS,
    );
    const f = bench.median(runs.floor.map((r) => r.ms));
    const toIon = bench.median(runs.saker.map((r) => r.csvToIon));
    const toCsv = bench.median(runs.saker.map((r) => r.ionToCsv));
    console.log(`serdes benchmark (${ROWS.toLocaleString("en")} rows of 5 columns, median of ${RUNS} runs)`);
    console.log(
      `  csv-parse → csv-stringify pipe   ${bench.seconds(f)}   peak RSS ${bench.mb(bench.median(runs.floor.map((r) => r.rss)))} MB`,
    );
    console.log(`  CsvToIon                         ${bench.seconds(toIon)}   (${(toIon / f).toFixed(2)}× the pipe)`);
    console.log(`  IonToCsv                         ${bench.seconds(toCsv)}   (${(toCsv / f).toFixed(2)}× the pipe)`);
    console.log(`  peak RSS of the flow (both)      ${bench.mb(bench.median(runs.saker.map((r) => r.rss)))} MB`);
  });
