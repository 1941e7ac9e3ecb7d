#!/usr/bin/env node
// UI benchmark of the execution page on a large execution: a `server local` on a temporary home
// runs one flow, a ForEach over 5,000 values (concurrencyLimit 0) whose Log task logs a list of 20
// messages per value: 5,001 task runs and 100,000 INFO lines (plus the engine's own lines: a DEBUG
// "started"/"completed" pair per task run, and the flow's start and end). Then in Debian's Chromium
// (playwright-core), for BENCH_RUNS fresh pages (default 3), medians of:
//   - Gantt tab: time from navigation to the first row drawn, and to interactive (a click on a
//     row answered: the row selected);
//   - Logs tab: time to the first line drawn, to every line loaded, and a text filter over them;
//   - scrolling the log list (and the Gantt) from top to bottom, one step per animation frame:
//     frames over 50 ms, measured with requestAnimationFrame in the page;
// and the initial JavaScript of /ui/ gzipped (the entry script, its modulepreloads and CSS, from
// dist/index.html) against the 500 KB goal. Not a test: nothing asserts a time.
//   npm run build && npm run build -w @saker/ui && node bench/ui-execution.bench.mjs
/* global window, document, requestAnimationFrame -- the functions given to page.evaluate run in the page */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { fmt, machineLine, median, printTable } from "./lib/harness.mjs";
import { bigLogsFlowYaml, startServerProcess } from "./lib/serverProcess.mjs";

const ROOT = join(import.meta.dirname, "..");
const DIST = join(ROOT, "packages/ui/dist");
const CHROMIUM = process.env.SAKER_TEST_CHROMIUM ?? "/usr/bin/chromium";
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const VALUES = Number(process.env.BENCH_VALUES ?? 5000);
const LINES_PER_VALUE = 20;
const GOAL_KB = 500;

/** The initial JavaScript and CSS of /ui/: what index.html loads before any page chunk. */
function initialSize() {
  const html = readFileSync(join(DIST, "index.html"), "utf8");
  const files = new Set();
  for (const m of html.matchAll(/<script[^>]+src="\/ui\/([^"]+)"/g)) files.add(m[1]);
  for (const m of html.matchAll(/<link[^>]+rel="(?:modulepreload|stylesheet)"[^>]+href="\/ui\/([^"]+)"/g))
    files.add(m[1]);
  for (const m of html.matchAll(/<link[^>]+href="\/ui\/([^"]+)"[^>]+rel="(?:modulepreload|stylesheet)"/g))
    files.add(m[1]);
  let raw = 0;
  let gzipped = 0;
  for (const f of files) {
    const bytes = readFileSync(join(DIST, f));
    raw += bytes.length;
    gzipped += gzipSync(bytes, { level: 9 }).length;
  }
  return { files: [...files], raw, gzipped };
}

async function makeExecution(api) {
  let r = await fetch(`${api}/flows`, {
    method: "POST",
    headers: { "Content-Type": "application/x-yaml" },
    body: bigLogsFlowYaml("bench.ui", VALUES, LINES_PER_VALUE),
  });
  if (!r.ok) throw new Error(`flow: ${r.status} ${await r.text()}`);
  const started = performance.now();
  r = await fetch(`${api}/executions/bench.ui/big?wait=true`, { method: "POST" });
  const execution = await r.json();
  const runMs = performance.now() - started;
  if (execution.state?.current !== "SUCCESS") throw new Error(`execution: ${JSON.stringify(execution).slice(0, 300)}`);
  const logs = await (await fetch(`${api}/logs/search?filters[executionId][EQUALS]=${execution.id}&size=1`)).json();
  const info = await (
    await fetch(`${api}/logs/search?filters[executionId][EQUALS]=${execution.id}&minLevel=INFO&size=1`)
  ).json();
  const started2 = performance.now();
  await (await fetch(`${api}/logs/${execution.id}`)).arrayBuffer();
  const logsApiMs = performance.now() - started2;
  return {
    execution,
    taskRuns: execution.taskRunList.length,
    logLines: logs.total,
    infoLines: info.total,
    runMs,
    logsApiMs,
  };
}

/** Records, from the navigation's start, when the first element matching each selector appears. */
const OBSERVER = `
  window.__firsts = {};
  const watch = ${JSON.stringify([".gantt-row", ".log-line"])};
  new MutationObserver(() => {
    for (const s of watch) if (!(s in window.__firsts) && document.querySelector(s)) window.__firsts[s] = performance.now();
  }).observe(document, { childList: true, subtree: true });
`;

/** Scrolls an element from top to bottom in `frames` animation frames; the frame intervals. */
async function scrollFrames(page, selector, frames) {
  return await page.evaluate(
    ({ selector, frames }) =>
      new Promise((resolve) => {
        const el = document.querySelector(selector);
        el.scrollTop = 0;
        const step = (el.scrollHeight - el.clientHeight) / frames;
        const intervals = [];
        let last = performance.now();
        let i = 0;
        const tick = (now) => {
          intervals.push(now - last);
          last = now;
          if (i++ >= frames)
            return resolve({ intervals, reached: el.scrollTop, height: el.scrollHeight - el.clientHeight });
          el.scrollTop = Math.round(step * i);
          requestAnimationFrame(tick);
        };
        requestAnimationFrame((now) => {
          last = now;
          requestAnimationFrame(tick);
        });
      }),
    { selector, frames },
  );
}

/** `frames` animation frames with nothing to do: how often the machine itself misses frames. */
async function idleFrames(page, frames) {
  return await page.evaluate(
    (frames) =>
      new Promise((resolve) => {
        const intervals = [];
        let last = performance.now();
        const tick = (now) => {
          intervals.push(now - last);
          last = now;
          if (intervals.length > frames) resolve({ intervals, reached: 0, height: 0 });
          else requestAnimationFrame(tick);
        };
        requestAnimationFrame((now) => {
          last = now;
          requestAnimationFrame(tick);
        });
      }),
    frames,
  );
}

/** When the API answers the page needed ended, from the navigation's start (resource timings). */
async function apiTimings(page, id) {
  return await page.evaluate((id) => {
    const out = {};
    for (const e of performance.getEntriesByType("resource")) {
      const path = new URL(e.name).pathname.replace(`/${id}`, "/{id}");
      if (path.startsWith("/api/")) out[path.replace("/api/v1", "")] ??= Math.round(e.responseEnd);
    }
    return out;
  }, id);
}

async function measure(browser, base, x, expectedShown) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  await context.addInitScript(OBSERVER);
  const page = await context.newPage();
  const url = `${base}/ui/executions/${x.namespace}/${x.flowId}/${x.id}`;

  // Gantt
  await page.goto(`${url}/gantt`);
  await page.waitForSelector(".gantt-row");
  const ganttFirst = await page.evaluate(() => window.__firsts[".gantt-row"]);
  await page.locator(".gantt-row").nth(3).click();
  await page.waitForSelector('.gantt-row[aria-selected="true"]');
  const ganttInteractive = await page.evaluate(() => performance.now());
  const ganttApi = await apiTimings(page, x.id);
  const ganttRows = Number(await page.locator("[aria-label=Gantt]").getAttribute("aria-rowcount"));
  const ganttScroll = await scrollFrames(page, ".gantt-scroller", 300);

  // Logs (a fresh navigation: nothing cached in the page)
  await page.goto(`${url}/logs`);
  await page.waitForSelector(".log-line");
  const logsFirst = await page.evaluate(() => window.__firsts[".log-line"]);
  await page.waitForFunction(
    (n) => Number(document.querySelector('[role="log"]')?.getAttribute("aria-rowcount")) === n,
    expectedShown,
    { timeout: 120_000, polling: 50 },
  );
  const logsLoaded = await page.evaluate(() => performance.now());
  const logsApi = await apiTimings(page, x.id);
  const filterStart = await page.evaluate(() => performance.now());
  await page.getByPlaceholder("filter lines").fill("line 7 of");
  await page.waitForFunction(
    (n) => Number(document.querySelector('[role="log"]')?.getAttribute("aria-rowcount")) === n,
    VALUES,
    { timeout: 60_000, polling: 20 },
  );
  const filterMs = (await page.evaluate(() => performance.now())) - filterStart;
  await page.getByPlaceholder("filter lines").fill("");
  await page.waitForFunction(
    (n) => Number(document.querySelector('[role="log"]')?.getAttribute("aria-rowcount")) === n,
    expectedShown,
    { timeout: 60_000, polling: 50 },
  );
  const logsScroll = await scrollFrames(page, ".log-scroller", 600);
  const idle = await idleFrames(page, 300);
  const heap = await page.evaluate(() => performance.memory?.usedJSHeapSize ?? NaN);
  await context.close();
  return {
    ganttFirst,
    ganttInteractive,
    ganttRows,
    ganttScroll,
    logsFirst,
    logsLoaded,
    filterMs,
    logsScroll,
    idle,
    ganttApi,
    logsApi,
    heapMb: heap / 1024 / 1024,
  };
}

const frameStats = (s) => {
  const frames = s.intervals.slice(1);
  const sorted = [...frames].sort((a, b) => a - b);
  return {
    frames: frames.length,
    over50: frames.filter((f) => f > 50).length,
    p95: sorted[Math.floor(sorted.length * 0.95)] ?? NaN,
    max: sorted[sorted.length - 1] ?? NaN,
    reachedBottom: Math.abs(s.reached - s.height) <= 2,
  };
};

async function main() {
  if (!existsSync(join(DIST, "index.html"))) throw new Error("build the UI first: npm run build -w @saker/ui");
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not installed at ${CHROMIUM} (apt-get install chromium)`);
  console.log(await machineLine());
  const size = initialSize();
  console.log(
    `initial load of /ui/: ${size.files.length} files, ${fmt(size.raw / 1024)} KB raw, ${fmt(size.gzipped / 1024)} KB gzipped (goal < ${GOAL_KB} KB: ${size.gzipped / 1024 < GOAL_KB ? "met" : "NOT met"})`,
  );
  const { chromium } = await import("playwright-core");
  const home = mkdtempSync(join(tmpdir(), "saker-bench-ui-"));
  const server = await startServerProcess(ROOT, home);
  let browser;
  try {
    const made = await makeExecution(server.api);
    console.log(
      `execution: ${made.taskRuns} task runs, ${made.logLines} log lines (${made.infoLines} at INFO or above, shown by default), run in ${fmt(made.runMs / 1000)} s; GET /logs/{id} answers in ${fmt(made.logsApiMs)} ms`,
    );
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
    });
    const results = [];
    for (let i = 0; i < RUNS; i++) {
      const r = await measure(browser, server.url, made.execution, made.infoLines);
      results.push(r);
      console.log(
        `  run ${i + 1}: API answers (ms from navigation) gantt ${JSON.stringify(r.ganttApi)}, logs ${JSON.stringify(r.logsApi)}`,
      );
      console.log(
        `  run ${i + 1}: gantt ${fmt(r.ganttFirst)} / ${fmt(r.ganttInteractive)} ms, logs ${fmt(r.logsFirst)} / ${fmt(r.logsLoaded)} ms, filter ${fmt(r.filterMs)} ms, log scroll frames > 50 ms: ${frameStats(r.logsScroll).over50}`,
      );
    }
    const med = (f) => median(results.map(f));
    const logs = results.map((r) => frameStats(r.logsScroll));
    const gantt = results.map((r) => frameStats(r.ganttScroll));
    const idle = results.map((r) => frameStats(r.idle));
    printTable(
      ["measure (median of runs)", "value"],
      [
        ["Gantt: rows", String(results[0].ganttRows)],
        ["Gantt: first row drawn (ms from navigation)", fmt(med((r) => r.ganttFirst))],
        ["Gantt: interactive, a row click answered (ms)", fmt(med((r) => r.ganttInteractive))],
        ["Gantt scroll: frames (top to bottom)", String(gantt[0].frames)],
        ["Gantt scroll: frames over 50 ms", fmt(median(gantt.map((g) => g.over50)), 0)],
        [
          "Gantt scroll: p95 / max frame (ms)",
          `${fmt(median(gantt.map((g) => g.p95)))} / ${fmt(median(gantt.map((g) => g.max)))}`,
        ],
        ["Logs: lines shown", String(made.infoLines)],
        ["Logs: first line drawn (ms from navigation)", fmt(med((r) => r.logsFirst))],
        ["Logs: every line loaded, interactive (ms)", fmt(med((r) => r.logsLoaded))],
        ["Logs: text filter over them (ms)", fmt(med((r) => r.filterMs))],
        ["Logs scroll: frames (top to bottom)", String(logs[0].frames)],
        ["Logs scroll: frames over 50 ms", fmt(median(logs.map((g) => g.over50)), 0)],
        [
          "Logs scroll: p95 / max frame (ms)",
          `${fmt(median(logs.map((g) => g.p95)))} / ${fmt(median(logs.map((g) => g.max)))}`,
        ],
        ["Logs scroll reached the bottom", String(logs.every((g) => g.reachedBottom))],
        [
          "baseline: idle frames over 50 ms (of 300, the machine's own misses)",
          fmt(median(idle.map((g) => g.over50)), 0),
        ],
        ["page JS heap after (MB)", fmt(med((r) => r.heapMb))],
        ["initial JS+CSS of /ui/ gzipped (KB)", `${fmt(size.gzipped / 1024)} (goal < ${GOAL_KB})`],
      ],
    );
  } finally {
    await browser?.close();
    server.child.kill("SIGTERM");
    await new Promise((r) => server.child.once("exit", r));
    rmSync(home, { recursive: true, force: true });
  }
}

await main();
