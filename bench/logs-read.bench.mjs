#!/usr/bin/env node
// Reading a large execution's logs over the API: a `server local` on a temporary home runs one
// flow, a ForEach over 5,000 values (concurrencyLimit 0) whose Log task logs a list of 20 messages
// per value: 5,001 task runs and ~110,000 log lines. Then, BENCH_RUNS times each (default 5),
// medians of:
//   - GET /logs/{id} (every line), and with minLevel=INFO, taskId, taskRunId, attempt;
//   - GET /logs/search with a page of 10,000 (for comparison);
//   - GET /executions/{id}, and the first event of /executions/{id}/follow;
//   - /logs/{id}/follow: its first event, and its end (the execution is finished: every line, then
//     the stream closes).
// BENCH_HOME=<folder> keeps the home (and its execution) for the next run; SERVER_NODE_ARGS adds
// arguments to the server's node (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`: the profile is
// written when the bench stops the server); BENCH_ROOT another built checkout to measure. Not a test: nothing asserts a time.
//   npx tsc -b && node bench/logs-read.bench.mjs
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fmt, machineLine, median } from "./lib/harness.mjs";
import { bigLogsFlowYaml, startServerProcess } from "./lib/serverProcess.mjs";

// BENCH_ROOT: another checkout (built) to measure, e.g. the main branch for a before/after
const ROOT = process.env.BENCH_ROOT ?? join(import.meta.dirname, "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const VALUES = Number(process.env.BENCH_VALUES ?? 5000);
const LINES_PER_VALUE = 20;

async function makeExecution(api) {
  let r = await fetch(`${api}/flows`, {
    method: "POST",
    headers: { "Content-Type": "application/x-yaml" },
    body: bigLogsFlowYaml("bench.logs", VALUES, LINES_PER_VALUE),
  });
  if (!r.ok) throw new Error(`flow: ${r.status} ${await r.text()}`);
  r = await fetch(`${api}/executions/bench.logs/big?wait=true`, { method: "POST" });
  const execution = await r.json();
  if (execution.state?.current !== "SUCCESS") throw new Error(`execution: ${JSON.stringify(execution).slice(0, 300)}`);
  return execution.id;
}

/**
 * The CPU time the server process used so far, in ms (Linux: /proc/<pid>/stat's utime + stime):
 * unlike the elapsed time, it does not grow when other processes share the cores.
 */
let serverPid;
function serverCpuMs() {
  try {
    const fields = readFileSync(`/proc/${serverPid}/stat`, "utf8").split(") ")[1].split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks of 10 ms
  } catch {
    return NaN;
  }
}

/** Milliseconds to read a whole answer, and its size. */
async function timeGet(url) {
  const started = performance.now();
  const r = await fetch(url);
  const body = await r.arrayBuffer();
  if (!r.ok) throw new Error(`${url}: ${r.status}`);
  return { ms: performance.now() - started, bytes: body.byteLength };
}

/** Milliseconds to the first event of a stream, and to its end. */
async function timeStream(url) {
  const started = performance.now();
  const r = await fetch(url);
  const reader = r.body.getReader();
  const decoder = new TextDecoder();
  let first;
  let events = 0;
  let previous = ""; // the last character of the previous chunk: "\n\n" may straddle two
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const chunk = previous + decoder.decode(value, { stream: true });
    // an event ends with a blank line; data never holds "\n\n" (JSON on one line)
    const ends = chunk.split("\n\n").length - 1;
    if (ends > 0 && first === undefined) first = performance.now() - started;
    events += ends;
    previous = chunk.endsWith("\n") && !chunk.endsWith("\n\n") ? "\n" : "";
  }
  return { first, end: performance.now() - started, events };
}

async function main() {
  const home = process.env.BENCH_HOME ?? mkdtempSync(join(tmpdir(), "saker-logs-bench-"));
  mkdirSync(home, { recursive: true });
  const idFile = join(home, "bench-execution-id");
  const server = await startServerProcess(ROOT, home, {
    nodeArgs: (process.env.SERVER_NODE_ARGS ?? "").split(" ").filter(Boolean),
  });
  serverPid = server.child.pid;
  try {
    let id = existsSync(idFile) ? readFileSync(idFile, "utf8").trim() : undefined;
    if (!id) {
      const started = performance.now();
      id = await makeExecution(server.api);
      writeFileSync(idFile, id);
      console.log(`execution ${id} ran in ${fmt(performance.now() - started)} ms`);
    }
    const api = server.api;
    const execution = await (await fetch(`${api}/executions/${id}`)).json();
    const run = execution.taskRunList.find((t) => t.taskId === "log");
    const total = (await (await fetch(`${api}/logs/search?filters[executionId][EQUALS]=${id}&size=1`)).json()).total;
    console.log(await machineLine());
    console.log(`execution ${id}: ${execution.taskRunList.length} task runs, ${total} log lines`);
    const cases = [
      ["GET /logs/{id}", () => timeGet(`${api}/logs/${id}`)],
      ["GET /logs/{id}?minLevel=INFO", () => timeGet(`${api}/logs/${id}?minLevel=INFO`)],
      ["GET /logs/{id}?taskId=log", () => timeGet(`${api}/logs/${id}?taskId=log`)],
      ["GET /logs/{id}?taskRunId=…&attempt=0", () => timeGet(`${api}/logs/${id}?taskRunId=${run.id}&attempt=0`)],
      ["GET /logs/{id}/download", () => timeGet(`${api}/logs/${id}/download`)],
      [
        "GET /logs/search size=10000",
        () => timeGet(`${api}/logs/search?filters[executionId][EQUALS]=${id}&size=10000&sort=timestamp:asc`),
      ],
      ["GET /executions/{id}", () => timeGet(`${api}/executions/${id}`)],
      ["/executions/{id}/follow", () => timeStream(`${api}/executions/${id}/follow`)],
      ["/logs/{id}/follow", () => timeStream(`${api}/logs/${id}/follow`)],
    ];
    const rows = [];
    for (const [name, fn] of cases) {
      await fn(); // warm-up
      const samples = [];
      for (let i = 0; i < RUNS; i++) {
        const cpu = serverCpuMs();
        const sample = await fn();
        // the server may still be finishing (a stream's end): let it settle before reading its CPU
        await new Promise((resolve) => setTimeout(resolve, 200));
        samples.push({ ...sample, cpu: serverCpuMs() - cpu });
      }
      const cpu = `server CPU ${fmt(median(samples.map((s) => s.cpu)), 0)} ms`;
      if ("bytes" in samples[0]) {
        rows.push(
          `${name.padEnd(40)} ${fmt(median(samples.map((s) => s.ms))).padStart(8)} ms  ${fmt(samples[0].bytes / 1e6, 2)} MB  ${cpu}`,
        );
      } else {
        rows.push(
          `${name.padEnd(40)} first ${fmt(median(samples.map((s) => s.first))).padStart(8)} ms, end ${fmt(median(samples.map((s) => s.end)))} ms, ${samples[0].events} events  ${cpu}`,
        );
      }
      console.log(rows.at(-1));
    }
  } finally {
    server.child.removeAllListeners("exit");
    const exited = new Promise((resolve) => server.child.once("exit", resolve));
    server.child.kill("SIGINT");
    await exited;
    if (!process.env.BENCH_HOME) rmSync(home, { recursive: true, force: true });
  }
}

await main();
