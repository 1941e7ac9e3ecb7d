#!/usr/bin/env node
// Saker side by side with Node.js job queues, in one run on the same machine: BullMQ (Redis
// 127.0.0.1:6379, FlowProducer for the chain), pg-boss and graphile-worker (PostgreSQL
// 127.0.0.1:5432, database `test`, each in its own schema, dropped at the end).
//   burst: 1,000 one-step jobs submitted at once, time until all are done → jobs/s
//          (Saker: 1,000 executions of a one-task flow submitted at once, embedded);
//   chain: 40 dependent steps, each enqueued when the previous one finishes → ms/step
//          (Saker: one execution of a 40-task sequential flow).
// Prints the medians and, for each peer, its speed ÷ Saker's (above 1: the peer is faster), and
// the burst's CPU time per job in all of a system's processes (a peer's own and its server's),
// with the cores that kept busy on average (CPU time ÷ wall time).
// The queues live in bench/peers/ (its own package.json, not a workspace): installed here on
// first use with `npm install --prefix bench/peers`. Part of `npm run bench -- --all` only.
//   node bench/peers.bench.mjs          (after npm run build; BENCH_RUNS=3 runs per figure)
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { caseArgs, fmt, machineLine, median, printTable, report, runCase } from "./lib/harness.mjs";

const FILE = fileURLToPath(import.meta.url);
const HERE = join(FILE, "..");
const PEERS_DIR = join(HERE, "peers");
const ENGINE = join(HERE, "engine.bench.mjs");
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const BURST = 1000;
const CHAIN = 40;

const asCase = caseArgs();
if (asCase) {
  // One peer, `runs` times each workload, in this process.
  const { PEERS } = await import("./peers/peers.mjs");
  const { peer, runs } = asCase.params;
  const bursts = [];
  const chains = [];
  const cpus = [];
  for (let r = 0; r < runs + 1; r++) {
    const { burstMs, chainMs, burstCpu } = await PEERS[peer]({ burst: BURST, chain: CHAIN });
    if (r === 0) continue; // warm-up
    bursts.push(burstMs);
    chains.push(chainMs);
    cpus.push(burstCpu.own + burstCpu.server);
    report("sample", { burstMs, chainMs, burstCpu });
  }
  report("result", { burstMs: median(bursts), chainMs: median(chains), cpuMs: median(cpus) });
  process.exit(0);
}

if (!existsSync(join(PEERS_DIR, "node_modules"))) {
  console.log("bench/peers/node_modules is missing: npm install --prefix bench/peers (once)…");
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const r = spawnSync(npm, ["install", "--prefix", PEERS_DIR, "--no-audit", "--no-fund", "--omit=optional"], {
    stdio: "inherit",
  });
  if (r.status !== 0) {
    console.log("could not install bench/peers; skipped");
    process.exit(1);
  }
}

console.log(
  `peers benchmark: ${BURST.toLocaleString("en-US")}-job burst and ${CHAIN}-step chain, median of ${RUNS} runs after a warm-up; ${await machineLine()}`,
);
const results = {};
const step = async (key, promise) => {
  process.stderr.write(`  ${key}… `);
  const r = await promise;
  process.stderr.write(
    r.timedOut ? `timed out after ${r.timeoutMs / 1000} s\n` : r.error ? "failed\n" : `${fmt(r.seconds)} s\n`,
  );
  results[key] = r;
};
await step("saker burst", runCase(ENGINE, "burst", { count: BURST, runs: RUNS }, 120_000));
await step("saker chain", runCase(ENGINE, "seq", { n: CHAIN, runs: Math.max(RUNS, 5) }, 120_000));
for (const peer of ["bullmq", "pgboss", "graphile"])
  await step(peer, runCase(FILE, "peer", { peer, runs: RUNS }, 180_000, { nodeArgs: [] }));

const sakerBurst = results["saker burst"].result?.ms;
const sakerChain = results["saker chain"].result?.ms;
/** The burst's CPU time per job (ms) and the cores busy on average: "0.150 ms (1.1)". */
const cpuCell = (cpuMs, burstMs) =>
  Number.isFinite(cpuMs) && burstMs ? `${(cpuMs / BURST).toFixed(3)} ms (${fmt(cpuMs / burstMs, 1)})` : "–";
const perSecond = (ms) => (BURST * 1000) / ms;
const label = { bullmq: "BullMQ (Redis)", pgboss: "pg-boss (PostgreSQL)", graphile: "graphile-worker (PostgreSQL)" };
const problem = (r) => (r.timedOut ? `timed out after ${r.timeoutMs / 1000} s` : `failed: ${r.error}`);
const rows = [
  [
    "Saker embedded (SQLite)",
    sakerBurst ? `${fmt(perSecond(sakerBurst), 0)} jobs/s` : problem(results["saker burst"]),
    sakerChain ? `${fmt(sakerChain / CHAIN, 2)} ms/step` : problem(results["saker chain"]),
    cpuCell(results["saker burst"].result?.cpuMs, sakerBurst),
    "1×",
    "1×",
    "",
  ],
];
let ahead = 0;
let compared = 0;
for (const peer of ["bullmq", "pgboss", "graphile"]) {
  const r = results[peer];
  if (!r.result) {
    rows.push([label[peer], problem(r), "", "", "", "", ""]);
    continue;
  }
  const { burstMs, chainMs, cpuMs } = r.result;
  // Speed ratios: above 1, the peer is faster than Saker.
  const burstRatio = sakerBurst / burstMs;
  const chainRatio = sakerChain / chainMs;
  const sakerAhead = burstRatio < 1 && chainRatio < 1;
  compared++;
  if (sakerAhead) ahead++;
  rows.push([
    label[peer],
    `${fmt(perSecond(burstMs), 0)} jobs/s`,
    `${fmt(chainMs / CHAIN, 2)} ms/step`,
    cpuCell(cpuMs, burstMs),
    `${fmt(burstRatio, 2)}×`,
    `${fmt(chainRatio, 2)}×`,
    `${burstRatio < 1 ? "✓" : "✗"} / ${chainRatio < 1 ? "✓" : "✗"}`,
  ]);
}
console.log("");
printTable(
  [
    "",
    "burst",
    "chain",
    "burst CPU per job (cores busy)",
    "burst: peer ÷ Saker",
    "chain: peer ÷ Saker",
    "Saker ahead (burst / chain)",
  ],
  rows,
);
console.log("");
console.log(
  "  ratios are speeds (jobs/s, steps/s): above 1× the peer is faster. Each queue runs 8 handlers (Saker's default" +
    " worker concurrency here). A peer's job counts as done when its handler has returned (BullMQ: its 'completed'" +
    " event), a Saker execution when its end state is committed. CPU per job: the burst's CPU time in all of a" +
    " system's processes (Saker: its one process, every thread; a peer: its Node.js process and its server's" +
    " processes, redis-server or postgres, from /proc), ÷ 1,000; cores busy: that CPU time ÷ the burst's wall time.",
);
console.log(`  Saker ahead of ${ahead} of ${compared} peers on both workloads (goal: all).`);
