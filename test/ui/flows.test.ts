/**
 * The flows pages in a real browser: the list filtered as you type (and by namespace, kept in the
 * URL), bulk disable, enable, export and delete; a flow's tabs, its topology, a save from the
 * editor, the diff of two revisions and the restore of an old one, checked through the API.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page, Request } from "playwright-core";
import { browserAvailable, createFlow, startBrowserAndServer, openPage, screenshot, type UiServer } from "./browser.ts";

const enabled = browserAvailable();

const DEMO = `id: demo
namespace: company.team
description: |
  Greets someone, then says hello twice in parallel.
labels:
  env: prod
  team: data
inputs:
  - id: name
    type: STRING
    defaults: world
    description: Who to greet
tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: "Hello {{ inputs.name }}"
  - id: par
    type: io.kestra.plugin.core.flow.Parallel
    tasks:
      - id: a
        type: io.kestra.plugin.core.log.Log
        message: a
      - id: b
        type: io.kestra.plugin.core.log.Log
        message: b
  - id: last
    type: io.kestra.plugin.core.log.Log
    message: done
errors:
  - id: onerr
    type: io.kestra.plugin.core.log.Log
    message: failed
triggers:
  - id: hourly
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 * * * *"
`;

const simple = (namespace: string, id: string, labels = "") =>
  `id: ${id}\nnamespace: ${namespace}\n${labels}tasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: hello from ${id}\n`;

describe.runIf(enabled)("the flows pages", () => {
  let browser: Browser;
  let ui: UiServer;
  let context: BrowserContext;

  const getJson = async <T>(path: string): Promise<{ status: number; body: T }> => {
    const response = await fetch(ui.api + path);
    return { status: response.status, body: (await response.json().catch(() => undefined)) as T };
  };

  beforeAll(async () => {
    [browser, ui] = await startBrowserAndServer();
    context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
    await createFlow(ui.api, DEMO);
    const docs: string[] = [];
    for (let i = 1; i <= 12; i++) docs.push(simple("company.alpha", `alpha-${String(i).padStart(2, "0")}`));
    for (let i = 1; i <= 12; i++)
      docs.push(simple("company.beta", `beta-${String(i).padStart(2, "0")}`, "labels:\n  team: beta\n"));
    for (let i = 1; i <= 6; i++) docs.push(simple("marketing.emails", `newsletter-${i}`));
    const bulk = await fetch(`${ui.api}/flows/bulk`, {
      method: "POST",
      headers: { "Content-Type": "application/x-yaml" },
      body: docs.join("---\n"),
    });
    expect(bulk.status).toBe(200);
    // a few executions, so the list and the overview show last states
    for (const flow of ["company.team/demo", "company.alpha/alpha-01", "company.alpha/alpha-02"]) {
      const response = await fetch(`${ui.api}/executions/${flow}`, { method: "POST", body: new FormData() });
      expect(response.status).toBe(200);
      const { id } = (await response.json()) as { id: string };
      // ended before the pages open (the list shows the last ended execution of each flow)
      const deadline = Date.now() + 20_000;
      let state = "";
      while (state !== "SUCCESS" && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        const execution = (await (await fetch(`${ui.api}/executions/${id}`)).json()) as { state: { current: string } };
        state = execution.state.current;
      }
      expect(state).toBe("SUCCESS");
    }
  }, 60_000);
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await ui?.close();
  });

  const rows = (page: Page) => page.locator("table[aria-label=Flows] tbody tr");
  const shownIds = (page: Page) =>
    page
      .locator("table[aria-label=Flows] tbody tr td:nth-child(2)")
      .evaluateAll((tds) => tds.map((t) => t.textContent));

  it("filters the list as you type, by namespace, and keeps the filters in the URL", async () => {
    const { page, problems } = await openPage(context, ui.url);
    await page.goto(`${ui.url}/ui/flows`);
    await expect.poll(() => page.locator("table[aria-label=Flows]").getAttribute("data-total")).toBe("31");
    await expect.poll(() => rows(page).count()).toBe(25);
    // the last execution's state is shown for the flows that ran
    await expect
      .poll(() => page.locator('tr[data-flow="company.team.demo"] [data-state]').getAttribute("data-state"))
      .toBe("SUCCESS");
    expect(await page.locator('tr[data-flow="company.alpha.alpha-03"] [data-state]').count()).toBe(0);
    await screenshot(page, "flows-list");

    await page.getByLabel("Search flows").pressSequentially("beta-0", { delay: 40 });
    await page.locator('table[aria-label=Flows][data-results-for="beta-0"]').waitFor();
    await expect.poll(() => shownIds(page)).toEqual(Array.from({ length: 9 }, (_, i) => `beta-0${i + 1}`));
    expect(new URL(page.url()).searchParams.get("q")).toBe("beta-0");
    // typing more narrows it down; deleting widens it again
    await page.getByLabel("Search flows").press("7");
    await expect.poll(() => shownIds(page)).toEqual(["beta-07"]);
    await page.getByLabel("Search flows").press("Backspace");
    await page.getByLabel("Search flows").press("Backspace");
    await expect.poll(() => page.locator("table[aria-label=Flows]").getAttribute("data-total")).toBe("12");

    // an older search that answers late does not replace the newer one's results
    const isAlp = (url: string) =>
      url.includes("/api/v1/flows/search?") && new URL(url).searchParams.get("filters[q][EQUALS]") === "alp";
    let releaseAlp = () => {};
    const alpHeld = new Promise<void>((resolve) => (releaseAlp = resolve));
    await page.route("**/api/v1/flows/search?**", async (route) => {
      if (isAlp(route.request().url())) await alpHeld;
      // the page may have given up on it meanwhile (aborted): nothing to continue then
      await route.continue().catch(() => undefined);
    });
    const alpSent = page.waitForRequest((r) => isAlp(r.url()), { timeout: 20_000 });
    // answered late, or aborted by the page once the newer search started
    const alpAnswered = new Promise<void>((resolve) => {
      const done = (r: Request) => isAlp(r.url()) && resolve();
      page.on("requestfinished", done);
      page.on("requestfailed", done);
    });
    await page.getByLabel("Search flows").fill("alp");
    await alpSent; // committed: its search is under way (held back until the newer one is shown)
    await page.getByLabel("Search flows").fill("alpha-01");
    await page.locator('table[aria-label=Flows][data-results-for="alpha-01"]').waitFor();
    releaseAlp();
    await alpAnswered;
    // the late answer has been read by the page (its fetch resolved, React rendered) before the check
    await page.evaluate("new Promise((r) => setTimeout(() => requestAnimationFrame(r), 50))");
    expect(await page.locator("table[aria-label=Flows]").getAttribute("data-results-for")).toBe("alpha-01");
    expect(await shownIds(page)).toEqual(["alpha-01"]);
    await page.unroute("**/api/v1/flows/search?**");
    await page.getByLabel("Search flows").fill("beta-");
    await page.locator('table[aria-label=Flows][data-results-for="beta-"]').waitFor();

    // a reload keeps the filter; the namespace filter is a prefix
    await page.reload();
    await expect.poll(() => page.getByLabel("Search flows").inputValue()).toBe("beta-");
    await page.getByLabel("Search flows").fill("");
    await page.getByLabel("Namespace").fill("marketing");
    await expect.poll(() => shownIds(page)).toEqual(Array.from({ length: 6 }, (_, i) => `newsletter-${i + 1}`));
    expect(new URL(page.url()).searchParams.get("namespace")).toBe("marketing");
    await page.getByLabel("Namespace").fill("");
    await page.getByLabel("Label").fill("team:beta");
    await expect.poll(() => page.locator("table[aria-label=Flows]").getAttribute("data-total")).toBe("12");
    // no match
    await page.getByLabel("Search flows").fill("no-such-flow");
    await page.getByText("No flow matches these filters.").waitFor();
    // paging and sorting
    await page.goto(`${ui.url}/ui/flows?sort=id:desc&size=10&page=2`);
    await expect
      .poll(() => shownIds(page))
      .toEqual([...Array.from({ length: 9 }, (_, i) => `beta-0${9 - i}`), "alpha-12"]);
    await page.getByRole("button", { name: "Next" }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get("page")).toBe("3");
    await page.getByText("21–30 of 31").waitFor();
    expect(problems).toEqual([]);
    await page.close();
  });

  it("disables, enables, exports and deletes selected flows", async () => {
    const { page, problems } = await openPage(context, ui.url);
    await page.goto(`${ui.url}/ui/flows?q=beta`);
    await expect.poll(() => rows(page).count()).toBe(12);
    await page.getByLabel("Select all on this page").check();
    await page.getByText("12 selected").waitFor();
    await page.getByRole("toolbar", { name: "Bulk actions" }).getByRole("button", { name: "Disable" }).click();
    await page.getByRole("status").getByText("12 flows disabled").waitFor();
    expect((await getJson<{ disabled: boolean }>("/flows/company.beta/beta-03")).body.disabled).toBe(true);
    await expect
      .poll(() => page.locator('tr[data-flow="company.beta.beta-03"] td:last-child').textContent())
      .toBe("Disabled");
    await page.getByRole("toolbar", { name: "Bulk actions" }).getByRole("button", { name: "Enable" }).click();
    await page.getByRole("status").getByText("12 flows enabled").waitFor();
    expect((await getJson<{ disabled: boolean }>("/flows/company.beta/beta-03")).body.disabled).toBe(false);

    // every flow the filters match, beyond the page: by query
    await page.goto(`${ui.url}/ui/flows?q=alpha&size=10`);
    await expect.poll(() => rows(page).count()).toBe(10);
    await page.getByLabel("Select all on this page").check();
    await page.getByRole("button", { name: "Select all 12 flows matching" }).click();
    await page.getByText("All 12 flows matching selected").waitFor();
    await page.getByRole("toolbar", { name: "Bulk actions" }).getByRole("button", { name: "Disable" }).click();
    await page.getByRole("status").getByText("12 flows disabled").waitFor();
    expect((await getJson<{ disabled: boolean }>("/flows/company.alpha/alpha-12")).body.disabled).toBe(true);
    expect((await getJson<{ disabled: boolean }>("/flows/company.beta/beta-12")).body.disabled).toBe(false);
    await page.getByRole("toolbar", { name: "Bulk actions" }).getByRole("button", { name: "Enable" }).click();
    await page.getByRole("status").getByText("12 flows enabled").waitFor();
    expect((await getJson<{ disabled: boolean }>("/flows/company.alpha/alpha-12")).body.disabled).toBe(false);

    // export two flows: one YAML file with both sources
    await page.goto(`${ui.url}/ui/flows?q=beta`);
    await expect.poll(() => rows(page).count()).toBe(12);
    await page.getByLabel("Select company.beta.beta-11").check();
    await page.getByLabel("Select company.beta.beta-12").check();
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("toolbar", { name: "Bulk actions" }).getByRole("button", { name: "Export" }).click(),
    ]);
    const path = await download.path();
    const { readFileSync } = await import("node:fs");
    const text = readFileSync(path, "utf8");
    const sourceOf = async (id: string) =>
      (await getJson<{ source: string }>(`/flows/company.beta/${id}?source=true`)).body.source.replace(/\n?$/, "\n");
    expect(text).toBe(`${await sourceOf("beta-11")}---\n${await sourceOf("beta-12")}`);
    expect(text).toContain("message: hello from beta-12");

    // delete them, after a confirmation
    await page.getByRole("toolbar", { name: "Bulk actions" }).getByRole("button", { name: "Delete" }).click();
    const dialog = page.getByRole("dialog", { name: "Delete 2 flows?" });
    await dialog.getByText("company.beta.beta-11").waitFor();
    await dialog.getByRole("button", { name: "Delete" }).click();
    await page.getByRole("status").getByText("2 flows deleted").waitFor();
    expect((await getJson("/flows/company.beta/beta-11")).status).toBe(404);
    expect((await getJson("/flows/company.beta/beta-12")).status).toBe(404);
    expect((await getJson("/flows/company.beta/beta-10")).status).toBe(200);
    await expect.poll(() => rows(page).count()).toBe(10);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("shows a flow's overview, its topology and its other tabs, and a not-found page for a missing flow", async () => {
    const { page, problems } = await openPage(context, ui.url);
    await page.goto(`${ui.url}/ui/flows`);
    await page.getByRole("link", { name: "demo", exact: true }).click();
    await page.waitForURL(`${ui.url}/ui/flows/edit/company.team/demo`);
    await page.getByText("Greets someone, then says hello twice in parallel.").waitFor();
    const inputs = page.getByRole("table", { name: "Inputs" });
    await inputs.getByText("Who to greet").waitFor();
    await page.getByRole("table", { name: "Triggers" }).getByText("hourly").waitFor();
    await page.locator(".label-chip", { hasText: "env:prod" }).waitFor();
    const last = page.getByRole("region", { name: "Last executions" });
    await expect
      .poll(() => last.locator("[data-state]").first().getAttribute("data-state"), { timeout: 20_000 })
      .toBe("SUCCESS");
    await screenshot(page, "flow-overview");

    await page.getByRole("tab", { name: "Topology" }).click();
    await page.waitForURL(/\/topology$/);
    const topology = page.getByRole("group", { name: "Topology" });
    for (const id of ["hello", "par", "a", "b", "last", "onerr"])
      await topology.locator(`[data-task-id="${id}"]`).waitFor();
    await topology.locator('[data-trigger-id="hourly"]').waitFor();
    await topology.locator('[data-cluster="cluster_root.par"]').getByText("par").waitFor();
    // the tasks are laid out top to bottom: hello above the parallel branches, side by side, above last
    const box = async (id: string) => (await topology.locator(`[data-task-id="${id}"]`).boundingBox())!;
    const [hello, a, b, lastTask] = await Promise.all([box("hello"), box("a"), box("b"), box("last")]);
    expect(hello.y + hello.height).toBeLessThan(a.y);
    expect(a.y).toBe(b.y);
    expect(Math.abs(a.x - b.x)).toBeGreaterThanOrEqual(a.width);
    expect(a.y + a.height).toBeLessThan(lastTask.y);
    await topology.locator('[data-task-id="a"]').click();
    await page.getByRole("complementary", { name: "Task" }).getByText("message: a").waitFor();
    expect(await topology.locator('[data-task-id="a"]').getAttribute("aria-pressed")).toBe("true");
    await screenshot(page, "flow-topology");

    for (const tab of ["Executions", "Triggers", "Logs"]) {
      await page.getByRole("tab", { name: tab }).click();
      await page.waitForURL(new RegExp(`/${tab.toLowerCase()}$`));
      await expect.poll(() => page.locator("h1").count()).toBeGreaterThan(0);
      expect(await page.locator(".error-view").count()).toBe(0);
    }

    // Execute opens the dialog, which starts an execution and goes to it
    await page.getByRole("tab", { name: "Overview" }).click();
    await page.getByRole("button", { name: "Execute" }).first().click();
    await page.getByRole("dialog", { name: "Execute" }).getByRole("button", { name: "Execute" }).click();
    await page.waitForURL(/\/ui\/executions\/company\.team\/demo\/[A-Za-z0-9]+$/);
    const executionId = page.url().split("/").at(-1)!;
    expect((await getJson<{ flowId: string }>(`/executions/${executionId}`)).body.flowId).toBe("demo");

    await page.goto(`${ui.url}/ui/flows/edit/company.team/no-such-flow`);
    await expect.poll(() => page.locator(".error-view h2").textContent()).toBe("Not found");
    await page.getByText("Flow 'company.team/no-such-flow' not found").waitFor();
    expect(problems.filter((p) => !p.includes("404"))).toEqual([]);
    await page.close();
  });

  it("saves a new revision from the editor, shows the API's error, diffs two revisions and restores an old one", async () => {
    const { page, problems } = await openPage(context, ui.url);
    await page.goto(`${ui.url}/ui/flows/edit/company.team/demo/edit`);
    // the editor is CodeMirror: its text is its lines; a new text replaces all of it
    const source = page.locator(".cm-content");
    const text = () =>
      source.evaluate((el) => [...el.querySelectorAll(".cm-line")].map((l) => l.textContent ?? "").join("\n"));
    const replace = async (yaml: string) => {
      await source.click();
      await page.keyboard.press("Control+A");
      await page.keyboard.insertText(yaml);
      await page.keyboard.press("Escape");
    };
    await expect.poll(text).toBe(DEMO);
    const edited = DEMO.replace("Greets someone", "Greets a friend").replace("message: done", "message: all done");
    await replace(edited);
    const editorOfRevision1 = await page.locator(".cm-editor").elementHandle();
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("status").getByText("Saved as revision 2").waitFor();
    // the page reads the flow again and makes a new editor for revision 2: the next edit goes into
    // that one (typed into the old one, it would be lost with it, and the save would change nothing)
    await expect.poll(() => editorOfRevision1!.evaluate((el) => el.isConnected)).toBe(false);
    const saved = await getJson<{ revision: number; source: string }>("/flows/company.team/demo?source=true");
    expect(saved.body.revision).toBe(2);
    expect(saved.body.source).toBe(edited);

    // an invalid update is refused with the API's message, and nothing is saved
    await replace(edited.replace("id: demo", "id: renamed"));
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("alert").getByText("differs from the URL's").first().waitFor();
    expect((await getJson<{ revision: number }>("/flows/company.team/demo")).body.revision).toBe(2);

    await page.getByRole("tab", { name: "Revisions" }).click();
    const list = page.getByRole("list", { name: "Revisions" });
    await list.getByText("Revision 2").waitFor();
    const diff = page.getByRole("table", { name: "Diff of revisions 1 and 2" });
    await diff.waitFor();
    const changed = await diff
      .locator('tr[data-kind="change"]')
      .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent)));
    const lines = DEMO.split("\n");
    const at = (text: string) => String(lines.indexOf(text) + 1);
    const description = "  Greets someone, then says hello twice in parallel.";
    expect(changed).toEqual([
      [at(description), description, at(description), description.replace("Greets someone", "Greets a friend")],
      [at("    message: done"), "    message: done", at("    message: done"), "    message: all done"],
    ]);
    expect(await diff.locator('tr[data-kind="equal"]').count()).toBe(DEMO.split("\n").length - 1 - 2);
    await screenshot(page, "flow-revisions");
    // the same revision on both sides: no change
    await page.getByLabel("From revision").selectOption("2");
    await page.getByText("The same revision on both sides").waitFor();
    expect(await page.locator('table.diff tr[data-kind="change"]').count()).toBe(0);

    await page.getByRole("button", { name: "Restore revision 1" }).click();
    await page.getByRole("dialog", { name: "Restore revision 1?" }).getByRole("button", { name: "Restore" }).click();
    await page.getByRole("status").getByText("Revision 1 restored as revision 3").waitFor();
    const revisions = await getJson<{ revision: number; source: string }[]>("/flows/company.team/demo/revisions");
    expect(revisions.body.map((r) => r.revision)).toEqual([1, 2, 3]);
    const current = await getJson<{ revision: number; source: string }>("/flows/company.team/demo?source=true");
    expect(current.body.revision).toBe(3);
    expect(current.body.source).toBe(DEMO);
    await list.getByText("Revision 3").waitFor();
    // the placeholder editor does not catch the rejected save: its unhandled rejection is expected
    expect(problems.filter((p) => !p.includes("differs from the URL"))).toEqual([]);
    await page.close();
  });

  it("disables, enables and deletes a flow from its page", async () => {
    const { page, problems } = await openPage(context, ui.url);
    await page.goto(`${ui.url}/ui/flows/edit/marketing.emails/newsletter-1`);
    await page.getByRole("button", { name: "Disable" }).click();
    await page.getByRole("status").getByText("The flow is disabled").waitFor();
    expect((await getJson<{ disabled: boolean }>("/flows/marketing.emails/newsletter-1")).body.disabled).toBe(true);
    await page.getByRole("button", { name: "Enable" }).click();
    await page.getByRole("status").getByText("The flow is enabled").waitFor();
    expect((await getJson<{ disabled: boolean }>("/flows/marketing.emails/newsletter-1")).body.disabled).toBe(false);
    await page.getByRole("button", { name: "Delete" }).click();
    await page
      .getByRole("dialog", { name: "Delete marketing.emails.newsletter-1?" })
      .getByRole("button", { name: "Delete" })
      .click();
    await page.waitForURL(`${ui.url}/ui/flows`);
    expect((await getJson("/flows/marketing.emails/newsletter-1")).status).toBe(404);
    expect(problems).toEqual([]);
    await page.close();
  });
});
