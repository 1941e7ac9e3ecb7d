import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { namespaceFiles } from "../../storage/taskStorage.ts";
import { errorMessages, openTestInstance, outputsOf, type TestInstance } from "../../testing/testInstance.ts";

let t: TestInstance;
beforeAll(async () => {
  t = await openTestInstance();
  // namespace files live in the namespaces of flows (and above them)
  for (const ns of ["company.team", "companyx", "other"])
    await t.instance.deploy(
      `id: holder\nnamespace: ${ns}\ntasks:\n  - id: r\n    type: io.kestra.plugin.core.debug.Return\n    format: x\n`,
    );
});
afterAll(() => t.close());

const files = (ns: string) => namespaceFiles(t.instance.storage, ns);

async function remaining(): Promise<string[]> {
  const all: string[] = [];
  for (const ns of ["company", "company.team", "companyx", "other"])
    for (const p of await files(ns).list()) all.push(`${ns}:${p}`);
  return all.sort();
}

beforeEach(async () => {
  for (const ns of ["company", "company.team", "companyx", "other"])
    for (const p of await files(ns).list()) await files(ns).delete(p);
  await files("company").put("/queries/a.sql", Buffer.from("select 1"));
  await files("company").put("/readme.md", Buffer.from("doc"));
  await files("company.team").put("/b.sql", Buffer.from("select 2"));
  await files("companyx").put("/c.sql", Buffer.from("select 3"));
  await files("other").put("/d.sql", Buffer.from("select 4"));
});

async function purge(properties: string) {
  return t.run(`id: purge_files
namespace: system
tasks:
  - id: purge
    type: io.kestra.plugin.core.namespace.PurgeFiles
${properties}
`);
}

describe("namespace.PurgeFiles", () => {
  it("keeps the latest version by default, so one-version files stay", async () => {
    const x = await purge("    namespaces: [company]");
    expect(outputsOf(x, "purge")).toEqual({ size: 0 });
    expect(await remaining()).toHaveLength(5);
  });

  it("deletes matching files of a namespace and its children with the version behaviour", async () => {
    const x = await purge("    namespaces: [company]\n    filePattern: '*.sql'\n    behavior:\n      type: version");
    expect(x.state.current).toBe("SUCCESS");
    expect(outputsOf(x, "purge")).toEqual({ size: 2 });
    expect(await remaining()).toEqual(["company:/readme.md", "companyx:/c.sql", "other:/d.sql"]);
  });

  it("selects namespaces by pattern, and keeps files when before or keepAmount spares the last version", async () => {
    const spared = await purge(
      "    namespacePattern: 'company*'\n    behavior:\n      type: version\n      before: '2100-01-01T00:00:00Z'",
    );
    expect(outputsOf(spared, "purge")).toEqual({ size: 0 });
    const x = await purge("    namespacePattern: 'company?'\n    behavior:\n      type: version\n      keepAmount: 0");
    expect(outputsOf(x, "purge")).toEqual({ size: 1 });
    expect(await remaining()).not.toContain("companyx:/c.sql");
  });

  it("fails when both namespaces and namespacePattern are set", async () => {
    const x = await purge(
      "    namespaces: [company]\n    namespacePattern: 'comp*'\n    behavior:\n      type: version",
    );
    expect(x.state.current).toBe("FAILED");
    expect(errorMessages(t, x, "purge").at(-1)).toBe(
      "Properties `namespaces` and `namespacePattern` can't be used at the same time — use one or the other.",
    );
    expect(await remaining()).toHaveLength(5);
  });

  it("refuses an unknown behaviour, naming the flow and the YAML path", () => {
    expect(() =>
      t.instance.flows.deploy(`id: purge_files_bad
namespace: system
tasks:
  - id: purge
    type: io.kestra.plugin.core.namespace.PurgeFiles
    behavior:
      type: all
`),
    ).toThrow(/Flow 'system\/purge_files_bad' is invalid: tasks\[0\]\.behavior/);
  });
});
