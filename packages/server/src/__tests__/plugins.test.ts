import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { json, startTestApi, type TestApi } from "./testApi.ts";

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
