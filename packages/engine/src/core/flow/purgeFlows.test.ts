import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { errorMessages, openTestInstance, outputsOf, type TestInstance } from "../../testing/testInstance.ts";

let t: TestInstance;
beforeEach(async () => {
  await t?.close();
  t = await openTestInstance();
  for (const [namespace, id, revisions] of [
    ["company", "a", 4],
    ["company.team", "b_deprecated", 3],
    ["other", "c", 2],
  ] as const) {
    for (let i = 1; i <= revisions; i++)
      await t.instance.deploy(
        `id: ${id}\nnamespace: ${namespace}\ndescription: revision ${i}\ntasks:\n  - id: r\n    type: io.kestra.plugin.core.debug.Return\n    format: "${i}"\n`,
      );
  }
});
afterAll(() => t.close());

const revisions = (namespace: string, id: string) => t.instance.flows.revisions(namespace, id).map((f) => f.revision);

async function purge(properties: string) {
  return t.run(`id: purge_flows
namespace: system
tasks:
  - id: purge
    type: io.kestra.plugin.core.flow.PurgeFlows
${properties}
`);
}

describe("flow.PurgeFlows", () => {
  it("keeps only the latest revision by default, in the namespaces and their children", async () => {
    const x = await purge("    namespaces: [company]");
    expect(x.state.current).toBe("SUCCESS");
    expect(outputsOf(x, "purge")).toEqual({ size: 5 });
    expect(revisions("company", "a")).toEqual([4]);
    expect(revisions("company.team", "b_deprecated")).toEqual([3]);
    expect(revisions("other", "c")).toEqual([1, 2]);
    expect(t.instance.flows.get("company", "a").flow.description).toBe("revision 4");
  });

  it("keeps keepAmount revisions of the flows matching flowPattern", async () => {
    const x = await purge("    flowPattern: '*_deprecated'\n    behavior:\n      type: version\n      keepAmount: 2");
    expect(outputsOf(x, "purge")).toEqual({ size: 1 });
    expect(revisions("company.team", "b_deprecated")).toEqual([2, 3]);
    expect(revisions("company", "a")).toEqual([1, 2, 3, 4]);
  });

  it("accepts the older namespace and flowId form, and before spares the latest revision", async () => {
    const x = await purge("    namespace: company\n    flowId: a\n    behavior:\n      before: '2999-01-01T00:00:00Z'");
    expect(outputsOf(x, "purge")).toEqual({ size: 3 });
    expect(revisions("company", "a")).toEqual([4]);
    const none = await purge("    namespacePattern: 'oth*'\n    behavior:\n      before: '2000-01-01T00:00:00Z'");
    expect(outputsOf(none, "purge")).toEqual({ size: 0 });
  });

  it("fails on flowId without namespace, or namespaces with namespacePattern", async () => {
    const x = await t.run(`id: purge_flows_bad
namespace: system
tasks:
  - id: parallel
    type: io.kestra.plugin.core.flow.Parallel
    tasks:
      - id: noNamespace
        type: io.kestra.plugin.core.flow.PurgeFlows
        flowId: a
      - id: both
        type: io.kestra.plugin.core.flow.PurgeFlows
        namespaces: [company]
        namespacePattern: 'c*'
      - id: beforeAndKeep
        type: io.kestra.plugin.core.flow.PurgeFlows
        behavior:
          keepAmount: 1
          before: '2000-01-01T00:00:00Z'
`);
    expect(x.state.current).toBe("FAILED");
    expect(errorMessages(t, x, "noNamespace")).toEqual(["`flowId` needs the `namespace` of the flow"]);
    expect(errorMessages(t, x, "both")).toEqual([
      "Properties `namespaces` and `namespacePattern` can't be used at the same time — use one or the other.",
    ]);
    expect(errorMessages(t, x, "beforeAndKeep")).toEqual(["Cannot set both 'before' and 'keepAmount' properties"]);
    expect(revisions("company", "a")).toEqual([1, 2, 3, 4]);
  });

  it("refuses keepAmount 0, naming the flow and the YAML path", () => {
    const deploy = (behavior: string) => () =>
      t.instance.flows.deploy(
        `id: purge_flows_invalid\nnamespace: system\ntasks:\n  - id: purge\n    type: io.kestra.plugin.core.flow.PurgeFlows\n    behavior: ${behavior}\n`,
      );
    expect(deploy("{keepAmount: 0}")).toThrow(
      /Flow 'system\/purge_flows_invalid' is invalid: tasks\[0\]\.behavior\.keepAmount/,
    );
  });
});
