#!/usr/bin/env node
// Engine regression benchmark (issue 14's goals), end to end from submission to final state on
// the embedded backend (SQLite file + local storage, executor and workers in one process), and
// through the REST API of a real `saker server local` child process. Prints a table of medians
// with the goal, the floor and ✓/✗ beside each figure. Not a test: it exits 0 whatever the figures.
//
//   node bench/engine.bench.mjs          quick set (default; reduced runs and sizes, < 2 min)
//   node bench/engine.bench.mjs --all    every case at full size (or BENCH_ALL=1)
//   BENCH_CASES=seq,rest node bench/engine.bench.mjs    only the cases whose key contains a word
//   BENCH_SERVER_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=/tmp/prof"    node options of the REST case's server
//
// Each case runs in its own process (and process group) under a time limit; a case over its limit
// is killed and printed as "timed out after X s (✗)", so the benchmark stays usable while a long
// execution is slow. The floors run in the same run: an empty better-sqlite3 transaction and a
// one-row write transaction with the engine's pragmas, and a bare `await Promise.resolve()` chain.
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  ALL,
  runCaseIfAsked,
  fmt,
  machineLine,
  mark,
  median,
  percentile,
  printTable,
  report,
  reportState,
  rssMb,
  runCase,
  sleep,
} from "./lib/harness.mjs";
import { cpuMeter } from "./lib/cpu.mjs";

/**
 * Executions of the 40-task warm-up flow before a case is timed: 1,000 task runs, so that the
 * figures are those of a process past V8's optimizing compiler (as a server is after its first
 * minutes), not of its first executions.
 */
const WARM_RUNS = 25;

/**
 * Executions of the warm-up flow between the timed runs and the steady ones (the 40-task case, and
 * 1,340 more executions for the REST case): V8 still compiles the engine's functions with its
 * optimizing compiler over the first thousands of task runs, and a server that has run for a few
 * seconds is past that. Printed beside the goal's figure, never instead of it.
 */
const STEADY_WARM_RUNS = 75;

/**
 * Runs flow `bench.<id>` `runs` times after `warmRuns` runs of `bench.warm`, reporting each sample
 * and, while a run is under way, how far it has gone (for a case stopped by its limit); returns
 * the median.
 */
async function timedRuns(saker, id, runs, warmRuns = WARM_RUNS) {
  for (let i = 0; i < warmRuns; i++) await saker.run("bench", "warm");
  const times = [];
  let runStarted = performance.now();
  reportState(() => ({
    taskRuns: saker.progress.taskRuns,
    ms: performance.now() - runStarted,
    run: times.length + 1,
  }));
  for (let i = 0; i < runs; i++) {
    runStarted = performance.now();
    const ms = await saker.run("bench", id);
    times.push(ms);
    report("sample", { ms });
  }
  return { ms: median(times), runs: times.length };
}

const FILE = fileURLToPath(import.meta.url);
const ROOT = join(FILE, "../..");

// ---------------------------------------------------------------------------------------------
// The cases, each run in a child process (`--case name --params json`).

const CASES = {
  /** Empty and one-row SQLite transactions with the engine's pragmas; a bare promise chain. */
  async floor({ rounds: ROUNDS }) {
    const { default: Database } = await import("better-sqlite3");
    const db = new Database(join(process.env.BENCH_TMP, "floor.db"));
    // The pragmas of packages/engine/src/backend/sqlite/database.ts.
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma("busy_timeout = 5000");
    db.pragma("foreign_keys = ON");
    db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)");
    const put = db.prepare("INSERT OR REPLACE INTO t (id, v) VALUES (?, ?)");
    const value = "x".repeat(200);
    const empty = db.transaction(() => {});
    const write = db.transaction((i) => put.run(i % 1000, value));
    const rounds = (n, step) => {
      const out = [];
      for (let r = 0; r < ROUNDS; r++) {
        const t0 = performance.now();
        for (let i = 0; i < n; i++) step(i);
        out.push(((performance.now() - t0) * 1000) / n);
      }
      return median(out);
    };
    const emptyTxUs = rounds(20_000, () => empty());
    const writeTxUs = rounds(5_000, (i) => write(i));
    db.close();
    const chain = [];
    for (let r = 0; r < ROUNDS; r++) {
      const n = 1_000_000;
      const t0 = performance.now();
      for (let i = 0; i < n; i++) await Promise.resolve();
      chain.push(((performance.now() - t0) * 1e6) / n);
    }
    report("result", { emptyTxUs, writeTxUs, promiseNs: median(chain) });
  },

  /**
   * `n` sequential Return tasks, `runs` executions one after the other (after a warm-up); with
   * `steady`, `runs` more after STEADY_WARM_RUNS more warm-up runs.
   */
  async seq({ n, runs, steady = false }) {
    const { openSaker, sequentialFlow } = await import("./lib/saker.mjs");
    const saker = await openSaker(join(process.env.BENCH_TMP, "home"));
    try {
      await saker.deploy(sequentialFlow("warm", 40));
      await saker.deploy(sequentialFlow("seq", n));
      const result = await timedRuns(saker, "seq", runs);
      if (steady) {
        const later = await timedRuns(saker, "seq", runs, STEADY_WARM_RUNS);
        Object.assign(result, { steadyMs: later.ms, steadyAfter: WARM_RUNS + STEADY_WARM_RUNS + runs });
      }
      report("result", result);
    } finally {
      await saker.close();
    }
  },

  /** `n` Return tasks under one Parallel. */
  async parallel({ n, runs }) {
    const { openSaker, returnTasks } = await import("./lib/saker.mjs");
    const saker = await openSaker(join(process.env.BENCH_TMP, "home"));
    try {
      await saker.deploy(
        `id: par\nnamespace: bench\ntasks:\n  - id: all\n    type: io.kestra.plugin.core.flow.Parallel\n    tasks:\n${returnTasks(n, "      ")}`,
      );
      await saker.run("bench", "par");
      const times = [];
      for (let i = 0; i < runs; i++) {
        const ms = await saker.run("bench", "par");
        times.push(ms);
        report("sample", { ms });
      }
      report("result", { ms: median(times), runs: times.length, openMs: saker.openMs });
    } finally {
      await saker.close();
    }
  },

  /** A ForEach over `n` values with a Return inside. */
  async foreach({ n, runs, list = false }) {
    const { openSaker } = await import("./lib/saker.mjs");
    const saker = await openSaker(join(process.env.BENCH_TMP, "home"));
    // `values` as one JSON string (one render), or with `list` as a YAML list (one render per item).
    const values = (count) => {
      const json = `[${Array.from({ length: count }, (_, i) => i + 1).join(", ")}]`;
      return list ? json : `'${json}'`;
    };
    const flow = (id, count) =>
      `id: ${id}\nnamespace: bench\ntasks:\n  - id: each\n    type: io.kestra.plugin.core.flow.ForEach\n` +
      `    values: ${values(count)}\n    tasks:\n` +
      `      - id: inner\n        type: io.kestra.plugin.core.debug.Return\n        format: "{{ taskrun.value }}"\n`;
    try {
      await saker.deploy(flow("warm", 20));
      await saker.deploy(flow("each", n));
      report("result", await timedRuns(saker, "each", runs));
    } finally {
      await saker.close();
    }
  },

  /** `count` one-task executions submitted at once, `runs` times (after a warm-up burst). */
  async burst({ count, runs }) {
    const { openSaker, sequentialFlow } = await import("./lib/saker.mjs");
    const saker = await openSaker(join(process.env.BENCH_TMP, "home"));
    try {
      await saker.deploy(sequentialFlow("single", 1));
      await saker.burst("bench", "single", WARM_RUNS * 40); // the same 1,000 task runs of warm-up
      const times = [];
      let runStarted = performance.now();
      let endedBefore = saker.progress.ended;
      reportState(() => ({
        ended: saker.progress.ended - endedBefore,
        ms: performance.now() - runStarted,
        run: times.length + 1,
      }));
      const cpus = [];
      for (let i = 0; i < runs; i++) {
        runStarted = performance.now();
        endedBefore = saker.progress.ended;
        const cpu = cpuMeter();
        const ms = await saker.burst("bench", "single", count);
        // every thread of this process: the engine's, the checkpointer's, V8's collector and compiler
        const cpuMs = cpu().own;
        times.push(ms);
        cpus.push(cpuMs);
        report("sample", { ms, perSecond: (count * 1000) / ms, cpuMs });
      }
      const ms = median(times);
      report("result", { ms, perSecond: (count * 1000) / ms, runs: times.length, cpuMs: median(cpus) });
    } finally {
      await saker.close();
    }
  },

  /** RSS (after a full GC) once `first` one-task executions have run, and again after `total`. */
  async rss({ first, total, batch }) {
    if (typeof globalThis.gc !== "function") throw new Error("run with --expose-gc");
    const { openSaker, sequentialFlow } = await import("./lib/saker.mjs");
    const saker = await openSaker(join(process.env.BENCH_TMP, "home"));
    const settle = async () => {
      for (let i = 0; i < 3; i++) {
        globalThis.gc();
        await sleep(50);
      }
      return rssMb();
    };
    try {
      await saker.deploy(sequentialFlow("single", 1));
      const t0 = performance.now();
      let atFirst;
      reportState(() => ({ ended: saker.progress.ended, ms: performance.now() - t0, rss: rssMb(), atFirst }));
      let done = 0;
      while (done < total) {
        const n = Math.min(batch, (done < first ? first : total) - done);
        await saker.burst("bench", "single", n);
        done += n;
        if (done === first) {
          atFirst = await settle();
          report("progress", `rss: ${fmt(atFirst)} MB after ${first} executions`);
        } else if (done % 5000 === 0) report("progress", `rss: ${done} executions, ${fmt(rssMb())} MB before GC`);
      }
      const atTotal = await settle();
      report("result", { first, total, atFirst, atTotal, seconds: (performance.now() - t0) / 1000 });
    } finally {
      await saker.close();
    }
  },

  /** `saker server local` on a fresh home, `runs` times: ms from spawn to /health 200, and its RSS then. */
  async startup({ runs }) {
    const samples = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const server = await startServer(join(process.env.BENCH_TMP, `startup-${i}`));
      const ms = performance.now() - t0;
      const rss = server.rssMb();
      await server.stop();
      samples.push({ ms, rss });
      report("sample", { ms, rss });
    }
    report("result", { ms: median(samples.map((x) => x.ms)), rss: median(samples.map((x) => x.rss)), runs });
  },

  /**
   * A real `saker server local` child process and a load generator here: `clients` requests in
   * flight, each `POST /executions/bench/three?wait=true` of a three-task flow, `count` in all
   * after `warmup`.
   */
  async rest({ count, clients, warmup }) {
    const server = await startServer(join(process.env.BENCH_TMP, "home"));
    try {
      const flow = `id: three\nnamespace: bench\ntasks:\n${(await import("./lib/saker.mjs")).returnTasks(3)}`;
      const created = await fetch(`${server.api}/main/flows`, {
        method: "POST",
        headers: { "content-type": "application/x-yaml" },
        body: flow,
      });
      if (created.status !== 200) throw new Error(`POST /flows answered ${created.status}: ${await created.text()}`);
      const url = `${server.api}/main/executions/bench/three?wait=true`;
      // node:http with a keep-alive agent, one socket per client: fetch (undici) cost the client
      // about 1.3 ms of CPU per request, taken from the cores the server runs on.
      const { request, Agent } = await import("node:http");
      const agent = new Agent({ keepAlive: true, maxSockets: clients });
      const post = () =>
        new Promise((resolve, reject) => {
          const req = request(url, { method: "POST", agent, headers: { "content-length": 0 } }, (res) => {
            const chunks = [];
            res.on("data", (c) => chunks.push(c));
            res.on("end", () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString("utf8") }));
            res.on("error", reject);
          });
          req.on("error", reject);
          req.end();
        });
      const one = async () => {
        const t0 = performance.now();
        const response = await post();
        const body = JSON.parse(response.text);
        const ms = performance.now() - t0;
        if (response.status !== 200 || body.state?.current !== "SUCCESS")
          throw new Error(`answered ${response.status}, state ${body.state?.current}: ${response.text.slice(0, 300)}`);
        return ms;
      };
      const load = async (n) => {
        const latencies = [];
        let next = 0;
        const t0 = performance.now();
        await Promise.all(
          Array.from({ length: clients }, async () => {
            while (next < n) {
              next++;
              latencies.push(await one());
              if (latencies.length % 100 === 0 && n === count)
                report("sample", { done: latencies.length, seconds: (performance.now() - t0) / 1000 });
            }
          }),
        );
        return { seconds: (performance.now() - t0) / 1000, latencies };
      };
      const rssBefore = server.rssMb();
      await load(warmup);
      report("progress", `rest: warm-up of ${warmup} done, server RSS ${fmt(server.rssMb())} MB`);
      const cpuBefore = server.cpuMs();
      const clientCpu = process.cpuUsage();
      const { seconds, latencies } = await load(count);
      const clientUsed = process.cpuUsage(clientCpu);
      const serverCpuMs = (server.cpuMs() - cpuBefore) / count;
      const rssAfter = server.rssMb();
      // the same load again, on a server past V8's optimizing compiler (see STEADY_WARM_RUNS)
      const steadyCpuBefore = server.cpuMs();
      const steady = await load(count);
      const steadyServerCpuMs = (server.cpuMs() - steadyCpuBefore) / count;
      report("result", {
        clientCpuMs: (clientUsed.user + clientUsed.system) / 1000 / count,
        // the server's CPU time per execution: a figure that holds on a loaded machine, where the rate does not
        serverCpuMs,
        count,
        clients,
        warmup,
        perSecond: count / seconds,
        p50: percentile(latencies, 50),
        p99: percentile(latencies, 99),
        steady: {
          perSecond: count / steady.seconds,
          p50: percentile(steady.latencies, 50),
          p99: percentile(steady.latencies, 99),
          serverCpuMs: steadyServerCpuMs,
        },
        rssBefore,
        rssAfter,
      });
    } finally {
      await server.stop();
    }
  },
};

/** `node bin/saker.js server local` on a free port with its own home; resolves once /health is UP. */
async function startServer(home) {
  mkdirSync(home, { recursive: true });
  // BENCH_SERVER_NODE_OPTIONS: node options for the server child, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`.
  const nodeOptions = (process.env.BENCH_SERVER_NODE_OPTIONS ?? "").split(/\s+/).filter(Boolean);
  const child = spawn(
    process.execPath,
    [...nodeOptions, join(ROOT, "bin/saker.js"), "server", "local", "--port", "0"],
    {
      cwd: home,
      env: { ...process.env, SAKER_HOME: home },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const url = await new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`the server did not start\n${stderr}`)), 30_000);
    child.stdout.on("data", (d) => {
      out += d;
      const m = /Saker API on (http:\/\/[^\s]+)\/api\/v1/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once("exit", (code) => reject(new Error(`the server exited with ${code}\n${stderr}`)));
  });
  for (let i = 0; ; i++) {
    const status = await fetch(`${url}/health`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) break;
    if (i > 300) throw new Error(`/health did not answer 200\n${stderr}`);
    await sleep(50);
  }
  return {
    api: `${url}/api/v1`,
    rssMb() {
      const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
      return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024;
    },
    /** User and system CPU time of the server so far (from /proc, in clock ticks of 10 ms). */
    cpuMs() {
      const fields = readFileSync(`/proc/${child.pid}/stat`, "utf8").split(") ")[1].split(" ");
      return (Number(fields[11]) + Number(fields[12])) * 10;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The plan: which cases, at which sizes, under which time limits.

const SEQ = ALL
  ? [
      { n: 40, runs: 9, timeout: 60 },
      { n: 160, runs: 5, timeout: 60 },
      { n: 640, runs: 3, timeout: 90 },
      { n: 5000, runs: 3, timeout: 90 },
    ]
  : [
      { n: 40, runs: 5, timeout: 10 },
      { n: 160, runs: 3, timeout: 12 },
      { n: 640, runs: 1, timeout: 10 },
      { n: 5000, runs: 1, timeout: 10 },
    ];
// The quick set's time limits add up to about 115 s, so that it prints in under two minutes
// whatever the engine's speed; a case over its limit prints what it had measured by then.
const PLAN = [
  { key: "floor", name: "floor", params: { rounds: ALL ? 7 : 5 }, timeout: ALL ? 30 : 12 },
  ...SEQ.map(({ n, runs, timeout }) => ({
    key: `seq${n}`,
    name: "seq",
    params: { n, runs, ...(n === 40 ? { steady: true } : {}) },
    timeout,
  })),
  { key: "parallel", name: "parallel", params: { n: 40, runs: ALL ? 9 : 5 }, timeout: ALL ? 30 : 6 },
  { key: "foreach", name: "foreach", params: { n: 10_000, runs: ALL ? 3 : 1 }, timeout: ALL ? 60 : 10 },
  // The same values written as a YAML list: each item is an expression, rendered one by one.
  ...(ALL ? [{ key: "foreach-list", name: "foreach", params: { n: 10_000, runs: 1, list: true }, timeout: 60 }] : []),
  { key: "burst", name: "burst", params: { count: 2000, runs: ALL ? 3 : 1 }, timeout: ALL ? 60 : 10 },
  { key: "startup", name: "startup", params: { runs: ALL ? 5 : 3 }, timeout: ALL ? 60 : 10 },
  {
    key: "rest",
    name: "rest",
    // the warm-up: 340 three-task executions, the same ~1,000 task runs as the other cases
    params: { count: ALL ? 4000 : 1000, clients: 50, warmup: 340 },
    timeout: ALL ? 120 : 15,
  },
  {
    key: "rss",
    name: "rss",
    params: { first: 1000, total: ALL ? 20_000 : 4000, batch: 500 },
    timeout: ALL ? 240 : 10,
  },
];

// ---------------------------------------------------------------------------------------------
// The table.

/** "timed out after X s", with the runs that had ended by then and where the next one stood. */
function timedOut(r, show) {
  const done = r.samples.length ? `; ${r.samples.length} run(s) ended: ${show(r.samples)}` : "";
  const st = r.state;
  let now = "";
  if (st?.taskRuns !== undefined && st.ms > 0)
    now = `; run ${st.run}: ${fmt(st.taskRuns, 0)} task runs in ${fmt(st.ms / 1000)} s`;
  else if (st?.ended !== undefined && st.ms > 0)
    now = `; ${fmt(st.ended, 0)} ended in ${fmt(st.ms / 1000)} s (${fmt((st.ended * 1000) / st.ms, 0)}/s)`;
  if (!done && !now) now = " (still opening, deploying or warming up)";
  return `timed out after ${r.timeoutMs / 1000} s${done}${now}`;
}

function rows(results) {
  const out = [];
  const floor = results.floor?.result;
  const stepFloorMs = floor ? (floor.writeTxUs + floor.promiseNs / 1000) / 1000 : NaN;
  const floorFor = (steps) => (floor ? `${fmt(steps * stepFloorMs, 2)} ms` : "–");
  const failed = (r) => (r.timedOut ? undefined : `failed: ${r.error}`);
  const perTask = {};
  for (const { n } of SEQ) {
    const r = results[`seq${n}`];
    if (!r) continue;
    const goal = n === 40 ? "≤ 15 ms (≤ 0.35 ms/task)" : n === 5000 ? "≤ 0.5 ms/task" : "(curve)";
    if (r.result) {
      const ms = r.result.ms;
      perTask[n] = ms / n;
      const ok =
        n === 40
          ? mark(ms, "<=", 15) === "✓" && mark(ms / n, "<=", 0.35) === "✓"
            ? "✓"
            : "✗"
          : n === 5000
            ? mark(ms / n, "<=", 0.5)
            : "";
      out.push([
        `${n.toLocaleString("en-US")} sequential Return tasks`,
        `${fmt(ms)} ms · ${fmt(ms / n, 2)} ms/task`,
        goal,
        floorFor(n),
        ok,
      ]);
      if (r.result.steadyMs !== undefined)
        out.push([
          `  the same, after ${fmt(r.result.steadyAfter, 0)} executions`,
          `${fmt(r.result.steadyMs)} ms · ${fmt(r.result.steadyMs / n, 2)} ms/task`,
          "(a warm process)",
          "–",
          "",
        ]);
    } else if (r.timedOut) {
      out.push([
        `${n.toLocaleString("en-US")} sequential Return tasks`,
        timedOut(r, (s) => `${fmt(median(s.map((x) => x.ms)) / n, 2)} ms/task`),
        goal,
        floorFor(n),
        "✗",
      ]);
    } else out.push([`${n.toLocaleString("en-US")} sequential Return tasks`, failed(r), goal, floorFor(n), "✗"]);
  }
  if (results.seq40 && results.seq5000) {
    const ratio = perTask[5000] / perTask[40];
    out.push([
      "per task @5,000 ÷ per task @40",
      Number.isFinite(ratio) ? `${fmt(ratio, 2)}×` : "– (a size did not finish)",
      "≤ 1.5×",
      "1×",
      mark(ratio, "<=", 1.5),
    ]);
  }
  const simple = (key, label, show, goal, floorText, ok) => {
    const r = results[key];
    if (!r) return;
    if (r.result) out.push([label, show(r.result), goal, floorText, ok(r.result)]);
    else if (r.timedOut)
      out.push([label, timedOut(r, (s) => show({ ms: median(s.map((x) => x.ms)) })), goal, floorText, "✗"]);
    else out.push([label, failed(r), goal, floorText, "✗"]);
  };
  simple(
    "parallel",
    "40 Return tasks under Parallel",
    (x) => `${fmt(x.ms)} ms`,
    "–",
    floorFor(40),
    () => "",
  );
  simple(
    "foreach",
    "ForEach over 10,000 values (a JSON string), Return inside",
    (x) => `${fmt(x.ms / 1000, 2)} s`,
    "≤ 5 s",
    floorFor(10_000),
    (x) => mark(x.ms, "<=", 5000),
  );
  simple(
    "foreach-list",
    "  the same values as a YAML list",
    (x) => `${fmt(x.ms / 1000, 2)} s`,
    "≤ 5 s",
    floorFor(10_000),
    (x) => mark(x.ms, "<=", 5000),
  );
  simple(
    "burst",
    "2,000 one-task executions at once (embedded)",
    (x) => `${fmt(x.perSecond ?? 2_000_000 / x.ms, 0)} executions/s`,
    "≥ 2,000/s",
    floor ? `${fmt(1000 / stepFloorMs, 0)}/s` : "–",
    (x) => mark(x.perSecond, ">=", 2000),
  );
  simple(
    "startup",
    "saker server local: start to /health 200, and its RSS then",
    (x) => `${fmt(x.ms, 0)} ms · ${x.rss === undefined ? "–" : `${fmt(x.rss, 0)} MB`}`,
    "–",
    "–",
    () => "",
  );
  const rest = results.rest;
  if (rest) {
    const label = `REST, 3-task flow, ${rest.result?.clients ?? 50} clients, ?wait=true`;
    if (rest.result) {
      const x = rest.result;
      out.push([label, `${fmt(x.perSecond, 0)} executions/s`, "≥ 600/s", "–", mark(x.perSecond, ">=", 600)]);
      if (x.serverCpuMs !== undefined)
        out.push([
          "  CPU per execution: server / load generator",
          `${fmt(x.serverCpuMs, 2)} ms / ${fmt(x.clientCpuMs, 2)} ms`,
          "server ≤ 1.67 ms (600/s on one core)",
          "–",
          "",
        ]);
      out.push([
        "  latency p50 / p99",
        `${fmt(x.p50)} ms / ${fmt(x.p99)} ms`,
        "p99 ≤ 150 ms",
        "–",
        mark(x.p99, "<=", 150),
      ]);
      if (x.steady)
        out.push([
          `  the same, after ${fmt(x.warmup + x.count, 0)} executions: rate, p50 / p99, server CPU`,
          `${fmt(x.steady.perSecond, 0)}/s, ${fmt(x.steady.p50)} / ${fmt(x.steady.p99)} ms, ${fmt(x.steady.serverCpuMs, 2)} ms`,
          "(a warm server)",
          "–",
          "",
        ]);
      out.push([
        `  server RSS before / after ${fmt(x.count + x.warmup, 0)} executions`,
        `${fmt(x.rssBefore, 0)} MB / ${fmt(x.rssAfter, 0)} MB`,
        "–",
        "–",
        "",
      ]);
    } else {
      const last = rest.samples.at(-1);
      const partial = last ? ` (${last.done} ended, ${fmt(last.done / last.seconds, 0)}/s)` : "";
      const text = rest.timedOut ? `timed out after ${rest.timeoutMs / 1000} s${partial}` : failed(rest);
      out.push([label, text, "≥ 600/s, p99 ≤ 150 ms", "–", "✗"]);
    }
  }
  const rss = results.rss;
  if (rss) {
    const params = PLAN.find((p) => p.key === "rss").params;
    const label = `RSS after ${fmt(params.first, 0)} vs ${fmt(params.total, 0)} executions`;
    if (rss.result) {
      const x = rss.result;
      const delta = x.atTotal - x.atFirst;
      out.push([
        label,
        `${fmt(x.atFirst, 0)} → ${fmt(x.atTotal, 0)} MB (${delta >= 0 ? "+" : ""}${fmt(delta)} MB)`,
        "within 20 MB",
        "–",
        mark(delta, "<=", 20),
      ]);
    } else {
      const st = rss.state;
      const where = st?.atFirst
        ? `; ${fmt(st.atFirst, 0)} MB at ${fmt(params.first, 0)}, ${fmt(st.rss, 0)} MB (before GC) at ${fmt(st.ended, 0)}`
        : "";
      const text = rss.timedOut ? `timed out after ${rss.timeoutMs / 1000} s${where}` : failed(rss);
      out.push([label, text, "within 20 MB", "–", "✗"]);
    }
  }
  return out;
}

async function main() {
  const only = (process.env.BENCH_CASES ?? "").split(",").filter(Boolean);
  const plan = PLAN.filter((c) => c.key === "floor" || only.length === 0 || only.some((w) => c.key.includes(w)));
  console.log(
    `engine benchmark, ${ALL ? "full set (--all)" : "quick set (npm run bench -- --all for the full one)"}; ${await machineLine()}`,
  );
  const results = {};
  const t0 = performance.now();
  for (const c of plan) {
    process.stderr.write(`  ${c.key}… `);
    const r = await runCase(FILE, c.name, c.params, c.timeout * 1000);
    results[c.key] = r;
    process.stderr.write(
      r.timedOut ? `timed out after ${c.timeout} s\n` : r.error ? `failed\n` : `${fmt(r.seconds)} s\n`,
    );
  }
  const floor = results.floor?.result;
  console.log("");
  printTable(["Case", "Median", "Goal", "Floor", ""], rows(results));
  console.log("");
  if (floor)
    console.log(
      `  floors per step: empty SQLite transaction ${fmt(floor.emptyTxUs, 2)} µs, one-row write transaction ` +
        `${fmt(floor.writeTxUs, 2)} µs (WAL, synchronous=NORMAL), await Promise.resolve() ${fmt(floor.promiseNs, 0)} ns; ` +
        `the Floor column is steps × (one-row write transaction + one await)`,
    );
  else console.log(`  floors: ${results.floor?.error ?? "not measured"}`);
  console.log(`  ${plan.length} cases in ${fmt((performance.now() - t0) / 1000)} s`);
}

if (!(await runCaseIfAsked(CASES))) await main();
