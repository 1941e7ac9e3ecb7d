import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultBundledDir, listBundled } from "./bundled.ts";

const ROOT = fileURLToPath(new URL("../../../..", import.meta.url));

describe("bundled plugins", () => {
  it("are found in the repository's plugins/ folder, relative to the engine package", () => {
    expect(defaultBundledDir()).toBe(join(ROOT, "plugins"));
    const jdbc = listBundled(defaultBundledDir()).find((p) => p.name === "@saker/plugin-jdbc");
    expect(jdbc).toMatchObject({ version: "1.0.0", dir: join(ROOT, "plugins/jdbc"), packageDir: join(ROOT, "plugins/jdbc") });
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
