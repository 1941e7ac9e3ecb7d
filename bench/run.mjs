#!/usr/bin/env node
// Runs the benchmarks. Benchmarks import the built packages (dist/), so `npm run build` first
// (npm ci does it).
//   npm run bench                 the quick regression set: bench/engine.bench.mjs at reduced
//                                 runs and sizes, each case under a time limit (< 2 min)
//   npm run bench -- --all        every bench/*.bench.mjs at full size (also: npm run bench:all),
//                                 the peers (bench/peers.bench.mjs, installed on first use) and
//                                 PostgreSQL (bench/postgres.bench.mjs, docs/postgres-bench.md) included
//   npm run bench -- serdes       the files whose name contains a word (full size with --all)
//   npm run bench -- --list       the files a run would start, and nothing else
import { readdirSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const all = args.includes("--all") || process.env.BENCH_ALL === "1";
const filter = args.filter((a) => !a.startsWith("--"));
/** The quick set: what `npm run bench` runs without --all or a filter. */
const QUICK = ["engine.bench.mjs"];
const files = readdirSync(here)
  .filter((f) => f.endsWith(".bench.mjs"))
  .filter((f) => (filter.length ? filter.some((x) => f.includes(x)) : all || QUICK.includes(f)))
  .sort();
if (args.includes("--list")) {
  console.log(files.join("\n"));
  process.exit(0);
}
const started = performance.now();
let failed = 0;
for (const f of files) {
  console.log(`\n## ${f}`);
  const r = spawnSync(process.execPath, ["--expose-gc", join(here, f)], {
    stdio: "inherit",
    env: { ...process.env, ...(all ? { BENCH_ALL: "1" } : {}) },
  });
  if (r.status !== 0) failed++;
}
console.log(
  `\n${files.length} benchmark file(s) in ${((performance.now() - started) / 1000).toFixed(0)} s` +
    (all ? "" : " (quick set; npm run bench -- --all for every benchmark at full size)"),
);
process.exit(failed ? 1 : 0);
