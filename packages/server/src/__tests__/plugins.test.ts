import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sdkDir } from "@saker/engine/testing";
import { json, postYaml, startTestApi, terminated, waitForExecution, type TestApi } from "./testApi.ts";

let t: TestApi;
beforeAll(async () => {
  t = await startTestApi();
});
afterAll(() => t.close());

const svg = (base64: string) => Buffer.from(base64, "base64").toString("utf8");

describe("plugins as Kestra's UI reads them", () => {
  it("lists plugin versions with Kestra's Plugin summary", async () => {
    const plugins = await json<Record<string, any>[]>(await fetch(`${t.api}/plugins`));
    const core = plugins.find((p) => p.name === "core")!;
    expect(core).toMatchObject({
      title: "Core",
      group: "io.kestra.plugin.core",
      version: "0.1.0",
      categories: ["CORE"],
      core: true,
      manifest: { "X-Kestra-Group": "io.kestra.plugin.core" },
    });
    expect(core.tasks).toContainEqual(
      expect.objectContaining({ cls: "io.kestra.plugin.core.log.Log", title: expect.any(String) }),
    );
    expect(core.tasks).toContainEqual(
      expect.objectContaining({ cls: "io.kestra.plugin.core.flow.EachSequential", deprecated: true }),
    );
    expect(
      core.tasks.find((e: { cls: string }) => e.cls === "io.kestra.plugin.core.log.Log").deprecated,
    ).toBeUndefined();
    expect(core.tasks.some((e: { cls: string }) => e.cls.includes("$"))).toBe(false);
    expect(core.triggers).toContainEqual(expect.objectContaining({ cls: "io.kestra.plugin.core.trigger.Schedule" }));
    expect(core.aliases).toContain("io.kestra.core.tasks.flows.ForEachItem");
    for (const list of ["controllers", "storages", "taskRunners", "charts", "dataFilters", "aliases"])
      expect(Array.isArray(core[list]), list).toBe(true);
    expect(plugins.find((p) => p.name === "saker-test-plugin")).toMatchObject({
      group: "io.saker.test",
      tasks: [
        { cls: "io.saker.test.EmitMetrics" },
        { cls: "io.saker.test.FailUntilFile" },
        { cls: "io.saker.test.WriteFile" },
      ],
      categories: [],
    });
  });

  it("lists subgroups after the plugins, each with its own types", async () => {
    const all = await json<Record<string, any>[]>(await fetch(`${t.api}/plugins/groups/subgroups`));
    const flow = all.find((p) => p.subGroup === "io.kestra.plugin.core.flow")!;
    expect(flow).toMatchObject({ name: "core", title: "flow", group: "io.kestra.plugin.core" });
    expect(flow.tasks.every((e: { cls: string }) => e.cls.startsWith("io.kestra.plugin.core.flow."))).toBe(true);
    expect(flow.tasks.map((e: { cls: string }) => e.cls)).toContain("io.kestra.plugin.core.flow.Parallel");
    expect(all.filter((p) => p.subGroup === undefined).map((p) => p.name)).toEqual(
      expect.arrayContaining(["core", "saker-test-plugin"]),
    );
  });

  it("gives every type and alias an icon (base64 SVG), flowables marked", async () => {
    const response = await fetch(`${t.api}/plugins/icons`);
    expect(response.headers.get("cache-control")).toContain("max-age");
    const icons = await json<Record<string, { name: string; icon: string; flowable: boolean }>>(response);
    expect(icons["io.kestra.plugin.core.flow.Parallel"]).toMatchObject({ name: "Parallel", flowable: true });
    expect(icons["io.kestra.plugin.core.log.Log"]).toMatchObject({ name: "Log", flowable: false });
    expect(icons["io.kestra.core.tasks.flows.ForEachItem"]).toMatchObject({ name: "ForEachItem", flowable: true });
    expect(icons["io.saker.test.WriteFile"]).toBeDefined();
    for (const [type, { icon }] of Object.entries(icons))
      expect(svg(icon), type).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    // Different groups get different default glyphs.
    expect(icons["io.kestra.plugin.core.flow.Parallel"]!.icon).not.toBe(icons["io.kestra.plugin.core.log.Log"]!.icon);
  });

  it("gives each group and subgroup an icon", async () => {
    const icons = await json<Record<string, { name: string; icon: string; flowable: boolean }>>(
      await fetch(`${t.api}/plugins/icons/groups`),
    );
    expect(icons["io.kestra.plugin.core"]).toMatchObject({ name: "plugin-icon", flowable: false });
    expect(Object.keys(icons)).toEqual(
      expect.arrayContaining(["io.kestra.plugin.core.flow", "io.kestra.plugin.core.log", "io.saker.test"]),
    );
    expect(svg(icons["io.kestra.plugin.core.flow"]!.icon)).toContain("<svg");
  });

  it("lists input types and documents each, with `type` as a constant; 404 for an unknown one", async () => {
    const types = await json<{ type: string; cls: string }[]>(await fetch(`${t.api}/plugins/inputs`));
    expect(types).toContainEqual({ type: "STRING", cls: "io.kestra.core.models.flows.input.StringInput" });
    expect(types).toContainEqual({ type: "DATETIME", cls: "io.kestra.core.models.flows.input.DateTimeInput" });
    const select = await json(await fetch(`${t.api}/plugins/inputs/SELECT`));
    expect(select.markdown).toContain("# SELECT input");
    expect(select.schema.properties.properties.type).toEqual({ const: "SELECT" });
    expect(Object.keys(select.schema.properties.properties)).toEqual(
      expect.arrayContaining(["id", "values", "expression", "defaults"]),
    );
    const missing = await fetch(`${t.api}/plugins/inputs/NOPE`);
    expect(missing.status).toBe(404);
    expect(await json(missing)).toMatchObject({ code: "INPUT_TYPE_NOT_FOUND" });
  });

  it("puts `type` as a constant in a type's documented schema", async () => {
    const doc = await json(await fetch(`${t.api}/plugins/io.kestra.plugin.core.log.Log`));
    expect(doc.schema.properties.properties.type).toEqual({ const: "io.kestra.plugin.core.log.Log" });
    expect(doc.schema.properties.properties.message).toBeDefined();
  });
});

/**
 * A plugin package `saker-plugin-vp` at `version`, packed by `npm pack` into a .tgz; its task
 * `io.example.vp.Which` answers the version that ran.
 */
function packPlugin(work: string, version: string): string {
  const dir = join(work, `vp-${version}`);
  mkdirSync(dir, { recursive: true });
  // The SDK by its built file: vitest makes Node resolve "@saker/sdk" to its TypeScript source.
  const sdkBuilt = join(sdkDir(), "dist", "index.js");
  if (!existsSync(sdkBuilt)) throw new Error(`${sdkBuilt} is missing: build first (npx tsc -b)`);
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({
      name: "saker-plugin-vp",
      version,
      type: "module",
      saker: { entry: "./index.js" },
      peerDependencies: { "@saker/sdk": "*" },
    }),
  );
  writeFileSync(
    join(dir, "index.js"),
    `import { definePlugin, defineTask, z } from "${pathToFileURL(sdkBuilt).href}";
export const Which = defineTask({
  type: "io.example.vp.Which",
  title: "Tell which version runs",
  properties: z.object({}),
  outputs: z.object({ plugin: z.string() }),
  run: () => ({ plugin: "${version}" }),
});
export default definePlugin({ title: "Versioned test plugin", tasks: [Which] });
`,
  );
  const name = execFileSync("npm", ["pack", "--silent", "--pack-destination", work], { cwd: dir, encoding: "utf8" })
    .trim()
    .split("\n")
    .pop()!;
  return join(work, name);
}

function uploadForm(bytes: Buffer, fileName: string, fields: Record<string, string> = {}): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append("file", new Blob([new Uint8Array(bytes)]), fileName);
  return form;
}

describe("versioned plugins: upload, default version, uninstall", () => {
  let work: string;
  let v1: string;
  let v2: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), "saker-vp-"));
    v1 = packPlugin(work, "1.0.0");
    v2 = packPlugin(work, "2.0.0");
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  const upload = (form: FormData) => fetch(`${t.api}/plugins/upload`, { method: "POST", body: form });
  const setDefault = (body: unknown) =>
    fetch(`${t.api}/plugins/default-version`, {
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  const uninstall = (body: unknown) =>
    fetch(`${t.api}/plugins/uninstall`, {
      method: "DELETE",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  const versioned = async () =>
    (await json<{ defaultVersion: string; plugins: Record<string, any>[] }>(await fetch(`${t.api}/plugins/versioned`)))
      .plugins;
  const run = async (flowId: string) => {
    const x = await json(await fetch(`${t.api}/executions/vp/${flowId}`, { method: "POST" }));
    return waitForExecution(t.api, String(x.id), terminated);
  };

  it("refuses an upload that is not a tarball, or not multipart", async () => {
    const text = await upload(uploadForm(Buffer.from("hello, not a tarball at all"), "notes.txt"));
    expect(text.status).toBe(400);
    expect(await json(text)).toMatchObject({
      code: "PLUGIN_NOT_A_TARBALL",
      message: expect.stringContaining("notes.txt"),
    });
    const json415 = await fetch(`${t.api}/plugins/upload`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: "{}",
    });
    expect(json415.status).toBe(415);
    const empty = new FormData();
    empty.append("force", "true");
    expect(await json(await upload(empty))).toMatchObject({ code: "BAD_REQUEST", path: "body.file" });
    // gzip, but no package inside: npm refuses it, nothing is left installed
    const garbage = await upload(uploadForm(gzipSync(Buffer.alloc(2048, 7)), "broken.tgz"));
    expect(garbage.status).toBe(422);
    expect(await json(garbage)).toMatchObject({ code: "PLUGIN_INSTALL_FAILED" });
    expect((await versioned()).find((p) => p.name === "saker-plugin-vp")).toBeUndefined();
  });

  it("installs two versions side by side from tarballs and lists them, core and test plugins included", async () => {
    for (const [file, version] of [
      [v1, "1.0.0"],
      [v2, "2.0.0"],
    ] as const) {
      const response = await upload(uploadForm(readFileSync(file), "plugin.tgz"));
      expect(response.status, await response.clone().text()).toBe(200);
      expect(await json(response)).toEqual([{ name: "saker-plugin-vp", version, types: ["io.example.vp.Which"] }]);
    }
    const again = await upload(uploadForm(readFileSync(v2), "plugin.tgz"));
    expect(again.status).toBe(409);
    expect(await json(again)).toMatchObject({ code: "PLUGIN_ALREADY_INSTALLED" });
    const plugins = await versioned();
    expect(plugins[0]).toMatchObject({ name: "core", core: true, resolvedVersion: "0.1.0" });
    expect(plugins.find((p) => p.name === "saker-plugin-vp")).toEqual({
      name: "saker-plugin-vp",
      title: "Versioned test plugin",
      core: false,
      defaultVersion: null,
      resolvedVersion: "2.0.0",
      versions: [
        { version: "1.0.0", bundled: false, types: ["io.example.vp.Which"], pinnedBy: [] },
        { version: "2.0.0", bundled: false, types: ["io.example.vp.Which"], pinnedBy: [] },
      ],
    });
    expect(await json(await fetch(`${t.api}/plugins/io.example.vp.Which/versions`))).toEqual({
      type: "io.example.vp.Which",
      versions: ["1.0.0", "2.0.0"],
    });
    // Three `npm install`s, each a child process starting npm (seconds of CPU on a loaded machine).
  }, 120_000);

  it("sets and clears a plugin's default version, used at once by tasks without version:", async () => {
    expect(
      (await postYaml(`${t.api}/flows`, "id: loose\nnamespace: vp\ntasks:\n  - id: w\n    type: io.example.vp.Which\n"))
        .status,
    ).toBe(200);
    let done = await run("loose");
    expect(done.taskRunList[0]).toMatchObject({ outputs: { plugin: "2.0.0" }, pluginVersion: "saker-plugin-vp@2.0.0" });

    const set = await setDefault({ name: "saker-plugin-vp", version: "1.0.0" });
    expect(await json(set)).toEqual({
      name: "saker-plugin-vp",
      version: "1.0.0",
      defaults: { "saker-plugin-vp": "1.0.0" },
    });
    expect((await versioned()).find((p) => p.name === "saker-plugin-vp")).toMatchObject({
      defaultVersion: "1.0.0",
      resolvedVersion: "1.0.0",
    });
    done = await run("loose");
    expect(done.taskRunList[0]).toMatchObject({ outputs: { plugin: "1.0.0" }, pluginVersion: "saker-plugin-vp@1.0.0" });
    // the docs follow the default
    expect((await json(await fetch(`${t.api}/plugins/io.example.vp.Which`))).markdown).toContain("1.0.0");

    await setDefault({ name: "saker-plugin-vp", version: null });
    expect((await versioned()).find((p) => p.name === "saker-plugin-vp")).toMatchObject({
      defaultVersion: null,
      resolvedVersion: "2.0.0",
    });
  });

  it("refuses a default version for an unknown plugin or version, or a bad body", async () => {
    const unknown = await setDefault({ name: "saker-plugin-nope", version: "1.0.0" });
    expect(unknown.status).toBe(404);
    expect(await json(unknown)).toMatchObject({ code: "PLUGIN_NOT_FOUND" });
    const version = await setDefault({ name: "saker-plugin-vp", version: "9.9.9" });
    expect(version.status).toBe(404);
    expect(await json(version)).toMatchObject({
      code: "PLUGIN_VERSION_NOT_FOUND",
      message: expect.stringContaining("installed: 1.0.0, 2.0.0"),
    });
    const bad = await setDefault({ version: "1.0.0" });
    expect(bad.status).toBe(400);
    expect(await json(bad)).toMatchObject({ code: "BAD_REQUEST" });
    expect((await setDefault({ name: "core", version: "0.1.0" })).status).toBe(400);
  });

  it("refuses to uninstall a version a flow pins, then removes it once the flow is gone", async () => {
    const flow =
      'id: pinned\nnamespace: vp\ntasks:\n  - id: seq\n    type: io.kestra.plugin.core.flow.Sequential\n    tasks:\n      - id: w\n        type: io.example.vp.Which\n        version: "2.0.0"\n';
    expect((await postYaml(`${t.api}/flows`, flow)).status).toBe(200);
    const done = await run("pinned");
    expect(done.taskRunList.find((r: { taskId: string }) => r.taskId === "w")).toMatchObject({
      outputs: { plugin: "2.0.0" },
      pluginVersion: "saker-plugin-vp@2.0.0",
    });
    const refused = await uninstall({ plugins: ["saker-plugin-vp@2.0.0"] });
    expect(refused.status).toBe(409);
    const body = await json(refused);
    expect(body).toMatchObject({
      code: "PLUGIN_VERSION_IN_USE",
      message: expect.stringContaining("vp.pinned"),
      details: { pins: [{ namespace: "vp", flowId: "pinned", path: "tasks[0].tasks[0]", spec: "2.0.0" }] },
    });
    expect((await versioned()).find((p) => p.name === "saker-plugin-vp")?.versions).toMatchObject([
      { version: "1.0.0", pinnedBy: [] },
      { version: "2.0.0", pinnedBy: [{ namespace: "vp", flowId: "pinned" }] },
    ]);
    // version 1.0.0 is not pinned (the flow without version: follows the default)
    await setDefault({ name: "saker-plugin-vp", version: "1.0.0" });
    expect(await json(await uninstall({ plugins: ["saker-plugin-vp@1.0.0"] }))).toEqual({
      plugins: ["saker-plugin-vp@1.0.0"],
    });
    // the removed default is no longer the default
    expect((await versioned()).find((p) => p.name === "saker-plugin-vp")).toMatchObject({
      defaultVersion: null,
      resolvedVersion: "2.0.0",
      versions: [{ version: "2.0.0" }],
    });
    expect((await fetch(`${t.api}/flows/vp/pinned`, { method: "DELETE" })).status).toBe(204);
    expect(await json(await uninstall({ plugins: ["saker-plugin-vp@2.0.0"] }))).toEqual({
      plugins: ["saker-plugin-vp@2.0.0"],
    });
    expect((await versioned()).find((p) => p.name === "saker-plugin-vp")).toBeUndefined();
    const gone = await uninstall({ plugins: ["saker-plugin-vp@2.0.0"] });
    expect(gone.status).toBe(404);
    expect(await json(gone)).toMatchObject({ code: "PLUGIN_NOT_INSTALLED" });
  });
});
