/**
 * `RunContext.flows` through a real instance: a task lists, reads, validates, saves and deletes
 * flows exactly as the API does, and an invalid source is refused without being saved.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { definePlugin, defineTask, z } from "@saker/sdk";
import { coreRegistry, openTestInstance, taskRun, type TestInstance } from "../testing/index.ts";

const FlowOps = defineTask({
  type: "test.flows.FlowOps",
  title: "Exercise ctx.flows",
  properties: z.object({ put: z.array(z.string()).default([]), remove: z.array(z.string()).default([]) }),
  outputs: z.object({}).passthrough(),
  async run({ put, remove }, ctx) {
    const flows = ctx.flows!;
    const saved = [];
    for (const source of put) {
      const { flow, changed } = await flows.put(source);
      saved.push({ id: flow.id, revision: flow.revision, changed });
    }
    for (const id of remove) await flows.delete("company.target", id);
    let invalid = "";
    await flows.put("id: broken\nnamespace: company.target\ntasks: 12").catch((e: Error) => (invalid = e.message));
    return {
      saved,
      invalid,
      validated: await flows.validate(
        "id: v\nnamespace: company.target.child\ntasks:\n  - id: l\n    type: io.kestra.plugin.core.log.Log\n    message: hi",
      ),
      own: (await flows.list("company.target")).map((f) => f.id),
      children: (await flows.list("company.target", { children: true })).map((f) => `${f.namespace}/${f.id}`),
      one: await flows.get("company.target", "a"),
      none: (await flows.get("company.target", "broken")) ?? null,
    };
  },
});

const flow = (namespace: string, id: string, message = "hi") =>
  `id: ${id}\nnamespace: ${namespace}\ntasks:\n  - id: l\n    type: io.kestra.plugin.core.log.Log\n    message: ${message}\n`;

let test: TestInstance;
beforeAll(async () => {
  const registry = coreRegistry();
  registry.addPlugin({ name: "test-flows", version: "1.0.0", core: false }, definePlugin({ tasks: [FlowOps] }));
  test = await openTestInstance({ registry });
});
afterAll(async () => test?.close());

describe("RunContext.flows", () => {
  it("lists, gets, validates, saves (a new revision only on change) and deletes flows", async () => {
    await test.instance.deploy(flow("company.target", "a"));
    await test.instance.deploy(flow("company.target", "gone"));
    await test.instance.deploy(flow("company.target.child", "c"));
    const ex = await test.run(`id: ops
namespace: company.ops
tasks:
  - id: ops
    type: test.flows.FlowOps
    put:
      - ${JSON.stringify(flow("company.target", "a"))}
      - ${JSON.stringify(flow("company.target", "b", "changed"))}
    remove: [gone]
`);
    expect(ex.state.current).toBe("SUCCESS");
    const out = taskRun(ex, "ops").outputs as Record<string, unknown>;
    expect(out.saved).toEqual([
      { id: "a", revision: 1, changed: false },
      { id: "b", revision: 1, changed: true },
    ]);
    expect(out.invalid).toMatch(/tasks/);
    expect(out.validated).toEqual({ namespace: "company.target.child", id: "v" });
    expect(out.own).toEqual(["a", "b"]);
    expect(out.children).toEqual(["company.target/a", "company.target/b", "company.target.child/c"]);
    expect(out.one).toMatchObject({
      namespace: "company.target",
      id: "a",
      revision: 1,
      source: flow("company.target", "a"),
    });
    expect(out.none).toBeNull();
    expect(test.instance.flows.find("company.target", "gone")).toBeUndefined();
    expect(test.instance.flows.find("company.target", "broken")).toBeUndefined();
  });
});
