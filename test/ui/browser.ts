/**
 * End-to-end UI tests: a real `saker server local` (built packages, temporary home) and Debian's
 * Chromium driven by playwright-core. Nothing downloads a browser: without /usr/bin/chromium the
 * tests fail under CI=true and are skipped locally with a message (`.ci/run` installs it).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { vi } from "vitest";
import { startServerProcess, type ServerProcess } from "../security/serverProcess.ts";

// On a loaded CI machine (2 cores, many test files at once) a state of the page can take seconds
// to come: what a test waits for (expect.poll, the test itself) has a generous time; what it
// asserts once there does not wait.
vi.setConfig({ expect: { poll: { timeout: 20_000, interval: 100 } }, testTimeout: 120_000 });

export const CHROMIUM = process.env.SAKER_TEST_CHROMIUM ?? "/usr/bin/chromium";

/** Whether the browser is here; with CI=true a missing one throws (the suite must not pass without it). */
export function browserAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  const message = `Chromium is not installed at ${CHROMIUM} (apt-get install chromium)`;
  if (process.env.CI === "true") throw new Error(`${message}; CI=true: the browser tests are required`);
  console.warn(`${message}: skipping the browser tests (set CI=true to make this a failure)`);
  return false;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-quic",
      "--no-first-run",
      "--disable-sync",
    ],
  });
}

export interface UiServer {
  server: ServerProcess;
  /** `http://127.0.0.1:port` */
  url: string;
  api: string;
  home: string;
  work: string;
  /** Stops the server and removes its folders. */
  close(): Promise<void>;
}

/** A fresh `server local` on a temporary home; `config` is written as its saker.yml when given. */
export async function startUiServer(config?: string, env: Record<string, string> = {}): Promise<UiServer> {
  const work = mkdtempSync(join(tmpdir(), "saker-ui-"));
  const home = join(work, "home");
  const extra: Record<string, string> = { ...env };
  if (config) {
    const file = join(work, "saker.yml");
    writeFileSync(file, config);
    extra.SAKER_CONFIG = file;
  }
  const server = await startServerProcess(home, extra);
  const ui: UiServer = {
    server,
    url: server.url,
    api: server.api,
    home,
    work,
    async close() {
      // the server now in `ui.server`: a test may have stopped the first and started another
      await ui.server.stop();
      rmSync(work, { recursive: true, force: true });
    },
  };
  return ui;
}

/** The browser and a server, started at once; when one of them fails to start, the other is closed. */
export async function startBrowserAndServer(
  config?: string,
  env: Record<string, string> = {},
): Promise<[Browser, UiServer]> {
  const [browser, server] = await Promise.allSettled([launchBrowser(), startUiServer(config, env)]);
  if (browser.status === "fulfilled" && server.status === "fulfilled") return [browser.value, server.value];
  if (browser.status === "fulfilled") await browser.value.close();
  if (server.status === "fulfilled") await server.value.close();
  throw browser.status === "rejected" ? browser.reason : (server as PromiseRejectedResult).reason;
}

/**
 * A page that fails the test on an uncaught error in the page and records console errors and
 * requests to any host other than the server (the UI must make none).
 */
export async function openPage(context: BrowserContext, baseUrl: string): Promise<{ page: Page; problems: string[] }> {
  const page = await context.newPage();
  const problems: string[] = [];
  const origin = new URL(baseUrl).origin;
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("request", (request) => {
    const url = request.url();
    if (!url.startsWith(origin) && !url.startsWith("data:") && !url.startsWith("blob:"))
      problems.push(`request to another host: ${url}`);
  });
  return { page, problems };
}

/** Posts a flow's YAML through the API (for tests that need flows to exist). */
export async function createFlow(api: string, yaml: string, headers: Record<string, string> = {}): Promise<void> {
  const response = await fetch(`${api}/flows`, {
    method: "POST",
    headers: { "Content-Type": "application/x-yaml", ...headers },
    body: yaml,
  });
  if (!response.ok) throw new Error(`creating the flow failed: ${response.status} ${await response.text()}`);
}

/** Keeps a screenshot of a main page for docs/ui/ when SAKER_UI_SCREENSHOTS=1. */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.SAKER_UI_SCREENSHOTS !== "1") return;
  await page.screenshot({ path: join(import.meta.dirname, "../../docs/ui", `${name}.png`) });
}
