#!/usr/bin/env node
// Saker on PostgreSQL (issue 16), next to the embedded SQLite backend and graphile-worker on the
// same PostgreSQL server, in one run. Each case runs in its own process on a fresh database
// (created and dropped like packages/engine/src/backend/postgres/testDatabase.ts), and the cases
// are interleaved round after round so that a loaded machine weighs on all of them alike.
//   burst: `count` one-task executions submitted at once → executions/s
//   seq:   one execution of 40 sequential Return tasks → ms, ms/task
//   par:   one execution of 40 Return tasks under a Parallel → ms
// PostgreSQL with 1 worker (executor and worker in this process) and with 2 (plus a worker-only
// process, bench/lib/workerProcess.mjs, on the same database). Goals: ≥ 500 executions/s with 2
// workers, and a per-task cost on PostgreSQL within 3× of SQLite's.
// The PostgreSQL cases count their round trips (every `query` of node-postgres) per execution.
//
//   node bench/postgres.bench.mjs            quick set (1 round, smaller bursts)
//   node bench/postgres.bench.mjs --all      3 rounds (or BENCH_ALL=1; BENCH_ROUNDS=n)
//   BENCH_CASES=pg1,sqlite …                 only the cases whose key contains a word
//   BENCH_COMPARE=/path/to/other/checkout …  also its PostgreSQL cases (built, with this file), interleaved
//   BENCH_PG_STATEMENTS=1 …                  also print the round trips per execution, by statement
// Server: SAKER_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres) for Saker's
// databases, BENCH_PG_URL (default …/test) for graphile-worker's schema. graphile-worker lives in
// bench/peers/ (installed there on first use, as for bench/peers.bench.mjs).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ALL, fmt, machineLine, median, printTable, report, runCase, runCaseIfAsked } from "./lib/harness.mjs";

const FILE = fileURLToPath(import.meta.url);
const HERE = join(FILE, "..");
const PEERS_DIR = join(HERE, "peers");
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (ALL ? 3 : 1));
const BURST = ALL ? 1000 : 500;
const TASKS = 40;
/**
 * Warm-up before the timed runs: one-task executions, then 40-task ones; about 1,000 task runs as in
 * engine.bench.mjs, so that the figures are those of a process past V8's optimizing compiler.
 */
const WARM_SINGLE = 1000;
const WARM_FLOWS = 5;

// ---------------------------------------------------------------------------------------------
// Round trips: every query of node-postgres (a pool's query is its client's), by statement kind.

const trips = { total: 0, byKind: new Map() };
async function countRoundTrips() {
  const { default: pg } = await import("pg");
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function (config, ...rest) {
    const text = typeof config === "string" ? config : config?.text;
    if (typeof text === "string") {
      trips.total++;
      const kind = text.trim().replace(/\s+/g, " ").slice(0, 48);
      trips.byKind.set(kind, (trips.byKind.get(kind) ?? 0) + 1);
    }
    return query.call(this, config, ...rest);
  };
}
const tripsMark = () => ({ total: trips.total, byKind: new Map(trips.byKind) });
function tripsSince(before, executions) {
  const kinds = [...trips.byKind]
    .map(([kind, n]) => [kind, n - (before.byKind.get(kind) ?? 0)])
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([kind, n]) => [kind, n / executions]);
  return { perExecution: (trips.total - before.total) / executions, kinds };
}

// ---------------------------------------------------------------------------------------------
// The cases, each in a child process (`--case name --params json`).

const singleFlow = (s) => s.sequentialFlow("single", 1);
const parallelFlow = (s) =>
  `id: par\nnamespace: bench\ntasks:\n  - id: all\n    type: io.kestra.plugin.core.flow.Parallel\n    tasks:\n${s.returnTasks(TASKS, "      ")}`;

/** Deploys, warms up and times `kind` on an open Saker; reports samples and the result. */
async function measure(saker, lib, { kind, runs, count }) {
  await saker.deploy(singleFlow(lib));
  await saker.deploy(lib.sequentialFlow("seq", TASKS));
  await saker.deploy(parallelFlow(lib));
  await saker.burst("bench", "single", WARM_SINGLE);
  const flow = kind === "par" ? "par" : "seq";
  for (let i = 0; i < WARM_FLOWS; i++) await saker.run("bench", flow);
  const before = tripsMark();
  const cpu = process.cpuUsage();
  const samples = [];
  for (let r = 0; r < runs; r++) {
    const ms = kind === "burst" ? await saker.burst("bench", "single", count) : await saker.run("bench", flow);
    samples.push(ms);
    report("sample", { ms });
  }
  const executions = kind === "burst" ? runs * count : runs;
  const used = process.cpuUsage(cpu);
  return {
    ms: median(samples),
    cpuMs: (used.user + used.system) / 1000 / executions,
    trips: tripsSince(before, executions),
  };
}

const CASES = {
  async sqlite(params) {
    const lib = await import("./lib/saker.mjs");
    const saker = await lib.openSaker(join(process.env.BENCH_TMP, "home"));
    try {
      report("result", await measure(saker, lib, params));
    } finally {
      await saker.close();
    }
  },

  async postgres(params) {
    await countRoundTrips();
    const lib = await import("./lib/saker.mjs");
    const { createTestDatabase } = await import("../packages/engine/dist/backend/postgres/testDatabase.js");
    const database = await createTestDatabase();
    const home = join(process.env.BENCH_TMP, "home");
    mkdirSync(home, { recursive: true });
    const workers = [];
    let saker;
    try {
      // Two executors: this process only creates executions (as a webserver does) and two others
      // each run an executor and a worker, so that steps of one execution can go to either.
      const executors = params.executors ?? 1;
      const roles = executors > 1 ? { executor: false, worker: false, scheduler: false } : {};
      saker = await lib.openSaker(home, { database: { type: "postgres", url: database.url }, roles });
      if (executors > 1) for (let e = 0; e < executors; e++) workers.push(await startWorker(database.url, home, true));
      else for (let w = 1; w < params.workers; w++) workers.push(await startWorker(database.url, home));
      const result = await measure(saker, lib, params);
      // steps redone because another executor wrote their execution meanwhile, over the whole case
      const statuses = [saker.status(), ...(await Promise.all(workers.splice(0).map((w) => w.stop())))];
      const redone = statuses.reduce((sum, s) => sum + (s?.executor?.stepsRedone ?? 0), 0);
      const executions = WARM_SINGLE + WARM_FLOWS + params.runs * (params.kind === "burst" ? params.count : 1);
      report("result", { ...result, redonePerThousand: (redone * 1000) / executions });
    } finally {
      await saker?.close();
      await Promise.all(workers.map((w) => w.stop()));
      await database.drop();
    }
  },

  async graphile({ runs }) {
    const { graphile } = await import("./peers/peers.mjs");
    const samples = [];
    for (let r = 0; r < runs + 1; r++) {
      const { burstMs } = await graphile({ burst: BURST, chain: TASKS });
      if (r === 0) continue; // warm-up
      samples.push(burstMs);
      report("sample", { ms: burstMs });
    }
    report("result", { ms: median(samples) });
  },
};

/**
 * A worker process on the database (with an executor too when `executor`); resolves once its
 * roles run. `stop()` resolves with the status it printed as it closed (undefined if none).
 */
function startWorker(url, home, executor = false) {
  const args = [join(HERE, "lib/workerProcess.mjs"), url, home, ...(executor ? ["executor"] : [])];
  const child = spawn(process.execPath, args, { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  let stdout = "";
  child.stderr.on("data", (d) => (stderr += d));
  const statusOf = () => {
    const line = stdout.split("\n").find((l) => l.startsWith("status "));
    return line ? JSON.parse(line.slice(7)) : undefined;
  };
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`the worker process exited with ${code}: ${stderr}`)));
    child.stdout.on("data", (d) => {
      stdout += d;
      if (!stdout.includes("ready")) return;
      resolve({
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null) return done(statusOf());
            child.once("exit", () => done(statusOf()));
            child.kill("SIGTERM");
            setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
          }),
      });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// The plan and the table.

const RUNS = { burst: ALL ? 3 : 2, seq: ALL ? 5 : 3, par: ALL ? 5 : 3 };
const PLAN = [
  { key: "sqlite burst", name: "sqlite", params: { kind: "burst" } },
  { key: "sqlite seq", name: "sqlite", params: { kind: "seq" } },
  { key: "sqlite par", name: "sqlite", params: { kind: "par" } },
  ...[1, 2].flatMap((workers) =>
    ["burst", "seq", "par"].map((kind) => ({
      key: `pg${workers} ${kind}`,
      name: "postgres",
      params: { kind, workers },
    })),
  ),
  // two processes with an executor and a worker each: how often executors get in each other's way
  ...["burst", "seq"].map((kind) => ({
    key: `pg2e ${kind}`,
    name: "postgres",
    params: { kind, executors: 2 },
  })),
  { key: "graphile", name: "graphile", params: { runs: RUNS.burst } },
].map((c) => ({
  ...c,
  params: { runs: RUNS[c.params.kind], count: BURST, ...c.params },
  timeout: c.name === "graphile" ? 120 : 180,
}));

/** graphile-worker in bench/peers/node_modules, installed on first use; false when it cannot be. */
function peersInstalled() {
  if (existsSync(join(PEERS_DIR, "node_modules", "graphile-worker"))) return true;
  console.log("bench/peers/node_modules is missing: npm install --prefix bench/peers (once)…");
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const r = spawnSync(npm, ["install", "--prefix", PEERS_DIR, "--no-audit", "--no-fund", "--omit=optional"], {
    stdio: "inherit",
  });
  if (r.status === 0) return true;
  console.log("could not install bench/peers: graphile-worker skipped");
  return false;
}

/** "12.3 (11.0–14.1)": the median and the range of the samples. */
const spread = (values, digits = 1) =>
  values.length === 0
    ? "–"
    : `${fmt(median(values), digits)} (${fmt(Math.min(...values), digits)}–${fmt(Math.max(...values), digits)})`;

async function main() {
  if (await runCaseIfAsked(CASES)) return;
  console.log(`PostgreSQL benchmark, ${ROUNDS} round(s) of every case, bursts of ${BURST}; ${await machineLine()}`);
  const only = (process.env.BENCH_CASES ?? "").split(",").filter(Boolean);
  const withPeer = (only.length === 0 || only.some((w) => "graphile".includes(w))) && peersInstalled();
  const selected = PLAN.filter((c) =>
    c.name === "graphile" ? withPeer : only.length === 0 || only.some((w) => c.key.includes(w)),
  );
  // BENCH_COMPARE=<another checkout, built, holding this file>: its PostgreSQL cases run too, interleaved
  const compare = process.env.BENCH_COMPARE;
  const plan = selected.flatMap((c) =>
    compare && c.name === "postgres"
      ? [c, { ...c, key: `base ${c.key}`, file: join(compare, "bench/postgres.bench.mjs") }]
      : [c],
  );
  const samples = new Map(plan.map((c) => [c.key, []]));
  const results = new Map(plan.map((c) => [c.key, []]));
  const problems = new Map();
  const t0 = performance.now();
  for (let round = 1; round <= ROUNDS; round++) {
    for (const c of plan) {
      process.stderr.write(`  round ${round}: ${c.key}… `);
      const r = await runCase(c.file ?? FILE, c.name, c.params, c.timeout * 1000);
      samples.get(c.key).push(...r.samples.map((s) => s.ms));
      if (r.result) results.get(c.key).push(r.result);
      if (!r.result) problems.set(c.key, r.timedOut ? `timed out after ${c.timeout} s` : r.error);
      process.stderr.write(r.timedOut ? `timed out\n` : r.error ? `failed\n` : `${fmt(r.seconds)} s\n`);
    }
  }

  const ms = (key) => samples.get(key) ?? [];
  const perSecond = (key) => ms(key).map((x) => (BURST * 1000) / x);
  const perTask = (key, n) => ms(key).map((x) => x / n);
  const med = (values) => median(values);
  const cell = (key, show) => (ms(key).length ? show(key) : (problems.get(key) ?? "–"));
  const ratio = (pg, sqlite) => (Number.isFinite(pg / sqlite) ? `${fmt(pg / sqlite, 2)}×` : "–");
  const mark = (ok) => (ok ? "✓" : "✗");

  // per-execution cost of the burst (ms of wall time per execution), per task of the sequence
  const burstCost = (key) => 1000 / med(perSecond(key));
  const seqCost = (key) => med(perTask(key, TASKS));
  const rows = [
    [
      `${BURST} one-task executions at once (executions/s)`,
      cell("sqlite burst", (k) => spread(perSecond(k), 0)),
      cell("pg1 burst", (k) => spread(perSecond(k), 0)),
      cell("pg2 burst", (k) => spread(perSecond(k), 0)),
      `${ratio(burstCost("pg1 burst"), burstCost("sqlite burst"))} / ${ratio(burstCost("pg2 burst"), burstCost("sqlite burst"))}`,
      `2 workers ≥ 500/s ${mark(med(perSecond("pg2 burst")) >= 500)}; ≤ 3× ${mark(burstCost("pg1 burst") / burstCost("sqlite burst") <= 3)}`,
    ],
    [
      `${TASKS} sequential Return tasks (ms)`,
      cell("sqlite seq", (k) => spread(ms(k))),
      cell("pg1 seq", (k) => spread(ms(k))),
      cell("pg2 seq", (k) => spread(ms(k))),
      `${ratio(seqCost("pg1 seq"), seqCost("sqlite seq"))} / ${ratio(seqCost("pg2 seq"), seqCost("sqlite seq"))}`,
      `≤ 3× ${mark(seqCost("pg1 seq") / seqCost("sqlite seq") <= 3)}`,
    ],
    [
      "  per task (ms)",
      cell("sqlite seq", (k) => spread(perTask(k, TASKS), 2)),
      cell("pg1 seq", (k) => spread(perTask(k, TASKS), 2)),
      cell("pg2 seq", (k) => spread(perTask(k, TASKS), 2)),
      "",
      "",
    ],
    [
      `${TASKS} Return tasks under Parallel (ms)`,
      cell("sqlite par", (k) => spread(ms(k))),
      cell("pg1 par", (k) => spread(ms(k))),
      cell("pg2 par", (k) => spread(ms(k))),
      `${ratio(med(ms("pg1 par")), med(ms("sqlite par")))} / ${ratio(med(ms("pg2 par")), med(ms("sqlite par")))}`,
      "",
    ],
  ];
  console.log("");
  printTable(["Case", "SQLite", "PostgreSQL, 1 worker", "PostgreSQL, 2 workers", "PG ÷ SQLite (1 / 2)", "Goal"], rows);

  if (plan.some((c) => c.name === "graphile")) {
    const gw = ms("graphile").map((x) => (BURST * 1000) / x);
    const saker2 = med(perSecond("pg2 burst"));
    const saker1 = med(perSecond("pg1 burst"));
    console.log("");
    console.log(
      `  graphile-worker on the same server, ${BURST}-job burst, 8 handlers: ` +
        (gw.length ? `${spread(gw, 0)} jobs/s` : (problems.get("graphile") ?? "–")) +
        `; Saker on PostgreSQL ÷ graphile-worker: 1 worker ${ratio(saker1, med(gw))}, 2 workers ${ratio(saker2, med(gw))}` +
        " (a job is one handler call; a Saker execution is created, run and ended in the database)",
    );
  }

  if (plan.some((c) => c.key.startsWith("pg2e"))) {
    const redone = (key) => {
      const rs = results.get(key) ?? [];
      return rs.length ? fmt(med(rs.map((r) => r.redonePerThousand)), 1) : "–";
    };
    console.log("");
    console.log(
      "  Two executors (two processes with an executor and a worker each; a third creates the executions): " +
        `burst ${cell("pg2e burst", (k) => spread(perSecond(k), 0))}/s, ` +
        `${TASKS} sequential tasks ${cell("pg2e seq", (k) => spread(ms(k)))} ms; steps redone per 1,000 executions ` +
        `(another executor wrote the execution meanwhile, warm-up included): burst case ${redone("pg2e burst")}, ` +
        `sequential case ${redone("pg2e seq")} (one executor: ${redone("pg2 burst")} / ${redone("pg2 seq")})`,
    );
  }

  if (compare) {
    console.log("");
    console.log(`  this checkout against ${compare} (BENCH_COMPARE), same run, interleaved:`);
    const compared = [];
    for (const c of selected.filter((x) => x.name === "postgres")) {
      const now = med(ms(c.key));
      const base = med(ms(`base ${c.key}`));
      const show = c.params.kind === "burst" ? (x) => `${fmt((BURST * 1000) / x, 0)}/s` : (x) => `${fmt(x)} ms`;
      compared.push([c.key, show(base), show(now), ratio(base, now)]);
    }
    printTable(["", "base", "this", "speed-up"], compared);
  }
  console.log("");
  console.log(
    "  CPU time of the executor's process per execution (ms; holds better than wall time on a loaded machine):",
  );
  for (const [key, list] of results) {
    // (the two-executor cases run no executor in the measured process)
    if (key === "graphile" || key.includes("pg2e") || !list.length) continue;
    console.log(`    ${key}: ${fmt(median(list.map((r) => r.cpuMs)), 2)}`);
  }
  console.log("");
  console.log("  PostgreSQL round trips (queries of node-postgres in the executor's process, warm-up excluded):");
  for (const key of ["pg1 burst", "pg1 seq", "pg1 par", "pg2 burst", "pg2 seq", "pg2 par"].flatMap((k) => [
    k,
    `base ${k}`,
  ])) {
    const rs = results.get(key) ?? [];
    if (!rs.length) continue;
    const per = med(rs.map((r) => r.trips.perExecution));
    const tasks = key.endsWith("burst") ? 1 : TASKS;
    console.log(`    ${key}: ${fmt(per, 2)} per execution, ${fmt(per / tasks, 2)} per task`);
    if (process.env.BENCH_PG_STATEMENTS === "1")
      for (const [kind, n] of rs[0].trips.kinds) console.log(`      ${fmt(n, 2).padStart(7)}  ${kind}`);
  }
  console.log(
    `\n  medians (min–max) over ${ROUNDS} round(s); ratios are PostgreSQL's time per execution or per task ÷ SQLite's; ` +
      `${plan.length * ROUNDS} cases in ${fmt((performance.now() - t0) / 1000)} s`,
  );
}

await main();
