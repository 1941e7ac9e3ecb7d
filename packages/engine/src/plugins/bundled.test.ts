import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { defaultBundledDir, listBundled } from "./bundled.ts";
import { syncPlugins } from "./loader.ts";
import { PluginRegistry } from "./registry.ts";

const ROOT = fileURLToPath(new URL("../../../..", import.meta.url));

describe("bundled plugins", () => {
  it("are found in the repository's plugins/ folder, relative to the engine package", () => {
    expect(defaultBundledDir()).toBe(join(ROOT, "plugins"));
    const jdbc = listBundled(defaultBundledDir()).find((p) => p.name === "@saker/plugin-jdbc");
    expect(jdbc).toMatchObject({
      version: "1.0.0",
      dir: join(ROOT, "plugins/jdbc"),
      packageDir: join(ROOT, "plugins/jdbc"),
    });
  });

  it("are every folder with a saker.entry in its package.json; other folders are skipped", () => {
    const found = listBundled(join(ROOT, "test/fixtures/bundled"));
    expect(found.map((p) => `${p.name}@${p.version}`)).toEqual(["saker-plugin-hello-bundled@1.0.0"]);
  });

  it("are none without a folder, or when it does not exist", () => {
    expect(listBundled(undefined)).toEqual([]);
    expect(listBundled(join(ROOT, "no-such-folder"))).toEqual([]);
  });
});

describe("loading bundled plugins beside installed ones", () => {
  const work = mkdtempSync(join(tmpdir(), "saker-bundled-load-"));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const NAME = "saker-plugin-hello-bundled";
  const TYPE = "com.example.bundled.Hello";

  /** An installed copy of the fixture's name@version (a plain plugin object, no SDK needed). */
  function installedCopy(pluginsDir: string, version: string): void {
    const dir = join(pluginsDir, NAME, version, "node_modules", NAME);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "package.json"),
      JSON.stringify({ name: NAME, version, type: "module", saker: { entry: "./index.js" } }),
    );
    writeFileSync(
      join(dir, "index.js"),
      `export default { kind: "plugin", tasks: [{ kind: "task", type: "${TYPE}", run: () => ({ copy: "installed" }) }] };`,
    );
  }

  it("the same version bundled and installed is one entry, the bundled one", async () => {
    const pluginsDir = join(work, "same");
    installedCopy(pluginsDir, "1.0.0");
    const registry = new PluginRegistry();
    const loaded = new Set<string>();
    const report = await syncPlugins(
      registry,
      { installed: pluginsDir, bundled: join(ROOT, "test/fixtures/bundled") },
      loaded,
    );
    expect(report).toEqual({ loaded: [`${NAME}@1.0.0`], removed: [], failed: [] });
    expect(registry.versionsOf(TYPE).map((v) => [v.plugin.version, v.plugin.bundled])).toEqual([["1.0.0", true]]);
    rmSync(join(pluginsDir, NAME), { recursive: true });
    expect(
      await syncPlugins(registry, { installed: pluginsDir, bundled: join(ROOT, "test/fixtures/bundled") }, loaded),
    ).toEqual({ loaded: [], removed: [], failed: [] });
    expect(registry.versionsOf(TYPE)).toHaveLength(1);
  });

  it("a bundled version that cannot be loaded gives way to an installed copy of it", async () => {
    const bundled = join(work, "broken-bundled");
    mkdirSync(join(bundled, "hello"), { recursive: true });
    writeFileSync(
      join(bundled, "hello", "package.json"),
      JSON.stringify({ name: NAME, version: "1.0.0", saker: { entry: "./dist/index.js" } }),
    );
    const pluginsDir = join(work, "fallback");
    installedCopy(pluginsDir, "1.0.0");
    const registry = new PluginRegistry();
    const report = await syncPlugins(registry, { installed: pluginsDir, bundled }, new Set());
    expect(report).toEqual({ loaded: [`${NAME}@1.0.0`], removed: [], failed: [] });
    expect(registry.versionsOf(TYPE).map((v) => [v.plugin.version, v.plugin.bundled ?? false])).toEqual([
      ["1.0.0", false],
    ]);
    // Alone, the broken bundled version is reported, naming the plugin.
    const alone = await syncPlugins(new PluginRegistry(), { installed: join(work, "empty"), bundled }, new Set());
    expect(alone.failed).toEqual([{ plugin: `${NAME}@1.0.0`, error: expect.stringContaining("Unable to load") }]);
  });
});
