/**
 * The admin pages in a real browser against `server local`: the dashboard counts executions of
 * several states, the plugins catalogue filters as you type and a type's page shows its
 * properties, the KV store editor adds, edits and deletes keys (seen through the API), namespace
 * files open in the editor, a trigger is disabled (seen through the API), and the theme setting
 * applies at once and survives a reload.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { browserAvailable, createFlow, startBrowserAndServer, openPage, screenshot, type UiServer } from "./browser.ts";

const enabled = browserAvailable();
const NS = "company.team";

async function apiJson<T = Record<string, any>>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, init);
  const text = await response.text();
  if (!response.ok) throw new Error(`${init?.method ?? "GET"} ${url}: ${response.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

describe.runIf(enabled)("the admin pages", () => {
  let browser: Browser;
  let ui: UiServer;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    [browser, ui] = await startBrowserAndServer();
    await createFlow(
      ui.api,
      `id: hello\nnamespace: ${NS}\ndescription: Says hello\ntasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: hello\n`,
    );
    await createFlow(
      ui.api,
      `id: broken\nnamespace: ${NS}\ntasks:\n  - id: fail\n    type: io.kestra.plugin.core.execution.Fail\n    errorMessage: boom\n`,
    );
    await createFlow(
      ui.api,
      `id: shaky\nnamespace: ${NS}\ntasks:\n  - id: fail\n    type: io.kestra.plugin.core.execution.Fail\n    allowFailure: true\n`,
    );
    await createFlow(
      ui.api,
      `id: nightly\nnamespace: ${NS}\ntasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: night\ntriggers:\n  - id: schedule\n    type: io.kestra.plugin.core.trigger.Schedule\n    cron: "0 2 * * *"\n`,
    );
    const runs = ["hello", "hello", "hello", "hello", "broken", "broken", "shaky"];
    const ids = await Promise.all(
      runs.map(async (flow) => (await apiJson(`${ui.api}/executions/${NS}/${flow}`, { method: "POST" })).id as string),
    );
    for (const id of ids) {
      const until = Date.now() + 20_000;
      while (!/^(SUCCESS|FAILED|WARNING)$/.test((await apiJson(`${ui.api}/executions/${id}`)).state.current)) {
        if (Date.now() > until) throw new Error(`execution ${id} did not end`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    ({ page, problems } = await openPage(context, ui.url));
    page.on("dialog", (dialog) => void dialog.accept(dialog.type() === "prompt" ? "scripts/new.sh" : undefined));
  }, 60_000);
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await ui?.close();
  });

  it("shows executions per state on the dashboard, with the recent failures and durations", async () => {
    await page.goto(`${ui.url}/ui/dashboard`);
    await expect.poll(() => page.locator('[data-stat="total"]').textContent()).toBe("7");
    expect(await page.locator('[data-stat="SUCCESS"]').textContent()).toBe("4");
    expect(await page.locator('[data-stat="FAILED"]').textContent()).toBe("2");
    expect(await page.locator('[data-stat="WARNING"]').textContent()).toBe("1");
    // the chart's bars add up to the total
    const bucketTotals = await page
      .locator("svg g[data-total]")
      .evaluateAll((gs) => gs.map((g) => Number(g.getAttribute("data-total"))));
    expect(bucketTotals.reduce((a, b) => a + b, 0)).toBe(7);
    expect(await page.locator('svg rect[data-state="FAILED"]').count()).toBeGreaterThan(0);
    const failures = page.getByRole("table", { name: "Recent failures" });
    expect(await failures.getByRole("link", { name: `${NS}.broken` }).count()).toBe(2);
    await page.getByRole("table", { name: "Durations per flow" }).getByText(`${NS}.hello`).waitFor();
    await screenshot(page, "dashboard");
    // the period is kept in the URL
    await page.getByRole("combobox", { name: "Period" }).selectOption("PT24H");
    await page.waitForURL(/range=PT24H/);
    await expect.poll(() => page.locator('[data-stat="total"]').textContent()).toBe("7");
  });

  it("filters the plugins catalogue as you type, and shows a type's properties and examples", async () => {
    await page.goto(`${ui.url}/ui/plugins`);
    await page.getByRole("link", { name: "Log a message" }).waitFor();
    await screenshot(page, "plugins");
    const search = page.getByRole("searchbox", { name: "Search plugins" });
    await search.pressSequentially("schedule");
    await page.waitForURL(/q=schedule/);
    await expect.poll(() => page.getByRole("link", { name: "Log a message" }).count()).toBe(0);
    const shown = await page.locator(".catalogue-types .type-id").allTextContents();
    expect(shown).toContain("io.kestra.plugin.core.trigger.Schedule");
    expect(shown.every((t) => t.toLowerCase().includes("schedule"))).toBe(true);
    await search.fill("nothing-like-this");
    await page.getByText("No plugin or type matches").waitFor();
    await search.fill("log");
    await page.getByRole("link", { name: "Log a message" }).click();
    await page.waitForURL(/\/ui\/plugins\/io\.kestra\.plugin\.core\.log\.Log$/);
    await page.getByRole("heading", { name: "Log a message" }).waitFor();
    const properties = page.getByRole("table", { name: "Properties" });
    const message = properties.locator('tr[data-property="message"]');
    await message.waitFor();
    expect(await message.locator("td").nth(2).textContent()).toBe("yes");
    const level = await properties.locator('tr[data-property="level"]').textContent();
    expect(level).toContain("INFO");
    expect(level).toContain("WARN");
    expect(await properties.locator('tr[data-property="type"]').count()).toBe(0);
    expect(await page.getByLabel("Examples").locator("pre code.language-yaml").count()).toBeGreaterThan(0);
    await page.getByRole("combobox", { name: "Version" }).selectOption("0.1.0");
    await page.waitForURL(/version=0\.1\.0/);
    await page.getByRole("table", { name: "Properties" }).locator('tr[data-property="message"]').waitFor();
    await screenshot(page, "plugin-type");
  });

  it("adds, edits and deletes KV keys, as the API sees them", async () => {
    const kv = (key: string) => fetch(`${ui.api}/namespaces/${NS}/kv/${key}`);
    await page.goto(`${ui.url}/ui/namespaces/edit/${NS}/kv`);
    await page.getByText("No key in this namespace yet.").waitFor();
    const form = page.getByRole("form", { name: "Key value" });
    const add = async (key: string, type: string, value: string, ttl = "") => {
      await page.getByRole("button", { name: "Add a key" }).click();
      await form.locator('input[name="key"]').fill(key);
      await form.locator('select[name="type"]').selectOption(type);
      await form.locator('[name="value"]').fill(value);
      if (ttl) await form.locator('input[name="ttl"]').fill(ttl);
      await form.getByRole("button", { name: "Save" }).click();
    };
    await add("region", "STRING", "eu-west-1");
    await page.getByRole("status").getByText("Saved region (STRING)").waitFor();
    expect(await (await kv("region")).json()).toEqual({ type: "STRING", value: "eu-west-1" });
    await add("limits", "JSON", '{"cpu": 2, "memory": "1Gi"}', "P7D");
    await page.locator('tr[data-key="limits"]').waitFor();
    expect(await (await kv("limits")).json()).toEqual({ type: "JSON", value: { cpu: 2, memory: "1Gi" } });
    const keys = await apiJson<{ key: string; expirationDate: string | null }[]>(`${ui.api}/namespaces/${NS}/kv`);
    expect(keys.find((k) => k.key === "limits")?.expirationDate).toBeTruthy();
    // a value that does not fit its type is refused before any request
    await add("bad", "NUMBER", "ten");
    await page.getByRole("alert").getByText("'ten' is not a number").waitFor();
    expect((await kv("bad")).status).toBe(404);
    await form.getByRole("button", { name: "Cancel" }).click();

    await page.getByRole("button", { name: "Edit region" }).click();
    expect(await form.locator('[name="value"]').inputValue()).toBe("eu-west-1");
    await form.locator('select[name="type"]').selectOption("NUMBER");
    await form.locator('[name="value"]').fill("42");
    await form.getByRole("button", { name: "Save" }).click();
    await page.getByRole("status").getByText("Saved region (NUMBER)").waitFor();
    expect(await (await kv("region")).json()).toEqual({ type: "NUMBER", value: 42 });
    await add("owner", "STRING", "data-team");
    await page.locator('tr[data-key="owner"]').waitFor();
    await screenshot(page, "namespace-kv");

    await page.getByRole("button", { name: "Delete owner" }).click();
    await page.locator('tr[data-key="owner"]').waitFor({ state: "detached" });
    expect((await kv("owner")).status).toBe(404);
  });

  it("lists namespaces and shows a namespace's flows and executions", async () => {
    await page.goto(`${ui.url}/ui/namespaces`);
    await page.getByRole("searchbox", { name: "Search namespaces" }).fill("team");
    await page.waitForURL(/q=team/);
    await page.getByRole("link", { name: NS, exact: true }).click();
    await page.waitForURL(new RegExp(`/ui/namespaces/edit/${NS}$`));
    // each figure shows "…" until its own request answers
    await expect.poll(() => page.locator('[data-stat="flows"]').textContent()).toBe("4");
    await expect.poll(() => page.locator('[data-stat="executions"]').textContent()).toBe("7");
    await expect.poll(() => page.locator('[data-stat="failed"]').textContent()).toBe("2");
    await page.getByRole("link", { name: "nightly" }).first().waitFor();
    // the Triggers tab embeds the triggers admin scoped to the namespace, without its own frame
    await page.getByRole("tab", { name: "Triggers" }).click();
    await page.locator(`tr[data-trigger="${NS}/nightly/schedule"]`).waitFor();
    expect(await page.locator("h1").count()).toBe(1);
    expect(await page.getByRole("searchbox", { name: "Search triggers" }).count()).toBe(0);
  });

  it("opens, edits and creates namespace files", async () => {
    const form = new FormData();
    form.append("fileContent", new Blob(["echo one\n"]), "run.sh");
    await apiJson(`${ui.api}/namespaces/${NS}/files?path=/scripts/run.sh`, { method: "POST", body: form });
    await page.goto(`${ui.url}/ui/namespaces/edit/${NS}/files`);
    await page.locator('.file-tree button[data-path="/scripts"]').click();
    await page.locator('.file-tree button[data-path="/scripts/run.sh"]').click();
    const editor = page.locator(".cm-content");
    await expect.poll(() => editor.textContent()).toContain("echo one");
    await editor.click();
    await page.keyboard.press("Control+End");
    await page.keyboard.type("echo two");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByRole("status").getByText("Saved /scripts/run.sh").waitFor();
    const saved = await fetch(`${ui.api}/namespaces/${NS}/files?path=/scripts/run.sh`);
    expect(await saved.text()).toBe("echo one\necho two");
    await page.getByRole("button", { name: "New file" }).click();
    await page.getByRole("status").getByText("Created /scripts/new.sh").waitFor();
    expect((await fetch(`${ui.api}/namespaces/${NS}/files?path=/scripts/new.sh`)).status).toBe(200);
  });

  it("disables and enables a trigger, as the API sees it", async () => {
    const disabled = async () =>
      (
        await apiJson<{ results: { triggerContext: { triggerId: string; disabled: boolean } }[] }>(
          `${ui.api}/triggers/search?namespace=${NS}`,
        )
      ).results.find((r) => r.triggerContext.triggerId === "schedule")?.triggerContext.disabled;
    expect(await disabled()).toBe(false);
    await page.goto(`${ui.url}/ui/admin/triggers`);
    const row = page.locator(`tr[data-trigger="${NS}/nightly/schedule"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain("Schedule");
    // its next date is shown
    expect(await row.locator("td").nth(4).textContent()).toMatch(
      /^\d{4}-\d{2}-\d{2} 02:00:00$|^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/,
    );
    await row.getByRole("switch").uncheck();
    await page.getByRole("status").getByText("nightly.schedule disabled").waitFor();
    expect(await disabled()).toBe(true);
    await expect.poll(() => row.textContent()).toContain("disabled");
    await screenshot(page, "triggers");
    // bulk enable
    await row.getByRole("checkbox", { name: "Select nightly.schedule" }).check();
    await page.getByRole("button", { name: "Enable selected" }).click();
    await page.getByRole("status").getByText("1 trigger enabled").waitFor();
    expect(await disabled()).toBe(false);
    // a backfill of the Schedule trigger over the last three days, then deleted
    await row.getByRole("button", { name: "Backfill" }).click();
    const dialog = page.getByRole("dialog", { name: "Backfill" });
    const local = (ms: number) => {
      const d = new Date(Date.now() - ms);
      const pad = (n: number) => String(n).padStart(2, "0");
      return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
    };
    await dialog.locator('input[name="start"]').fill(local(3 * 86_400_000));
    // paused, so that it stays until deleted (a running one ends as soon as it reaches now)
    await dialog.getByRole("checkbox", { name: "Start paused" }).check();
    await dialog.getByRole("button", { name: "Start backfill" }).click();
    await page.getByRole("status").getByText("Backfill of nightly.schedule created, paused").waitFor();
    await row.getByRole("button", { name: "Resume" }).waitFor();
    const backfill = async () =>
      (
        await apiJson<{
          results: { triggerContext: { triggerId: string; backfill?: { start: string; paused?: boolean } } }[];
        }>(`${ui.api}/triggers/search?namespace=${NS}`)
      ).results.find((r) => r.triggerContext.triggerId === "schedule")?.triggerContext.backfill;
    expect(await backfill()).toMatchObject({ start: expect.any(String), paused: true });
    await row.getByRole("button", { name: "Delete backfill" }).click();
    await page.getByRole("status").getByText("Backfill deleted").waitFor();
    expect(await backfill()).toBeUndefined();
  });

  it("switches the theme at once and keeps it after a reload", async () => {
    await page.goto(`${ui.url}/ui/settings`);
    const theme = () => page.locator("html").getAttribute("data-theme");
    await page.getByRole("radio", { name: "Dark" }).check();
    expect(await theme()).toBe("dark");
    await page.getByRole("combobox", { name: "Time zone" }).selectOption("Asia/Tokyo");
    await page.getByLabel("Default namespace").fill(NS);
    await page.reload();
    await page.getByRole("radio", { name: "Dark" }).waitFor();
    expect(await theme()).toBe("dark");
    expect(await page.getByRole("radio", { name: "Dark" }).isChecked()).toBe(true);
    expect(await page.getByRole("combobox", { name: "Time zone" }).inputValue()).toBe("Asia/Tokyo");
    expect(await page.getByLabel("Default namespace").inputValue()).toBe(NS);
    await screenshot(page, "settings");
    await page.getByRole("radio", { name: "Light" }).check();
    expect(await theme()).toBe("light");
    // "system" follows the operating system's scheme as it changes
    await page.emulateMedia({ colorScheme: "dark" });
    expect(await theme()).toBe("light");
    await page.getByRole("radio", { name: "System" }).check();
    expect(await theme()).toBe("dark");
    await page.emulateMedia({ colorScheme: "light" });
    await expect.poll(theme).toBe("light");
    expect(problems).toEqual([]);
  });
});
