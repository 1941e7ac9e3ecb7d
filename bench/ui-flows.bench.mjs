#!/usr/bin/env node
// The flows list with 2,000 flows in real Chromium (Debian's /usr/bin/chromium through
// playwright-core), against a `server local` on a temporary home:
//   first render: from the navigation's start to the table's rows in the page (cold: a new
//                 browser context, nothing cached; warm: the same context again);
//   filter as you type: from each keystroke in the "Search flows" box to the next frame after the
//                 table shows the results for the text typed so far (the box waits 150 ms after
//                 the last keystroke, then searches on the server: that wait is part of the figure);
//   the longest main-thread task seen while typing (PerformanceObserver longtask), and the
//   server's own search time for the same texts (fetch from node, for comparison).
// Prints medians and p95. Needs the built packages and UI (npm ci; npm run build -w @saker/ui).
//   node bench/ui-flows.bench.mjs        (BENCH_FLOWS=2000, BENCH_LOADS=7)
/* global window, document, requestAnimationFrame, MutationObserver -- in the page (page.evaluate) */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { fmt, machineLine, median, percentile, printTable } from "./lib/harness.mjs";
import { startServerProcess } from "./lib/serverProcess.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CHROMIUM = process.env.SAKER_TEST_CHROMIUM ?? "/usr/bin/chromium";
const FLOWS = Number(process.env.BENCH_FLOWS ?? 2000);
const LOADS = Number(process.env.BENCH_LOADS ?? 7);
/** Typed one character at a time, the box cleared before each: 21 keystrokes. */
const WORDS = ["flow-017", "team12", "flow-19"];

if (!existsSync(CHROMIUM)) {
  console.log(`Chromium is not installed at ${CHROMIUM} (apt-get install chromium): skipped`);
  process.exit(0);
}
if (!existsSync(join(ROOT, "packages/ui/dist/index.html"))) {
  console.log("The UI is not built: npm run build -w @saker/ui");
  process.exit(1);
}
const { chromium } = await import("playwright-core");

const flowYaml = (i) => {
  const id = `flow-${String(i).padStart(4, "0")}`;
  return `id: ${id}\nnamespace: bench.team${i % 20}\nlabels:\n  team: t${i % 20}\ntasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: hello from ${id}\n`;
};

const work = mkdtempSync(join(tmpdir(), "saker-bench-ui-"));
let server;
let browser;
try {
  server = await startServerProcess(ROOT, join(work, "home"));
  const created = performance.now();
  for (let start = 1; start <= FLOWS; start += 200) {
    const docs = [];
    for (let i = start; i < Math.min(FLOWS + 1, start + 200); i++) docs.push(flowYaml(i));
    const r = await fetch(`${server.api}/flows/bulk`, {
      method: "POST",
      headers: { "Content-Type": "application/x-yaml" },
      body: docs.join("---\n"),
    });
    if (r.status !== 200) throw new Error(`creating flows failed: ${r.status} ${await r.text()}`);
  }
  const createSeconds = (performance.now() - created) / 1000;
  console.log(
    `flows list in Chromium: ${FLOWS.toLocaleString("en-US")} flows (created via POST /flows/bulk in ${fmt(createSeconds)} s); ${await machineLine()}`,
  );
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
  });

  // first render: cold (a new context each time) and warm (the same context, assets cached)
  const firstRender = async (page) => {
    await page.goto(`${server.url}/ui/flows`);
    return await page
      .waitForFunction(
        () =>
          document.querySelectorAll("table[aria-label=Flows] tbody tr").length > 0 ? performance.now() : undefined,
        undefined,
        { polling: "raf" },
      )
      .then((h) => h.jsonValue());
  };
  const cold = [];
  for (let i = 0; i < LOADS; i++) {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    cold.push(await firstRender(await context.newPage()));
    await context.close();
  }
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  await firstRender(page);
  const warm = [];
  for (let i = 0; i < LOADS; i++) warm.push(await firstRender(page));

  // typing: the time of each keystroke, and of the frame after the table shows a text's results
  await page.evaluate(() => {
    const w = window;
    w.__shown = new Map();
    w.__longest = 0;
    document.addEventListener("keydown", () => (w.__keyAt = performance.now()), true);
    const note = () => {
      const table = document.querySelector("table[aria-label=Flows]");
      const q = table?.getAttribute("data-results-for");
      if (q === null || q === undefined || w.__shown.has(q)) return;
      requestAnimationFrame(() => w.__shown.set(q, performance.now()));
    };
    new MutationObserver(note).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ["data-results-for"],
    });
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__longest = Math.max(w.__longest, e.duration);
    }).observe({ type: "longtask", buffered: false });
  });
  const box = page.getByLabel("Search flows");
  const keystrokes = [];
  const serverSearch = [];
  let totalShown = 0;
  for (const word of WORDS) {
    await box.fill("");
    await page.waitForFunction(
      () => document.querySelector("table[aria-label=Flows]")?.getAttribute("data-results-for") === "",
    );
    for (let i = 1; i <= word.length; i++) {
      const text = word.slice(0, i);
      await page.evaluate((q) => window.__shown.delete(q), text);
      await box.press(text[i - 1]);
      const ms = await page
        .waitForFunction((q) => (window.__shown.has(q) ? window.__shown.get(q) - window.__keyAt : undefined), text, {
          polling: 16,
        })
        .then((h) => h.jsonValue());
      keystrokes.push(ms);
      totalShown = Number(await page.locator("table[aria-label=Flows]").getAttribute("data-total"));
      const t0 = performance.now();
      await fetch(`${server.api}/flows/search?filters[q][EQUALS]=${encodeURIComponent(text)}&page=1&size=25`).then(
        (r) => r.json(),
      );
      serverSearch.push(performance.now() - t0);
    }
  }
  const longest = await page.evaluate(() => window.__longest);
  await context.close();

  console.log("");
  printTable(
    ["", "median", "p95", "samples"],
    [
      [
        "first render, cold (ms from navigation start)",
        fmt(median(cold)),
        fmt(percentile(cold, 95)),
        String(cold.length),
      ],
      [
        "first render, warm (ms from navigation start)",
        fmt(median(warm)),
        fmt(percentile(warm, 95)),
        String(warm.length),
      ],
      [
        "keystroke → filtered table shown (ms)",
        fmt(median(keystrokes)),
        fmt(percentile(keystrokes, 95)),
        String(keystrokes.length),
      ],
      [
        "server search alone, same texts (ms, fetch from node)",
        fmt(median(serverSearch)),
        fmt(percentile(serverSearch, 95)),
        String(serverSearch.length),
      ],
    ],
  );
  console.log("");
  console.log(
    `  the keystroke figure includes the box's 150 ms wait after the last keystroke; longest main-thread task while typing: ${fmt(longest)} ms` +
      ` (0: no task over 50 ms); the last search ("${WORDS.at(-1)}") matched ${totalShown} flows.`,
  );
} finally {
  await browser?.close();
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
}
