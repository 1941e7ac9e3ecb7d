/**
 * A new execution runs the latest revision of its flow as the database holds it at its creation:
 * one deployed a moment ago by another instance on the same SQLite file, not one whose save was
 * rolled back.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "./config.ts";
import { Instance } from "./instance.ts";
import { coreRegistry } from "./registryLoader.ts";

const flow = (revisionText: string) =>
  `id: latest\nnamespace: company.team\ntasks:\n  - id: say\n    type: io.kestra.plugin.core.debug.Return\n    format: ${revisionText}\n`;

describe("the latest flow revision on SQLite", () => {
  let dir: string;
  let mine: Instance;
  let other: Instance;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "saker-latest-"));
    const open = (home: string, executor: boolean) =>
      Instance.open(
        loadConfig({ env: {}, overrides: { home, database: { file: join(dir, "shared.db") } }, cwd: dir }),
        { registry: coreRegistry(), executor, worker: executor },
      );
    mine = await open(join(dir, "mine"), true);
    other = await open(join(dir, "other"), false);
  });
  afterAll(async () => {
    await other?.close();
    await mine?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = async () => {
    const created = await mine.createExecution("company.team", "latest");
    const ended = await mine.waitForEnd(created.id, 20_000);
    return { revision: created.flowRevision, output: ended.taskRunList[0]?.outputs?.value };
  };

  it("is the one another instance on the same file deployed since the last creation", async () => {
    await mine.deploy(flow("one"));
    expect(await run()).toEqual({ revision: 1, output: "one" });
    await other.deploy(flow("two"));
    expect(await run()).toEqual({ revision: 2, output: "two" });
    await other.deploy(flow("three"));
    expect(await run()).toEqual({ revision: 3, output: "three" });
  });

  it("is not one whose save was rolled back", async () => {
    const before = await run();
    await expect(
      mine.changeFlows((flows) => {
        flows.deploy(flow("rolled back"));
        // as a creation running meanwhile would read it
        expect(flows.get("company.team", "latest").stored.revision).toBe(before.revision + 1);
        throw new Error("rolled back");
      }),
    ).rejects.toThrow("rolled back");
    expect(await run()).toEqual(before);
  });
});
