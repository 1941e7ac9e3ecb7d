/**
 * The flow editor in a real browser: a flow written on /flows/new with the keyboard and
 * autocompletion (a type id, a property, an enum value, `{{ inputs.<id> }}`), a problem shown on
 * its line then gone once fixed, the live topology, Save (Ctrl-S) creating the flow, then Execute
 * with a STRING, an INT and a FILE input landing on the execution, which the API shows SUCCESS
 * with those inputs.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { browserAvailable, createFlow, startBrowserAndServer, openPage, screenshot, type UiServer } from "./browser.ts";

const enabled = browserAvailable();

/** Waits for the completion popup and picks `label` with the arrow keys and Enter. */
async function pick(page: Page, label: string): Promise<void> {
  const popup = page.locator(".cm-tooltip-autocomplete");
  await popup.waitFor();
  await popup
    .locator(".cm-completionLabel", { hasText: label })
    .first()
    .waitFor({ timeout: 5000 })
    .catch(async (e: Error) => {
      throw new Error(`${e.message}\nThe editor holds:\n${await source(page)}`);
    });
  // CodeMirror ignores the keys of a list opened less than 75 ms ago (its interactionDelay)
  await page.waitForTimeout(150);
  for (let i = 0; i < 60; i++) {
    const selected = await popup.locator("li[aria-selected] .cm-completionLabel").textContent({ timeout: 3000 });
    if (selected === label) {
      await page.keyboard.press("Enter");
      await popup.waitFor({ state: "detached" });
      return;
    }
    await page.keyboard.press("ArrowDown");
  }
  throw new Error(`'${label}' could not be selected in the completion list`);
}

/** The editor's text. */
function source(page: Page): Promise<string> {
  return page
    .locator(".cm-content")
    .evaluate((el) => [...el.querySelectorAll(".cm-line")].map((l) => l.textContent ?? "").join("\n"));
}

async function executionOf(api: string, id: string) {
  const response = await fetch(`${api}/executions/${id}`);
  return (await response.json()) as {
    state: { current: string };
    inputs: Record<string, unknown>;
    labels: { key: string; value: string }[];
    taskRunList: { taskId: string; outputs?: Record<string, unknown> }[];
  };
}

describe.runIf(enabled)("the flow editor", () => {
  let browser: Browser;
  let ui: UiServer;

  beforeAll(async () => {
    [browser, ui] = await startBrowserAndServer();
  });
  afterAll(async () => {
    await browser?.close();
    await ui?.close();
  });

  it("writes a flow with completion, shows problems on their lines, saves it and executes it with inputs", async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const { page, problems } = await openPage(context, ui.url);
    await page.goto(`${ui.url}/ui/flows/new`);
    const content = page.locator(".cm-content");
    await content.waitFor();
    expect(await source(page)).toContain("namespace: company.team");
    await page.getByRole("button", { name: "Topology" }).click();

    // start from an empty editor; the head of the flow is pasted, the rest typed
    await content.click();
    await page.keyboard.press("Control+A");
    await page.keyboard.press("Delete");
    await page.keyboard.insertText(
      [
        "id: greet",
        "namespace: company.team",
        "inputs:",
        "  - id: name",
        "    type: STRING",
        "  - id: count",
        "    type: INT",
        "  - id: data",
        "    type: FILE",
        "tasks:",
        "  - id: hello",
        "    ",
      ].join("\n"),
    );
    // a type id, from the flow schema
    await page.keyboard.type("type: io.kestra.plugin.core.log.");
    await pick(page, "io.kestra.plugin.core.log.Log");
    // a property of that type (its required one comes first)
    await page.keyboard.press("Enter");
    await page.keyboard.type("mess");
    await pick(page, "message");
    // an input inside an expression
    await page.keyboard.type("Hello {{ inputs.");
    await pick(page, "name");
    await page.keyboard.type(" }}");
    let text = await source(page);
    expect(text).toContain("    type: io.kestra.plugin.core.log.Log\n    message: Hello {{ inputs.name }}");

    // a property the type does not have: a problem on its line
    await page.keyboard.press("Enter");
    await page.keyboard.type("bogus: 1");
    await page.keyboard.press("Escape");
    const bogusLine = (await source(page)).split("\n").indexOf("    bogus: 1") + 1;
    expect(bogusLine).toBe(14);
    const problem = page.locator(".editor-problem-list li", { hasText: "unknown property 'bogus'" });
    await problem.waitFor();
    expect(await problem.getAttribute("data-line")).toBe(String(bogusLine));
    // the diagnostic underlines that line (highlighting splits it in several marks)
    await expect
      .poll(() =>
        page
          .locator(".cm-line")
          .nth(bogusLine - 1)
          .locator(".cm-lintRange-error")
          .evaluateAll((marks) => marks.map((m) => m.textContent).join("")),
      )
      .toBe("bogus: 1");
    await expect.poll(() => page.getByRole("status", { name: "Problems" }).textContent()).toBe("1 problem");
    await screenshot(page, "editor");

    // fixed with a property of the type and one of its enum values: the problem goes away
    await page.keyboard.press("Home");
    await page.keyboard.press("Shift+End");
    await page.keyboard.type("lev");
    await pick(page, "level");
    await page.keyboard.type("W");
    await pick(page, "WARN");
    await expect.poll(() => page.getByRole("status", { name: "Problems" }).textContent()).toBe("No problems");
    expect(await page.locator(".editor-problem-list").count()).toBe(0);

    // a second task reading the FILE input; the topology follows
    await page.keyboard.press("End");
    await page.keyboard.insertText(
      '\n  - id: bye\n    type: io.kestra.plugin.core.debug.Return\n    format: "{{ inputs.count }} {{ read(inputs.data) }}"',
    );
    await page.keyboard.press("Escape");
    const topology = page.getByRole("complementary", { name: "Topology" });
    await topology.locator("[data-task-id=bye]").waitFor();
    expect(
      await topology.locator("[data-task-id]").evaluateAll((ns) => ns.map((n) => n.getAttribute("data-task-id"))),
    ).toEqual(["hello", "bye"]);
    text = await source(page);
    expect(text).toContain("    level: WARN");
    expect(page.locator(".editor-dirty")).toBeTruthy();

    // Ctrl-S creates the flow and opens it
    await page.keyboard.press("Control+s");
    await page.waitForURL(`${ui.url}/ui/flows/edit/company.team/greet/edit`);
    const saved = (await (await fetch(`${ui.api}/flows/company.team/greet?source=true`)).json()) as { source: string };
    expect(saved.source).toBe(text);

    // Execute with a STRING, an INT and a FILE
    await page.locator(".page-actions").getByRole("button", { name: "Execute" }).click();
    const dialog = page.getByRole("dialog", { name: "Execute" });
    await dialog.waitFor();
    await dialog.locator("[data-input=name]").fill("Ada");
    await dialog.locator("[data-input=count]").fill("0.5");
    // checked in the browser as the server does
    await dialog.locator("[data-field=count]").getByText("Expected an integer").waitFor();
    await dialog.locator("[data-input=count]").fill("42");
    await dialog.locator("[data-input=data]").setInputFiles({
      name: "hello.txt",
      mimeType: "text/plain",
      buffer: Buffer.from("file content"),
    });
    await dialog.getByRole("button", { name: "Add a label" }).click();
    await dialog.getByLabel("Label 1 key").fill("team");
    await dialog.getByLabel("Label 1 value").fill("data");
    await screenshot(page, "execute-form");
    await dialog.getByRole("button", { name: "Execute" }).click();
    await page.waitForURL(new RegExp(`${ui.url}/ui/executions/company\\.team/greet/[A-Za-z0-9]+$`));
    const executionId = page.url().split("/").pop()!;

    let execution = await executionOf(ui.api, executionId);
    await expect
      .poll(async () => (execution = await executionOf(ui.api, executionId)).state.current, { timeout: 20_000 })
      .toBe("SUCCESS");
    expect(execution.inputs.name).toBe("Ada");
    expect(execution.inputs.count).toBe(42);
    expect(String(execution.inputs.data)).toMatch(/^kestra:\/\/\/.+\/hello\.txt$/);
    expect(execution.labels).toContainEqual({ key: "team", value: "data" });
    expect(execution.taskRunList.find((t) => t.taskId === "bye")?.outputs?.value).toBe("42 file content");
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);

  it("shows the API's error when a new flow cannot be saved, the docs of the type under the cursor, and completes a task's outputs", async () => {
    await createFlow(
      ui.api,
      "id: my_flow\nnamespace: company.team\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: x\n",
    );
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const { page } = await openPage(context, ui.url);
    await page.goto(`${ui.url}/ui/flows/new`);
    await page.locator(".cm-content").waitFor();
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("alert").getByText("Flow 'company.team/my_flow' already exists").waitFor();
    expect(page.url()).toBe(`${ui.url}/ui/flows/new`);

    await page.getByRole("button", { name: "Documentation" }).click();
    await page.locator(".cm-line", { hasText: "message: Hello World!" }).click();
    const docs = page.getByRole("complementary", { name: "Documentation" });
    await docs.getByRole("heading", { name: "Log a message" }).waitFor();
    await docs.locator("table", { hasText: "Properties" }).getByText("level", { exact: true }).waitFor();

    // a task's outputs, from its type's schema, inside an expression
    await page.keyboard.press("Control+End");
    await page.keyboard.insertText(
      "  - id: ret\n    type: io.kestra.plugin.core.debug.Return\n    format: x\n  - id: use\n    ",
    );
    await page.keyboard.press("Escape");
    await page.keyboard.type("type: io.kestra.plugin.core.log.Lo");
    await pick(page, "io.kestra.plugin.core.log.Log");
    await page.keyboard.press("Enter");
    await page.keyboard.type('message: "{{ outputs.');
    await pick(page, "ret");
    await page.keyboard.type(".");
    await pick(page, "value");
    await page.keyboard.type(" }}");
    expect((await source(page)).split("\n").at(-1)).toBe('    message: "{{ outputs.ret.value }}"');
    await docs.getByRole("heading", { name: "Log a message" }).waitFor();
    await context.close();
  });

  it("lists, creates, edits, saves and deletes namespace files from the Files panel", async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const { page, problems } = await openPage(context, ui.url);
    page.on(
      "dialog",
      (dialog) => void (dialog.type() === "prompt" ? dialog.accept("scripts/hello.sh") : dialog.accept()),
    );
    await page.goto(`${ui.url}/ui/flows/new`);
    await page.locator(".cm-content").first().waitFor();
    await page.getByRole("button", { name: "Files" }).click();
    const panel = page.getByRole("complementary", { name: "Files" });
    await panel.getByText("No files yet.").waitFor();
    await panel.getByRole("button", { name: "New file" }).click();
    const file = panel.getByRole("textbox", { name: "File /scripts/hello.sh" });
    await file.click();
    await page.keyboard.type("echo hi");
    await panel.getByRole("button", { name: "Save file" }).click();
    await panel.getByRole("status").getByText("Saved").waitFor();
    const url = `${ui.api}/namespaces/company.team/files?path=/scripts/hello.sh`;
    expect(await (await fetch(url)).text()).toBe("echo hi");

    await panel.getByRole("button", { name: "Close" }).click();
    await panel.getByRole("button", { name: "📁 scripts/" }).click();
    await panel.getByText("7 B").waitFor();
    await panel.getByRole("button", { name: "hello.sh", exact: true }).click();
    await expect.poll(() => panel.locator(".file-editor .cm-content").textContent()).toBe("echo hi");
    await panel.getByRole("button", { name: "Delete hello.sh" }).click();
    await panel.getByText("No files yet.").waitFor();
    expect((await fetch(url)).status).toBe(404);
    expect(problems.filter((p) => !p.includes("404"))).toEqual([]);
    await context.close();
  });
});
