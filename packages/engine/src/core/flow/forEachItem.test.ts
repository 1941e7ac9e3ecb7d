import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toStoragePath } from "../../storage/paths.ts";
import { streamToBuffer } from "../../storage/streams.ts";
import { openTestInstance, taskRuns, type TestInstance } from "../../testing/testInstance.ts";
import type { Execution } from "../../model/execution.ts";
import { moveIterations } from "./forEachItem.ts";

let t: TestInstance;
const ITEMS = Array.from({ length: 10 }, (_, i) => `item-${i + 1}`).join("\n") + "\n";

beforeAll(async () => {
  t = await openTestInstance();
  await t.instance.deploy(`id: child
namespace: fei.tests
inputs:
  - id: items
    type: STRING
tasks:
  - id: read
    type: io.kestra.plugin.core.debug.Return
    format: "{{ read(inputs.items) | trim }}"
  - id: maybe-fail
    type: io.kestra.plugin.core.execution.Fail
    condition: "{{ read(inputs.items) contains 'item-5' }}"
outputs:
  - id: lines
    type: STRING
    value: "{{ outputs.read.value }}"
`);
});
afterAll(async () => {
  await t.close();
});

async function withItems(flow: string, content = ITEMS): Promise<Execution> {
  const { flow: deployed } = await t.instance.deploy(flow);
  // a namespace file: readable by every execution of the namespace
  const path = "/fei/tests/_files/items.txt";
  await t.instance.storage.put(path, Buffer.from(content));
  const created = await t.instance.createExecution(deployed.namespace, deployed.id, {
    inputs: { file: `kestra://${path}` },
  });
  return t.instance.waitForSettled(created.id, 20_000);
}

const parent = (rows: number, options = "") => `id: parent-${rows}${options ? "-x" : ""}
namespace: fei.tests
inputs:
  - id: file
    type: STRING
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEachItem
    items: "{{ inputs.file }}"
    batch:
      rows: ${rows}
    namespace: fei.tests
    flowId: child
    inputs:
      items: "{{ taskrun.items }}"
${options}`;

describe("ForEachItem", () => {
  it("runs one subflow per batch and merges their outputs in batch order", async () => {
    const x = await withItems(parent(3).replace("item-5", "x"), ITEMS.replace("item-5", "item-five"));
    expect(x.state.current).toBe("SUCCESS");
    expect(x.taskRunList.map((r) => r.taskId)).toEqual(["each", "each_split", "each_items", "each_merge"]);
    expect(taskRuns(x, "each_items")[0]!.outputs).toEqual({
      numberOfBatches: 4,
      iterations: { CREATED: 0, RUNNING: 0, SUCCESS: 4 },
    });
    const uri = String(taskRuns(x, "each_merge")[0]!.outputs?.subflowOutputs);
    const merged = (await streamToBuffer(await t.instance.storage.get(toStoragePath(uri)))).toString("utf8");
    expect(merged.trim().split("\n")).toEqual([
      '{lines:"item-1\\nitem-2\\nitem-3"}',
      '{lines:"item-4\\nitem-five\\nitem-6"}',
      '{lines:"item-7\\nitem-8\\nitem-9"}',
      '{lines:"item-10"}',
    ]);
    const children = t.instance.executions.search({
      tenantId: t.instance.config.tenantId,
      namespace: "fei.tests",
      flowId: "child",
      parentExecutionId: x.id,
      size: 100,
    }).results;
    expect(children.map((c) => c.trigger?.variables?.iteration).sort()).toEqual([0, 1, 2, 3]);
  });

  it("fails when a subflow fails (transmitFailed), counting the iterations by state", async () => {
    const x = await withItems(parent(4));
    expect(x.state.current).toBe("FAILED");
    expect(taskRuns(x, "each_items")[0]!.outputs).toEqual({
      numberOfBatches: 3,
      iterations: { CREATED: 0, RUNNING: 0, SUCCESS: 2, FAILED: 1 },
    });
    expect(taskRuns(x, "each_merge")).toHaveLength(0);
  });

  it("without wait, starts the subflows and ends at once, counting them all ended, with an empty merge", async () => {
    const x = await withItems(parent(5, "    wait: false\n"));
    expect(x.state.current).toBe("SUCCESS");
    expect(x.taskRunList.map((r) => r.taskId)).toEqual(["each", "each_split", "each_items", "each_merge"]);
    expect(taskRuns(x, "each_items")[0]!.outputs).toEqual({
      numberOfBatches: 2,
      iterations: { RUNNING: 0, SUCCESS: 2 },
    });
    expect(taskRuns(x, "each_merge")[0]!.state.current).toBe("SUCCESS");
    expect(taskRuns(x, "each_merge")[0]!.outputs?.subflowOutputs).toBeUndefined();
  });

  it("moveIterations moves counts between states, a state not counted yet holding every batch", () => {
    const started = moveIterations({}, 3, "CREATED", "RUNNING", 3);
    expect(started).toEqual({ CREATED: 0, RUNNING: 3 });
    const one = moveIterations(started, 3, "RUNNING", "FAILED", 1);
    expect(one).toEqual({ CREATED: 0, RUNNING: 2, FAILED: 1 });
    expect(started).toEqual({ CREATED: 0, RUNNING: 3 });
    expect(moveIterations({}, 4, "RUNNING", "SUCCESS", 1)).toEqual({ RUNNING: 3, SUCCESS: 1 });
  });

  it("an empty file gives no batch and succeeds", async () => {
    const x = await withItems(parent(2), "");
    expect(x.state.current).toBe("SUCCESS");
    expect(taskRuns(x, "each_items")[0]!.outputs?.numberOfBatches).toBe(0);
  });

  it("inside a ForEach, each iteration splits, runs and merges its own batches", async () => {
    const x = await withItems(
      `id: nested
namespace: fei.tests
inputs:
  - id: file
    type: STRING
tasks:
  - id: loop
    type: io.kestra.plugin.core.flow.ForEach
    values: ["a", "b"]
    tasks:
      - id: each
        type: io.kestra.plugin.core.flow.ForEachItem
        items: "{{ inputs.file }}"
        batch:
          rows: "{{ taskrun.value == 'a' ? 2 : 3 }}"
        namespace: fei.tests
        flowId: child
        inputs:
          items: "{{ taskrun.items }}"
`,
      "item-1\nitem-2\nitem-3\n",
    );
    expect(x.state.current).toBe("SUCCESS");
    const items = taskRuns(x, "each_items");
    expect(items.map((r) => [r.value, r.outputs?.numberOfBatches]).sort()).toEqual([
      ["a", 2],
      ["b", 1],
    ]);
    for (const merge of taskRuns(x, "each_merge")) {
      const text = (
        await streamToBuffer(await t.instance.storage.get(toStoragePath(String(merge.outputs?.subflowOutputs))))
      ).toString("utf8");
      expect(text.trim().split("\n")).toHaveLength(merge.value === "a" ? 2 : 1);
    }
  });

  it("a missing items file fails the split with a clear message", async () => {
    const { flow } = await t.instance.deploy(parent(2));
    const created = await t.instance.createExecution(flow.namespace, flow.id, {
      inputs: { file: "kestra:///fei/tests/nope.txt" },
    });
    const x = await t.instance.waitForSettled(created.id, 20_000);
    expect(x.state.current).toBe("FAILED");
    expect(taskRuns(x, "each_split")[0]!.state.current).toBe("FAILED");
    expect(
      t.instance.logs
        .find({ executionId: x.id, minLevel: "ERROR" })
        .map((l) => l.message)
        .join("\n"),
    ).toMatch(/nope\.txt/);
  });
});
