import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { errorMessages, openTestInstance, outputsOf, type TestInstance } from "../../testing/testInstance.ts";
import { selectNamespaces, wildcardMatch } from "../purge/targets.ts";

let t: TestInstance;
beforeAll(async () => {
  t = await openTestInstance();
});
afterAll(() => t.close());

const tenant = () => t.instance.config.tenantId;
const past = new Date(Date.now() - 60_000).toISOString();
const future = new Date(Date.now() + 3_600_000).toISOString();

function seed(namespace: string, key: string, expirationDate?: string): void {
  t.instance.kv.set(tenant(), namespace, {
    key,
    value: key,
    type: "STRING",
    updateDate: new Date().toISOString(),
    ...(expirationDate ? { expirationDate } : {}),
  });
}

function remaining(): string[] {
  return t.instance.kv
    .namespaces(tenant())
    .flatMap((ns) => t.instance.kv.listAll(tenant(), ns).map((e) => `${ns}:${e.key}`))
    .sort();
}

beforeEach(() => {
  for (const ns of t.instance.kv.namespaces(tenant()))
    for (const e of t.instance.kv.listAll(tenant(), ns)) t.instance.kv.delete(tenant(), ns, e.key);
  seed("company", "old", past);
  seed("company", "AI_old", past);
  seed("company", "kept", future);
  seed("company", "forever");
  seed("company.team", "old", past);
  seed("company.team", "AI_live");
  seed("companyx", "old", past);
  seed("other", "old", past);
});

async function purge(properties: string) {
  const x = await t.run(`id: purge_kv
namespace: system
tasks:
  - id: purge
    type: io.kestra.plugin.core.kv.PurgeKV
${properties}
`);
  return x;
}

describe("kv.PurgeKV", () => {
  it("deletes by default only expired keys, in every namespace", async () => {
    const x = await purge("    namespaces: []");
    expect(x.state.current).toBe("SUCCESS");
    expect(outputsOf(x, "purge")).toEqual({ size: 5 });
    expect(remaining()).toEqual(["company.team:AI_live", "company:forever", "company:kept"]);
  });

  it("limits to the named namespaces and their children", async () => {
    const x = await purge("    expiredOnly: true\n    namespaces:\n      - company\n    includeChildNamespaces: true");
    expect(outputsOf(x, "purge")).toEqual({ size: 3 });
    expect(remaining()).toEqual([
      "company.team:AI_live",
      "company:forever",
      "company:kept",
      "companyx:old",
      "other:old",
    ]);
  });

  it("leaves child namespaces alone when includeChildNamespaces is false", async () => {
    const x = await purge("    namespaces: [company]\n    includeChildNamespaces: false");
    expect(outputsOf(x, "purge")).toEqual({ size: 2 });
    expect(remaining()).toContain("company.team:old");
  });

  it("deletes every key matching keyPattern with expiredOnly false, in namespaces matching namespacePattern", async () => {
    const x = await purge(
      "    namespacePattern: 'company*'\n    keyPattern: 'AI_*'\n    behavior:\n      type: key\n      expiredOnly: false",
    );
    expect(outputsOf(x, "purge")).toEqual({ size: 2 });
    expect(remaining()).not.toContain("company:AI_old");
    expect(remaining()).not.toContain("company.team:AI_live");
    expect(remaining()).toContain("company:old");
  });

  it("lets the deprecated expiredOnly override behavior", async () => {
    const x = await purge(
      "    namespaces: [other]\n    expiredOnly: true\n    behavior:\n      type: key\n      expiredOnly: false",
    );
    expect(outputsOf(x, "purge")).toEqual({ size: 1 });
  });

  it("never deletes the last version with the version behaviour and before, deletes all without it", async () => {
    const kept = await purge(`    namespaces: [other]\n    behavior:\n      type: version\n      before: "${future}"`);
    expect(outputsOf(kept, "purge")).toEqual({ size: 0 });
    const kept2 = await purge("    namespaces: [other]\n    behavior:\n      type: version\n      keepAmount: 1");
    expect(outputsOf(kept2, "purge")).toEqual({ size: 0 });
    const all = await purge(
      "    namespaces: [company]\n    includeChildNamespaces: false\n    behavior:\n      type: version",
    );
    expect(outputsOf(all, "purge")).toEqual({ size: 4 });
  });

  it("fails when both namespaces and namespacePattern are set", async () => {
    const x = await purge("    namespaces: [company]\n    namespacePattern: 'comp*'");
    expect(x.state.current).toBe("FAILED");
    expect(errorMessages(t, x, "purge").at(-1)).toBe(
      "Properties `namespaces` and `namespacePattern` can't be used at the same time — use one or the other.",
    );
    expect(remaining()).toContain("company:old");
  });

  it("refuses an unknown behaviour type, naming the flow and the YAML path", () => {
    expect(() =>
      t.instance.flows.deploy(`id: purge_bad
namespace: system
tasks:
  - id: purge
    type: io.kestra.plugin.core.kv.PurgeKV
    behavior:
      type: everything
`),
    ).toThrow(/Flow 'system\/purge_bad' is invalid: tasks\[0\]\.behavior/);
  });
});

describe("purge targets", () => {
  it("matches globs as Kestra's purge tasks do", () => {
    expect(wildcardMatch("AI_key", "AI_*")).toBe(true);
    expect(wildcardMatch("xAI_key", "AI_*")).toBe(false);
    expect(wildcardMatch("a.b", "a?b")).toBe(true);
    expect(wildcardMatch("a.b", "a.b")).toBe(true);
    expect(wildcardMatch("axb", "a.b")).toBe(false);
    expect(wildcardMatch("a(1)+[x]{2}\\y\nz", "a(?)+[x]{2}\\y*")).toBe(true);
  });

  it("answers in linear time whatever the glob", () => {
    // a backtracking engine takes seconds at 50 characters here, and far longer at 200
    expect(wildcardMatch("a".repeat(200), "*a*a*a*a*a*a*a*a*a*a*b")).toBe(false);
    expect(wildcardMatch(`${"a".repeat(200)}b`, "*a*a*a*a*a*a*a*a*a*a*b")).toBe(true);
  });

  it("selects children by namespace, not by text prefix", () => {
    expect(selectNamespaces(["a", "a.b", "ab"], { namespaces: ["a"], includeChildNamespaces: true })).toEqual([
      "a",
      "a.b",
    ]);
  });
});
