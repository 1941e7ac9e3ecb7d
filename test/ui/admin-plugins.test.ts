/**
 * The Versioned plugins page in a real browser: a test plugin packed by `npm pack` at 2.0.0 is
 * uploaded as a tarball and listed beside 1.0.0, a flow pinning `version: "2.0.0"` runs it and its
 * task run records that version, the plugin's default version is set from the page, and
 * uninstalling is refused while the flow pins the version, then done once it is gone — all on a
 * running server, without a restart.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { browserAvailable, createFlow, startBrowserAndServer, openPage, screenshot, type UiServer } from "./browser.ts";

const enabled = browserAvailable();
const PLUGIN = "saker-plugin-uitest";
const TYPE = "io.example.uitest.Which";

/** The test plugin at `version`, as the .tgz `npm pack` makes; its task answers the version that ran. */
function packPlugin(work: string, version: string): string {
  const dir = join(work, `plugin-${version}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({
      name: PLUGIN,
      version,
      description: "UI test plugin",
      type: "module",
      saker: { entry: "./index.js" },
      peerDependencies: { "@saker/sdk": "*" },
    }),
  );
  writeFileSync(
    join(dir, "index.js"),
    `import { definePlugin, defineTask, z } from "@saker/sdk";
export const Which = defineTask({
  type: "${TYPE}",
  title: "Tell which version runs",
  description: "Answers the plugin version that ran the task.",
  properties: z.object({ label: z.string().default("x").describe("Echoed back.") }),
  outputs: z.object({ plugin: z.string(), label: z.string() }),
  run: ({ label }) => ({ plugin: "${version}", label }),
});
export default definePlugin({ title: "UI test plugin", group: "io.example.uitest", tasks: [Which] });
`,
  );
  const name = execFileSync("npm", ["pack", "--silent", "--pack-destination", work], { cwd: dir, encoding: "utf8" })
    .trim()
    .split("\n")
    .pop()!;
  return join(work, name);
}

async function apiJson<T = Record<string, any>>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, init);
  const text = await response.text();
  if (!response.ok) throw new Error(`${init?.method ?? "GET"} ${url}: ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

describe.runIf(enabled)("the Versioned plugins page", () => {
  let browser: Browser;
  let ui: UiServer;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  let v1: string;
  let v2: string;

  const row = (version: string) => page.locator(`tr[data-plugin="${PLUGIN}"][data-version="${version}"]`);
  const versioned = async () =>
    (await apiJson<{ plugins: Record<string, any>[] }>(`${ui.api}/plugins/versioned`)).plugins.find(
      (p) => p.name === PLUGIN,
    );

  beforeAll(async () => {
    [browser, ui] = await startBrowserAndServer();
    v1 = packPlugin(ui.work, "1.0.0");
    v2 = packPlugin(ui.work, "2.0.0");
    context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    ({ page, problems } = await openPage(context, ui.url));
    page.on("dialog", (dialog) => void dialog.accept());
  }, 60_000);
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await ui?.close();
  });

  it("refuses a file that is not a tarball, with the API's message", async () => {
    const notes = join(ui.work, "notes.txt");
    writeFileSync(notes, "not a plugin");
    await page.goto(`${ui.url}/ui/admin/plugins`);
    await page.getByRole("table", { name: "Plugin versions" }).waitFor();
    await page.locator('input[name="tarball"]').setInputFiles(notes);
    await page.getByRole("button", { name: "Upload and install" }).click();
    await page.getByRole("alert").getByText("is not a plugin tarball").waitFor();
    expect(await versioned()).toBeUndefined();
  });

  it("installs version 2.0.0 from an uploaded tarball beside 1.0.0, without a restart", async () => {
    // 1.0.0 through the API, 2.0.0 through the page
    const form = new FormData();
    form.append("file", new Blob([new Uint8Array(readFileSync(v1))]), "v1.tgz");
    await apiJson(`${ui.api}/plugins/upload`, { method: "POST", body: form });
    await page.reload();
    await row("1.0.0").waitFor();
    await page.locator('input[name="tarball"]').setInputFiles(v2);
    await page.getByRole("button", { name: "Upload and install" }).click();
    await page.getByRole("status").getByText(`Installed ${PLUGIN}@2.0.0 (1 type)`).waitFor({ timeout: 60_000 });
    await row("2.0.0").waitFor();
    // 2.0.0 is the one a task without version: gets (instance policy LATEST)
    expect(await row("2.0.0").locator(".tag-accent").textContent()).toBe("default");
    expect(await row("1.0.0").locator(".tag-accent").count()).toBe(0);
    expect(await page.locator('tr[data-plugin="core"]').first().textContent()).toContain("core");
    expect(await versioned()).toMatchObject({
      resolvedVersion: "2.0.0",
      versions: [{ version: "1.0.0" }, { version: "2.0.0" }],
    });
  }, 90_000);

  it("runs a flow that pins version 2.0.0, and its task run records that version", async () => {
    await createFlow(
      ui.api,
      `id: pinned\nnamespace: uitest\ntasks:\n  - id: which\n    type: ${TYPE}\n    version: "2.0.0"\n    label: hello\n`,
    );
    // the default goes to 1.0.0 first: the pinned task must still run 2.0.0
    await page.getByRole("combobox", { name: `Default version of ${PLUGIN}` }).selectOption("1.0.0");
    await page.getByRole("status").getByText(`${PLUGIN}: default version 1.0.0`).waitFor();
    await expect.poll(() => row("1.0.0").locator(".tag-accent").count()).toBe(1);
    expect(await row("2.0.0").locator(".tag-accent").count()).toBe(0);
    expect(await versioned()).toMatchObject({ defaultVersion: "1.0.0", resolvedVersion: "1.0.0" });
    // the page says which flow pins 2.0.0
    await page.reload();
    await row("2.0.0").getByRole("link", { name: "uitest.pinned" }).waitFor();
    expect(await row("1.0.0").textContent()).toContain("no flow pins it");
    await screenshot(page, "versioned-plugins");

    const created = await apiJson(`${ui.api}/executions/uitest/pinned`, { method: "POST" });
    let execution: Record<string, any> = created;
    await expect
      .poll(
        async () => {
          execution = await apiJson(`${ui.api}/executions/${created.id}`);
          return execution.state.current;
        },
        { timeout: 30_000 },
      )
      .toBe("SUCCESS");
    expect(execution.taskRunList[0]).toMatchObject({
      taskId: "which",
      pluginVersion: `${PLUGIN}@2.0.0`,
      outputs: { plugin: "2.0.0", label: "hello" },
    });
  }, 60_000);

  it("refuses to uninstall the pinned version, then uninstalls it once the flow is gone", async () => {
    await row("2.0.0")
      .getByRole("button", { name: `Uninstall ${PLUGIN}@2.0.0` })
      .click();
    const alert = page.getByRole("alert");
    await alert.getByText("is pinned by flow uitest.pinned").waitFor();
    await row("2.0.0").waitFor();
    expect((await versioned())?.versions).toHaveLength(2);

    const deleted = await fetch(`${ui.api}/flows/uitest/pinned`, { method: "DELETE" });
    expect(deleted.status).toBe(204);
    await row("2.0.0")
      .getByRole("button", { name: `Uninstall ${PLUGIN}@2.0.0` })
      .click();
    await page.getByRole("status").getByText(`Uninstalled ${PLUGIN}@2.0.0`).waitFor();
    await row("2.0.0").waitFor({ state: "detached" });
    expect(await versioned()).toMatchObject({ versions: [{ version: "1.0.0" }], resolvedVersion: "1.0.0" });
    // clearing the default goes back to the instance policy
    await page.getByRole("combobox", { name: `Default version of ${PLUGIN}` }).selectOption("");
    await page.getByRole("status").getByText("default version cleared").waitFor();
    expect(await versioned()).toMatchObject({ defaultVersion: null });
    expect(problems).toEqual([]);
  }, 60_000);
});
