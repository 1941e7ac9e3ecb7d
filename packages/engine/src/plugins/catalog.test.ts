/** Plugin summaries and icons: a plugin's own icons win over the defaults. */
import { definePlugin, defineTask, z } from "@saker/sdk";
import { describe, expect, it } from "vitest";
import { groupIcons, pluginSummaries, subgroupSummaries, typeIcons } from "./catalog.ts";
import { iconBase64 } from "./icons.ts";
import { PluginRegistry } from "./registry.ts";

const SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><rect width="1" height="1"/></svg>';
const task = (type: string, extra: Record<string, unknown> = {}) =>
  defineTask({ type, title: type, properties: z.object({}), run: () => ({}), ...extra });

function registry() {
  const r = new PluginRegistry();
  r.addPlugin(
    { name: "@acme/plugin-db", version: "1.2.0", core: false },
    definePlugin({
      group: "com.acme.db",
      title: "Acme DB",
      description: "Queries",
      icon: SVG,
      tasks: [
        task("com.acme.db.pg.Query"),
        task("com.acme.db.pg.Copy", {
          icon: `data:image/svg+xml;utf8,${encodeURIComponent("<svg xmlns='http://www.w3.org/2000/svg'/>")}`,
        }),
        task("com.acme.db.mysql.Query", { deprecated: true }),
      ],
    }),
  );
  r.addPlugin(
    { name: "plain", version: "0.1.0", core: false },
    definePlugin({ tasks: [task("org.plain.tools.Echo"), task("org.plain.tools.Other")] }),
  );
  return r;
}

describe("plugin catalog", () => {
  it("summarises a plugin with its group, manifest and elements", () => {
    const [db, plain] = pluginSummaries(registry());
    expect(db).toMatchObject({
      name: "@acme/plugin-db",
      title: "Acme DB",
      description: "Queries",
      group: "com.acme.db",
      version: "1.2.0",
      manifest: { "X-Kestra-Title": "Acme DB", "X-Kestra-Version": "1.2.0" },
    });
    expect(db!.tasks.map((e) => [e.cls, e.deprecated])).toEqual([
      ["com.acme.db.mysql.Query", true],
      ["com.acme.db.pg.Copy", undefined],
      ["com.acme.db.pg.Query", undefined],
    ]);
    expect(plain).toMatchObject({ title: "plain", group: "org.plain.tools" });
  });

  it("lists one entry per subgroup", () => {
    const subs = subgroupSummaries(registry()).filter((p) => p.subGroup);
    expect(subs.map((p) => [p.subGroup, p.title, p.tasks.length])).toEqual([
      ["com.acme.db.mysql", "mysql", 1],
      ["com.acme.db.pg", "pg", 2],
    ]);
  });

  it("uses a type's icon, else its plugin's, else a default; groups get the plugin's icon", () => {
    const icons = typeIcons(registry());
    expect(Buffer.from(icons["com.acme.db.pg.Copy"]!.icon, "base64").toString()).toBe(
      "<svg xmlns='http://www.w3.org/2000/svg'/>",
    );
    expect(Buffer.from(icons["com.acme.db.pg.Query"]!.icon, "base64").toString()).toBe(SVG);
    expect(Buffer.from(icons["org.plain.tools.Echo"]!.icon, "base64").toString()).toContain("<svg");
    const groups = groupIcons(registry());
    expect(groups["com.acme.db"]!.icon).toBe(iconBase64(SVG));
    expect(groups["com.acme.db.pg"]!.icon).toBe(iconBase64(SVG));
    expect(Object.keys(groups)).toContain("org.plain.tools");
  });

  it("reads icons given as base64 data URIs as they are", () => {
    const b64 = Buffer.from(SVG).toString("base64");
    expect(iconBase64(`data:image/svg+xml;base64,${b64}`)).toBe(b64);
  });
});
