// Shared pieces of the benchmarks: medians and percentiles, running one case in its own process
// group with a time limit, and the goal/floor table. Not a test: nothing here asserts.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The whole set (`npm run bench -- --all`, `npm run bench:all`, BENCH_ALL=1) or the quick one (default, BENCH_QUICK=1). */
export const ALL =
  process.env.BENCH_QUICK !== "1" && (process.env.BENCH_ALL === "1" || process.argv.slice(2).includes("--all"));

export const median = (values) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

export const percentile = (values, p) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
};

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** `1234.5` → `1,235`; small numbers keep `digits` decimals. */
export function fmt(value, digits = 1) {
  if (!Number.isFinite(value)) return "–";
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString("en-US");
  return value.toFixed(digits);
}

export const rssMb = () => process.memoryUsage().rss / 1024 / 1024;

/** A line a case process writes on stdout for its parent (anything else on stdout is passed through). */
export function report(kind, data) {
  process.stdout.write(`@@bench ${kind} ${JSON.stringify(data)}\n`);
}

/** Reports `describe()` (where the work stands) every second, until the process ends. */
export function reportState(describe) {
  setInterval(() => report("state", describe()), 1000).unref();
}

/** The arguments a case process was started with: `--case name --params json`. */
export function caseArgs() {
  const argv = process.argv.slice(2);
  const at = argv.indexOf("--case");
  if (at < 0) return undefined;
  const p = argv.indexOf("--params");
  return { name: argv[at + 1], params: p >= 0 ? JSON.parse(argv[p + 1]) : {} };
}

/**
 * In a case process (`--case name`): runs that case of `cases` and exits (the engine's loops may
 * hold timers; a case is over once it has reported). Returns false in the parent process.
 */
export async function runCaseIfAsked(cases) {
  const asCase = caseArgs();
  if (!asCase) return false;
  const fn = cases[asCase.name];
  if (!fn) throw new Error(`unknown case ${asCase.name}`);
  await fn(asCase.params);
  process.exit(0);
}

/**
 * Runs `file --case name` in a new process group (so a server it starts goes with it) with a
 * temporary folder in BENCH_TMP, and kills the group after `timeoutMs`. Resolves with the samples
 * and the result the case reported, `timedOut`, and `error` when it failed.
 */
export function runCase(file, name, params, timeoutMs, { nodeArgs = ["--expose-gc"], quiet = false } = {}) {
  const tmp = mkdtempSync(join(tmpdir(), "saker-bench-"));
  const started = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, file, "--case", name, "--params", JSON.stringify(params)], {
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, BENCH_TMP: tmp },
  });
  const samples = [];
  let result;
  let state;
  let stderr = "";
  let buffered = "";
  child.stdout.on("data", (chunk) => {
    buffered += chunk;
    let nl;
    while ((nl = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      const m = /^@@bench (\w+) (.*)$/.exec(line);
      if (!m) {
        if (!quiet) process.stdout.write(`    ${line}\n`);
      } else if (m[1] === "sample") samples.push(JSON.parse(m[2]));
      else if (m[1] === "result") result = JSON.parse(m[2]);
      else if (m[1] === "state") state = JSON.parse(m[2]);
      else if (m[1] === "progress" && !quiet) process.stderr.write(`    ${JSON.parse(m[2])}\n`);
    }
  });
  child.stderr.on("data", (chunk) => (stderr += chunk));
  return new Promise((resolve) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }, timeoutMs);
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      // A server child of a killed case may still hold the folder for a moment.
      setTimeout(() => rmSync(tmp, { recursive: true, force: true, maxRetries: 5 }), 200);
      const seconds = (performance.now() - started) / 1000;
      const failed = !timedOut && (code !== 0 || result === undefined);
      resolve({
        name,
        samples,
        result,
        state,
        timedOut,
        timeoutMs,
        seconds,
        error: failed ? `exited ${code ?? signal}: ${lastLines(stderr, 6)}` : undefined,
      });
    });
  });
}

const lastLines = (text, n) => text.trim().split("\n").slice(-n).join(" | ");

/** `✓` when `value` meets the goal (`<=` or `>=` `target`), `✗` otherwise, `–` when there is no figure. */
export function mark(value, op, target) {
  if (!Number.isFinite(value)) return "✗";
  return (op === "<=" ? value <= target : value >= target) ? "✓" : "✗";
}

/** Prints rows of strings as a table with a header, columns padded to their widest cell. */
export function printTable(header, rows) {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => String(r[i] ?? "").length)));
  const line = (r) =>
    "  " +
    r
      .map((c, i) => String(c ?? "").padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  console.log(line(header));
  console.log("  " + widths.map((w) => "-".repeat(w)).join("  "));
  for (const r of rows) console.log(line(r));
}

/** A one-line machine description to print above the figures. */
export async function machineLine() {
  const os = await import("node:os");
  const load = os.loadavg().map((l) => l.toFixed(1));
  return `${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim()}), Node ${process.version}, load average ${load.join(" ")}`;
}
