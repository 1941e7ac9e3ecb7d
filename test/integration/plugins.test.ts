/**
 * Issue 4's acceptance test: two versions of a plugin with conflicting dependencies installed side
 * by side from tarballs, pinned per task, default version policies, uninstall, and plugins that
 * hang killed by their timeout without stopping other tasks. Uses the real CLI and real npm.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, executionOf, runCli } from "./cli.ts";

let work: string;
let home: string;
const tarballs: string[] = [];

const pinned = `id: pinned
namespace: company.team
tasks:
  - id: one
    type: com.example.versioned.Which
    version: "1.0.0"
    label: first
  - id: two
    type: com.example.versioned.Which
    version: "^2"
    label: second
  - id: latest
    type: com.example.versioned.Which
    label: third
`;

function flowFile(name: string, source: string): string {
  const file = join(work, name);
  writeFileSync(file, source);
  return file;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "saker-plugins-it-"));
  home = join(work, "home");
  for (const v of ["v1", "v2"]) {
    const out = execFileSync(
      "npm",
      ["pack", join(ROOT, "test/fixtures/plugins", `versioned-${v}`), "--pack-destination", work, "--json"],
      { encoding: "utf8" },
    );
    tarballs.push(join(work, (JSON.parse(out) as { filename: string }[])[0]!.filename));
  }
  const installed = await runCli(["plugins", "install", ...tarballs], { home });
  expect(installed.code, installed.stderr).toBe(0);
}, 240_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("versioned plugins", () => {
  it("lists both versions of each type", async () => {
    const list = await runCli(["plugins", "list", "--json"], { home });
    const which = (JSON.parse(list.stdout) as { type: string; versions: string[]; default: string }[]).find(
      (t) => t.type === "com.example.versioned.Which",
    );
    expect(which).toMatchObject({ versions: ["1.0.0", "2.0.0"], default: "2.0.0" });
  });

  it("runs the pinned version of each task, each with its own dependency, and records it", async () => {
    const execution = executionOf(await runCli(["flow", "run", flowFile("pinned.yaml", pinned), "--json"], { home }));
    expect(execution.state.current).toBe("SUCCESS");
    const byTask = Object.fromEntries(execution.taskRunList.map((t: any) => [t.taskId, t]));
    expect(byTask.one.outputs).toEqual({ plugin: "1.0.0", dependency: "6.0.0", label: "first", shout: false });
    expect(byTask.two.outputs).toEqual({ plugin: "2.0.0", dependency: "7.0.0", label: "SECOND", shout: true });
    expect(byTask.latest.outputs.plugin).toBe("2.0.0");
    expect(byTask.one.pluginVersion).toBe("saker-plugin-versioned@1.0.0");
    expect(byTask.two.pluginVersion).toBe("saker-plugin-versioned@2.0.0");
  }, 60_000);

  it("follows plugins.defaultVersion: OLDEST picks 1.0.0, NONE requires a version", async () => {
    const oldest = executionOf(
      await runCli(["flow", "run", flowFile("pinned.yaml", pinned), "--json"], {
        home,
        env: { SAKER_PLUGINS_DEFAULTVERSION: "OLDEST" },
      }),
    );
    expect(oldest.taskRunList.find((t: any) => t.taskId === "latest").outputs.plugin).toBe("1.0.0");
    const none = await runCli(["flow", "run", flowFile("pinned.yaml", pinned), "--json"], {
      home,
      env: { SAKER_PLUGINS_DEFAULTVERSION: "NONE" },
    });
    expect(none.code).not.toBe(0);
    expect(none.stderr).toContain(
      "tasks[2].version: 'com.example.versioned.Which' needs a 'version:' (plugins.defaultVersion is NONE); installed: 1.0.0, 2.0.0",
    );
  }, 60_000);

  it("kills a hanging task and an isolated CPU-bound task by their timeout, without stopping the others", async () => {
    const source = `id: hangs
namespace: company.team
tasks:
  - id: all
    type: io.kestra.plugin.core.flow.Parallel
    tasks:
      - id: hang
        type: com.example.versioned.Hang
        timeout: PT1S
      - id: spin
        type: com.example.versioned.Spin
        timeout: PT1S
      - id: steady
        type: io.kestra.plugin.core.flow.Sleep
        duration: PT2S
  - id: after
    type: io.kestra.plugin.core.log.Log
    message: never
`;
    const started = Date.now();
    const result = await runCli(["flow", "run", flowFile("hangs.yaml", source), "--json"], { home });
    const execution = executionOf(result);
    const state = (id: string) => execution.taskRunList.find((t: any) => t.taskId === id)?.state.current;
    expect(state("hang")).toBe("FAILED");
    expect(state("spin")).toBe("FAILED");
    expect(state("steady")).toBe("SUCCESS");
    expect(state("after")).toBeUndefined();
    expect(execution.state.current).toBe("FAILED");
    expect(result.stderr).toMatch(/Timeout after PT1S/);
    expect(Date.now() - started).toBeLessThan(30_000);
  }, 60_000);

  it("after uninstalling 1.0.0, a flow pinning it fails validation naming what is installed", async () => {
    const removed = await runCli(["plugins", "uninstall", "saker-plugin-versioned@1.0.0"], { home });
    expect(removed.code, removed.stderr).toBe(0);
    const validation = await runCli(["flow", "validate", flowFile("pinned.yaml", pinned)], { home });
    expect(validation.code).toBe(1);
    expect(validation.stdout).toContain(
      "tasks[0].version: version '1.0.0' of 'com.example.versioned.Which' is not installed; installed: 2.0.0",
    );
    const again = await runCli(["plugins", "uninstall", "saker-plugin-versioned@1.0.0"], { home });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("saker-plugin-versioned@1.0.0 is not installed; installed: 2.0.0");
  }, 60_000);
});
