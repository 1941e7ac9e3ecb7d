#!/usr/bin/env node
// Hot-path driver: N sequential Return tasks, or a ForEach over N values, on the embedded
// backend, timed end to end. Not a test.
//   node bench/hotpath-profile.mjs seq 40 640 2000     node bench/hotpath-profile.mjs foreach 2000
//   node bench/hotpath-profile.mjs burst 2000          (one-task executions, all submitted at once)
//   SQL=1 ...  counts SQL statements, bytes bound and time spent in them per task (wraps
//              better-sqlite3's prepare); SQL=2 also lists the statements that took the most time
//   GC=1 ...   the garbage collector's pauses per task (scavenges and full collections) and their
//              share of the run's time
//   node --cpu-prof --cpu-prof-dir=/tmp/prof bench/hotpath-profile.mjs seq 640
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

const counts = { statements: 0, bytes: 0, ns: 0 };
/** SQL=2: calls, bytes bound and time per statement text too. */
const byStatement = new Map();
if (process.env.SQL) {
  const require = createRequire(join(process.cwd(), "packages/engine/package.json"));
  const Database = require("better-sqlite3");
  const prepare = Database.prototype.prepare;
  Database.prototype.prepare = function (sql) {
    const stmt = prepare.call(this, sql);
    for (const method of ["run", "get", "all"]) {
      const original = stmt[method];
      stmt[method] = function (...args) {
        counts.statements++;
        let bytes = 0;
        for (const a of args) if (typeof a === "string") bytes += a.length;
        counts.bytes += bytes;
        const started = process.hrtime.bigint();
        try {
          return original.apply(this, args);
        } finally {
          const ns = Number(process.hrtime.bigint() - started);
          counts.ns += ns;
          if (process.env.SQL === "2") {
            const entry = byStatement.get(sql) ?? { calls: 0, bytes: 0, ns: 0 };
            entry.calls++;
            entry.bytes += bytes;
            entry.ns += ns;
            byStatement.set(sql, entry);
          }
        }
      };
    }
    return stmt;
  };
}

/** GC=1: pause time (ms) and count per kind of collection, from the `gc` performance entries. */
const pauses = { minor: { ms: 0, count: 0 }, major: { ms: 0, count: 0 } };
if (process.env.GC) {
  const { constants, PerformanceObserver } = await import("node:perf_hooks");
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR ? pauses.minor : pauses.major;
      kind.ms += entry.duration;
      kind.count++;
    }
  }).observe({ entryTypes: ["gc"] });
}
/** The `gc` entries of a run arrive after it, in a later turn. */
const gcSettled = () => new Promise((resolve) => setTimeout(resolve, 20));

const { openSaker, returnTasks, sequentialFlow } = await import("./lib/saker.mjs");

const forEach = (n) =>
  `id: each${n}\nnamespace: bench\ntasks:\n  - id: each\n    type: io.kestra.plugin.core.flow.ForEach\n    values: ${JSON.stringify(Array.from({ length: n }, (_, i) => i))}\n    tasks:\n${returnTasks(1, "      ").replace('"{{ task.id }}"', '"{{ taskrun.value }}"')}`;

const [mode = "seq", ...sizes] = process.argv.slice(2);
const home = mkdtempSync(join(tmpdir(), "saker-hot-"));
const saker = await openSaker(home);
try {
  for (const size of sizes.map(Number)) {
    const flowId = mode === "seq" ? `seq${size}` : mode === "foreach" ? `each${size}` : "single";
    await saker.deploy(
      mode === "seq" ? sequentialFlow(flowId, size) : mode === "foreach" ? forEach(size) : sequentialFlow(flowId, 1),
    );
    counts.statements = 0;
    counts.bytes = 0;
    counts.ns = 0;
    if (process.env.GC) await gcSettled();
    for (const kind of Object.values(pauses)) kind.ms = kind.count = 0;
    const started = performance.now();
    const cpu = process.cpuUsage();
    // a burst: all submitted at once, as the peers' burst (bench/peers) submits its jobs
    if (mode === "burst") await saker.burst("bench", flowId, size);
    else await saker.run("bench", flowId);
    const ms = performance.now() - started;
    const used = process.cpuUsage(cpu);
    const cpuMs = (used.user + used.system) / 1000;
    const unit =
      mode === "burst" ? `${((size * 1000) / ms).toFixed(0)} executions/s` : `${(ms / size).toFixed(3)} ms/task`;
    const sql = process.env.SQL
      ? `  ${(counts.statements / size).toFixed(1)} statements/task, ${(counts.bytes / size / 1024).toFixed(1)} KiB bound/task, ${(counts.ns / size / 1000).toFixed(1)} µs in them/task`
      : "";
    if (process.env.GC) await gcSettled();
    const { minor, major } = pauses;
    const gc = process.env.GC
      ? `  GC ${(((minor.ms + major.ms) * 1000) / size).toFixed(1)} µs/task (${((100 * (minor.ms + major.ms)) / ms).toFixed(0)}% of the time): ${minor.count} scavenges ${minor.ms.toFixed(0)} ms, ${major.count} full ${major.ms.toFixed(0)} ms`
      : "";
    console.log(`${mode} ${size}: ${ms.toFixed(0)} ms, ${unit} (CPU ${(cpuMs / size).toFixed(3)} ms/task)${sql}${gc}`);
    for (const [text, entry] of [...byStatement].sort((a, b) => b[1].ns - a[1].ns).slice(0, 10))
      console.log(
        `  ${(entry.ns / size / 1000).toFixed(1).padStart(5)} µs ${(entry.calls / size).toFixed(2)}/task ${(entry.bytes / size / 1024).toFixed(1)} KiB/task  ${text.replace(/\s+/g, " ").slice(0, 90)}`,
      );
    byStatement.clear();
  }
  console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
} finally {
  await saker.close();
  rmSync(home, { recursive: true, force: true });
}
