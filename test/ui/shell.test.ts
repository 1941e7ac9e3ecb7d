/**
 * The UI's frame in a real browser: served at /ui with `/` redirecting there, every page reachable
 * from the sidebar, a clear page for an unknown URL, the sign-in page under basic auth, and the
 * banner and reconnection when the server goes away and comes back.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { hashPassword } from "@saker/server";
import { startServerProcess } from "../security/serverProcess.ts";
import { browserAvailable, openPage, startBrowserAndServer, type UiServer } from "./browser.ts";

const enabled = browserAvailable();

describe.runIf(enabled)("the UI's frame", () => {
  let browser: Browser;
  let ui: UiServer;

  beforeAll(async () => {
    [browser, ui] = await startBrowserAndServer();
  });
  afterAll(async () => {
    await browser?.close();
    await ui?.close();
  });

  it("redirects / to the UI and opens every page of the sidebar without an error or an outside request", async () => {
    const context = await browser.newContext();
    const { page, problems } = await openPage(context, ui.url);
    await page.goto(ui.url + "/");
    await page.waitForURL(/\/ui\/dashboard$/);
    const links = await page
      .locator("nav[aria-label=Main] a")
      .evaluateAll((as) => as.map((a) => ({ text: a.textContent ?? "", href: a.getAttribute("href") ?? "" })));
    expect(links.map((l) => l.text)).toEqual([
      "Dashboard",
      "Flows",
      "Executions",
      "Logs",
      "Namespaces",
      "Triggers",
      "Plugins",
      "Versioned plugins",
      "Settings",
    ]);
    for (const link of links) {
      await page.getByRole("navigation", { name: "Main" }).getByText(link.text, { exact: true }).click();
      await page.waitForURL(ui.url + link.href);
      await expect.poll(() => page.locator("h1").first().textContent()).toBeTruthy();
      expect(await page.locator(".error-view").count()).toBe(0);
    }
    expect(problems).toEqual([]);
    await context.close();
  });

  it("answers an unknown page with a not-found page, and a missing asset with a 404", async () => {
    const context = await browser.newContext();
    const { page } = await openPage(context, ui.url);
    await page.goto(`${ui.url}/ui/no/such/page`);
    await expect.poll(() => page.locator(".error-view h2").textContent()).toBe("Not found");
    const asset = await fetch(`${ui.url}/ui/assets/missing-123.js`);
    expect(asset.status).toBe(404);
    await context.close();
  });

  it("serves hashed assets gzipped with a long cache, and the page without one", async () => {
    const html = await fetch(`${ui.url}/ui/flows`);
    expect(html.headers.get("cache-control")).toBe("no-cache");
    const text = await html.text();
    const script = /src="(\/ui\/assets\/[^"]+\.js)"/.exec(text)?.[1];
    expect(script).toBeTruthy();
    const js = await fetch(ui.url + script, { headers: { "accept-encoding": "gzip" } });
    expect(js.headers.get("cache-control")).toContain("immutable");
    expect(js.headers.get("content-type")).toContain("javascript");
    expect(js.headers.get("content-encoding")).toBe("gzip");
    expect((await js.text()).length).toBeGreaterThan(1024);
    const plain = await fetch(ui.url + script, { headers: { "accept-encoding": "identity" } });
    expect(plain.headers.get("content-encoding")).toBeNull();
  });

  it("shows a banner when the server goes away and reconnects when it is back", async () => {
    const context = await browser.newContext();
    const { page } = await openPage(context, ui.url);
    await page.goto(`${ui.url}/ui/settings`);
    const port = Number(new URL(ui.url).port);
    await ui.server.stop();
    // a request fails: the next page's API call finds the server gone
    await page.getByRole("navigation", { name: "Main" }).getByText("Flows", { exact: true }).click();
    await page.getByText("The server went away").waitFor();
    ui.server = await startServerProcess(ui.home, {}, 60_000, port);
    await page.getByText("The server went away").waitFor({ state: "detached", timeout: 20_000 });
    await context.close();
  });
});

describe.runIf(enabled)("sign-in under basic auth", () => {
  let browser: Browser;
  let ui: UiServer;

  beforeAll(async () => {
    const hash = await hashPassword("s3cret-pass");
    const config = `server:\n  basicAuth:\n    enabled: true\n    users:\n      - username: admin\n        passwordHash: "${hash}"\n`;
    [browser, ui] = await startBrowserAndServer(config);
  });
  afterAll(async () => {
    await browser?.close();
    await ui?.close();
  });

  it("asks for credentials, refuses wrong ones, and opens the page after the right ones", async () => {
    const context = await browser.newContext();
    const { page, problems } = await openPage(context, ui.url);
    // the API refuses without credentials, and without a challenge for the UI's requests
    const refused = await fetch(`${ui.api}/flows/search`, { headers: { "X-Requested-With": "XMLHttpRequest" } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get("www-authenticate")).toBeNull();
    await page.goto(`${ui.url}/ui/flows`);
    await page.getByRole("form", { name: "Sign in" }).waitFor();
    await page.getByLabel("Username").fill("admin");
    await page.getByLabel("Password").fill("wrong");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").getByText("Wrong username or password").waitFor();
    await page.getByLabel("Password").fill("s3cret-pass");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("form", { name: "Sign in" }).waitFor({ state: "detached" });
    expect(page.url()).toBe(`${ui.url}/ui/flows`);
    expect(problems.filter((p) => !p.includes("401"))).toEqual([]);
    await context.close();
  });
});
