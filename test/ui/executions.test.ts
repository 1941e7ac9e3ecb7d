/**
 * The executions pages in a real browser against a real `server local`: an execution watched
 * live until it ends, its logs and Gantt; a Pause resumed from the UI with an onResume input; a
 * running execution killed; a failed one restarted (a new attempt); the list's filters kept in the
 * URL across a reload; the logs search.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { browserAvailable, createFlow, startBrowserAndServer, openPage, screenshot, type UiServer } from "./browser.ts";

const enabled = browserAvailable();
const NS = "company.team";

interface ApiExecution {
  id: string;
  namespace: string;
  flowId: string;
  state: { current: string; histories: { state: string }[] };
  taskRunList?: { id: string; taskId: string; attempts?: unknown[]; outputs?: Record<string, unknown> | null }[];
}

async function startExecution(
  ui: UiServer,
  flowId: string,
  inputs: Record<string, string> = {},
): Promise<ApiExecution> {
  const form = new FormData();
  for (const [k, v] of Object.entries(inputs)) form.append(k, v);
  const response = await fetch(`${ui.api}/executions/${NS}/${flowId}?labels=team:data`, { method: "POST", body: form });
  if (!response.ok) throw new Error(`starting ${flowId}: ${response.status} ${await response.text()}`);
  return (await response.json()) as ApiExecution;
}

async function getExecution(ui: UiServer, id: string): Promise<ApiExecution> {
  return (await (await fetch(`${ui.api}/executions/${id}`)).json()) as ApiExecution;
}

async function untilState(ui: UiServer, id: string, states: string[], timeout = 30_000): Promise<ApiExecution> {
  const end = Date.now() + timeout;
  for (;;) {
    const x = await getExecution(ui, id);
    if (states.includes(x.state.current)) return x;
    if (Date.now() > end) throw new Error(`execution ${id} is ${x.state.current}, not ${states.join("/")}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const executionUrl = (ui: UiServer, x: ApiExecution, tab = "") =>
  `${ui.url}/ui/executions/${x.namespace}/${x.flowId}/${x.id}${tab ? `/${tab}` : ""}`;

/** The state badge in the page's title. */
const titleState = (page: Page) => page.locator("h1 [data-state]").getAttribute("data-state");

describe.runIf(enabled)("the executions pages", () => {
  let browser: Browser;
  let ui: UiServer;
  let context: BrowserContext;

  beforeAll(async () => {
    [browser, ui] = await startBrowserAndServer();
    context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    await createFlow(
      ui.api,
      `id: hello
namespace: ${NS}
labels:
  team: data
tasks:
  - id: greet
    type: io.kestra.plugin.core.log.Log
    message: "Hello from the UI test"
  - id: report
    type: io.kestra.plugin.core.storage.Write
    content: "id,name\\n1,alpha\\n2,beta\\n"
    extension: .csv
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: ["alpha", "beta", "gamma"]
    tasks:
      - id: item
        type: io.kestra.plugin.core.debug.Return
        format: "item {{ taskrun.value }}"
  - id: wait
    type: io.kestra.plugin.core.flow.Pause
  - id: bye
    type: io.kestra.plugin.core.log.Log
    level: WARN
    message: "Goodbye world"
`,
    );
    await createFlow(
      ui.api,
      `id: approval
namespace: ${NS}
tasks:
  - id: wait
    type: io.kestra.plugin.core.flow.Pause
    onResume:
      - id: approver
        type: STRING
  - id: done
    type: io.kestra.plugin.core.log.Log
    message: "Approved by {{ outputs.wait.onResume.approver }}"
`,
    );
    await createFlow(
      ui.api,
      `id: long
namespace: ${NS}
tasks:
  - id: sleep
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT5M
`,
    );
    await createFlow(
      ui.api,
      `id: flaky
namespace: ${NS}
tasks:
  - id: check
    type: io.kestra.plugin.core.execution.Fail
    condition: "{{ taskrun.attemptsCount == 0 }}"
    errorMessage: "fails on its first attempt"
`,
    );
  }, 120_000);
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await ui?.close();
  });

  it("shows an execution live until it ends, then its logs and its Gantt rows", async () => {
    const { page, problems } = await openPage(context, ui.url);
    const x = await startExecution(ui, "hello");
    await page.goto(executionUrl(ui, x));
    await page.evaluate(() => ((globalThis as unknown as { marker: number }).marker = 42));
    // it is paused until the test resumes it (however slow the machine, the page sees it live),
    // then ends without a reload
    await expect.poll(() => titleState(page), { timeout: 30_000 }).toBe("PAUSED");
    const resumed = await fetch(`${ui.api}/executions/${x.id}/resume`, { method: "POST" });
    expect(resumed.status).toBe(204);
    await expect.poll(() => titleState(page), { timeout: 30_000 }).toBe("SUCCESS");
    expect(await page.evaluate(() => (globalThis as unknown as { marker?: number }).marker)).toBe(42);
    const history = page.getByLabel("State history");
    await expect
      .poll(() => history.locator("[data-state]").allTextContents())
      .toEqual(["CREATED", "RUNNING", "PAUSED", "RESTARTED", "RUNNING", "SUCCESS"]);
    await expect.poll(() => page.getByLabel("Inputs").textContent()).toContain("None");
    await screenshot(page, "execution-overview");

    await page.getByRole("tab", { name: "Logs" }).click();
    await page.waitForURL(/\/logs$/);
    const list = page.getByRole("log");
    await list.getByText("Hello from the UI test").waitFor();
    await list.getByText("Goodbye world").waitFor();
    // a minimum level of WARN hides the INFO line, and is kept in the URL
    await page.getByLabel("Minimum level").selectOption("WARN");
    await list.getByText("Hello from the UI test").waitFor({ state: "detached" });
    expect(page.url()).toContain("level=WARN");
    await list.getByText("Goodbye world").waitFor();
    await page.getByLabel("Minimum level").selectOption("INFO");
    await page.getByLabel("Task", { exact: true }).selectOption("greet");
    await list.getByText("Goodbye world").waitFor({ state: "detached" });
    await list.getByText("Hello from the UI test").waitFor();
    await page.getByLabel("Task", { exact: true }).selectOption("");
    await screenshot(page, "execution-logs");
    // the download is the API's text of the lines at the level shown
    const [file] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Download" }).click(),
    ]);
    expect(file.suggestedFilename()).toBe(`${x.id}.log`);
    const text = readFileSync(await file.path(), "utf8");
    expect(text).toContain("INFO Hello from the UI test");
    expect(text).not.toContain("DEBUG");

    await page.getByRole("tab", { name: "Gantt" }).click();
    const rows = page.locator(".gantt-row");
    const api = await getExecution(ui, x.id);
    await expect.poll(() => rows.count()).toBe(api.taskRunList!.length);
    expect(await rows.locator(".gantt-label").allTextContents()).toEqual([
      "greet",
      "report",
      "each",
      "item [alpha]",
      "item [beta]",
      "item [gamma]",
      "wait",
      "bye",
    ]);
    expect(await page.locator('.gantt-row[data-state="SUCCESS"]').count()).toBe(8);
    // a click shows the task run's logs and outputs
    await rows.filter({ hasText: "item [beta]" }).click();
    await page.getByLabel("Task run").getByText('"value": "item beta"').waitFor();
    await rows.filter({ hasText: "greet" }).click();
    await page.getByLabel("Task run").getByRole("log").getByText("Hello from the UI test").waitFor();
    await screenshot(page, "execution-gantt");

    await page.getByRole("tab", { name: "Outputs" }).click();
    const tree = page.getByRole("tree", { name: "Outputs" });
    await tree.getByText("item beta").waitFor();
    // a file output is previewed from internal storage
    await tree.getByRole("treeitem").filter({ hasText: "kestra:///" }).getByRole("button", { name: "preview" }).click();
    await page.getByLabel("File preview").getByText("2,beta").waitFor();
    // the Debug expression renders in a task run's context
    const itemRun = api.taskRunList!.find((t) => t.taskId === "item")!;
    await page.getByLabel("Debug expression").getByLabel("Task run").selectOption(itemRun.id);
    await page.getByRole("textbox", { name: "Expression" }).fill("{{ taskrun.value }}!");
    await page.getByRole("button", { name: "Evaluate" }).click();
    await page.getByLabel("Result").getByText("alpha!").waitFor();
    await screenshot(page, "execution-outputs");

    await page.getByRole("tab", { name: "Topology" }).click();
    await page.locator('[data-task-id="greet"] [data-state="SUCCESS"]').first().waitFor();
    expect(problems).toEqual([]);
    await page.close();
  });

  it("resumes a paused execution with its onResume input", async () => {
    const { page, problems } = await openPage(context, ui.url);
    const x = await startExecution(ui, "approval");
    await untilState(ui, x.id, ["PAUSED"]);
    await page.goto(executionUrl(ui, x));
    await expect.poll(() => titleState(page)).toBe("PAUSED");
    await page.getByRole("button", { name: "Resume…" }).click();
    await page.waitForURL(/\/actions$/);
    const resume = page.getByLabel("Resume", { exact: true });
    await resume.getByLabel("approver").fill("Ada Lovelace");
    await resume.getByRole("button", { name: "Resume" }).click();
    await expect.poll(() => titleState(page), { timeout: 30_000 }).toBe("SUCCESS");
    const done = await getExecution(ui, x.id);
    expect(done.state.current).toBe("SUCCESS");
    const wait = done.taskRunList!.find((t) => t.taskId === "wait")!;
    expect(wait.outputs).toEqual({ onResume: { approver: "Ada Lovelace" } });
    const logs = (await (await fetch(`${ui.api}/logs/${x.id}`)).json()) as { message: string }[];
    expect(logs.map((l) => l.message)).toContain("Approved by Ada Lovelace");
    expect(problems).toEqual([]);
    await page.close();
  });

  it("kills a running execution", async () => {
    const { page, problems } = await openPage(context, ui.url);
    const x = await startExecution(ui, "long");
    await untilState(ui, x.id, ["RUNNING"]);
    await page.goto(executionUrl(ui, x, "actions"));
    await expect.poll(() => titleState(page)).toBe("RUNNING");
    await page.getByLabel("Kill", { exact: true }).getByRole("button", { name: "Kill" }).click();
    await page.getByRole("dialog", { name: "Kill this execution?" }).getByRole("button", { name: "Kill" }).click();
    await expect.poll(() => titleState(page), { timeout: 30_000 }).toBe("KILLED");
    expect((await getExecution(ui, x.id)).state.current).toBe("KILLED");

    // replayed as a new execution, which the page goes to
    await page.getByLabel("Replay", { exact: true }).getByRole("button", { name: "Replay" }).click();
    await page.waitForURL((url) => url.pathname.startsWith("/ui/executions/") && !url.pathname.includes(x.id));
    const replayId = new URL(page.url()).pathname.split("/")[5]!;
    await expect.poll(() => titleState(page)).toBe("RUNNING");
    expect(((await getExecution(ui, replayId)) as ApiExecution & { originalId?: string }).originalId).toBe(x.id);
    await fetch(`${ui.api}/executions/${replayId}/kill`, { method: "DELETE" });
    await expect.poll(() => titleState(page), { timeout: 30_000 }).toBe("KILLED");

    // deleted after a confirmation: the list opens and the API no longer knows it
    await page.goto(executionUrl(ui, x, "actions"));
    await page.getByLabel("Delete", { exact: true }).getByRole("button", { name: "Delete" }).click();
    await page.getByRole("dialog", { name: "Delete this execution?" }).getByRole("button", { name: "Delete" }).click();
    await page.waitForURL(/\/ui\/executions$/);
    expect((await fetch(`${ui.api}/executions/${x.id}`)).status).toBe(404);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("restarts a failed execution: the failed task gets a new attempt", async () => {
    const { page, problems } = await openPage(context, ui.url);
    const x = await startExecution(ui, "flaky");
    await untilState(ui, x.id, ["FAILED"]);
    await page.goto(executionUrl(ui, x));
    await expect.poll(() => titleState(page)).toBe("FAILED");
    await page.getByRole("button", { name: "Restart…" }).click();
    await page.getByLabel("Restart", { exact: true }).getByRole("button", { name: "Restart" }).click();
    // the same execution, restarted: its history shows RESTARTED and the task run a second attempt
    await expect
      .poll(async () => (await getExecution(ui, x.id)).state.histories.map((h) => h.state), { timeout: 30_000 })
      .toContain("RESTARTED");
    // the Fail task fails only on its first attempt: the restarted execution succeeds
    const after = await untilState(ui, x.id, ["SUCCESS", "FAILED"]);
    expect(after.state.current).toBe("SUCCESS");
    expect(after.taskRunList![0]!.attempts).toHaveLength(2);
    await expect.poll(() => titleState(page), { timeout: 30_000 }).toBe(after.state.current);
    await page.getByRole("tab", { name: "Overview" }).click();
    await page.getByLabel("State history").locator('[data-state="RESTARTED"]').waitFor();
    await page.getByRole("tab", { name: "Gantt" }).click();
    await expect.poll(() => page.locator(".gantt-row").first().locator(".gantt-bar").count()).toBe(2);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("keeps the list's filters in the URL across a reload, and acts on a selection", async () => {
    const { page, problems } = await openPage(context, ui.url);
    await page.goto(`${ui.url}/ui/executions`);
    const table = page.getByRole("table", { name: "Executions" });
    await expect.poll(() => table.locator("tbody tr").count()).toBeGreaterThanOrEqual(4);
    await screenshot(page, "executions-list");
    await page.getByRole("group", { name: "States" }).getByRole("button", { name: "SUCCESS" }).click();
    await page.getByLabel("Flow").fill("hello");
    await page.waitForURL(/flowId=hello/);
    expect(page.url()).toContain("state=SUCCESS");
    await expect.poll(() => table.locator("tbody tr").count()).toBe(1);
    await page.reload();
    await expect.poll(() => table.locator("tbody tr").count()).toBe(1);
    expect(await page.getByLabel("Flow").inputValue()).toBe("hello");
    expect(
      await page
        .getByRole("group", { name: "States" })
        .getByRole("button", { name: "SUCCESS" })
        .getAttribute("aria-pressed"),
    ).toBe("true");
    // the label filter narrows by label
    await page.getByLabel("Label").fill("team:none");
    await expect.poll(() => table.locator("tbody tr").count()).toBe(0);
    await page.getByLabel("Label").fill("team:data");
    await expect.poll(() => table.locator("tbody tr").count()).toBe(1);

    // bulk: replay the selected execution makes a new one of the flow
    const before = ((await (await fetch(`${ui.api}/executions/search?flowId=hello`)).json()) as { total: number })
      .total;
    await page.getByLabel("Select all").check();
    await page.getByRole("toolbar", { name: "Bulk actions" }).getByRole("button", { name: "Replay" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Replay" }).click();
    await page.getByRole("status").getByText("Replay: 1 execution(s)").waitFor();
    await expect
      .poll(
        async () =>
          ((await (await fetch(`${ui.api}/executions/search?flowId=hello`)).json()) as { total: number }).total,
      )
      .toBe(before + 1);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("searches logs across executions", async () => {
    const { page, problems } = await openPage(context, ui.url);
    await page.goto(`${ui.url}/ui/logs?q=Approved`);
    const list = page.getByRole("log");
    await list.getByText("Approved by Ada Lovelace").waitFor();
    expect(await list.locator(".log-line").count()).toBe(1);
    await page.getByLabel("Minimum level").selectOption("WARN");
    await list.getByText("Approved by Ada Lovelace").waitFor({ state: "detached" });
    expect(page.url()).toContain("level=WARN");
    expect(problems).toEqual([]);
    await page.close();
  });
});
