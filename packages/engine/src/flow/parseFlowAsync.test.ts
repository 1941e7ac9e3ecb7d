/**
 * parseFlowAsync: the same flow and the same problems (in the same order, with the same lines) as
 * parseFlow, while other work runs during a long validation; both refuse a source over
 * limits.maxFlowBytes.
 */
import { isSakerError } from "@saker/sdk";
import { afterEach, describe, expect, it } from "vitest";
import { coreRegistry } from "../runtime/registryLoader.ts";
import { DEFAULT_DATA_LIMITS, setDataLimits } from "../model/dataLimits.ts";
import { parseFlow, parseFlowAsync } from "./parseFlow.ts";

const registry = coreRegistry();

async function outcome(parse: () => unknown): Promise<Record<string, unknown>> {
  try {
    return { flow: await parse() };
  } catch (error) {
    if (!isSakerError(error)) throw error;
    return { code: error.code, message: error.message, line: error.location.line, details: error.details };
  }
}

const sameBothWays = async (source: string) => {
  const sync = await outcome(() => parseFlow(source, { registry }));
  expect(await outcome(() => parseFlowAsync(source, { registry }))).toEqual(sync);
  return sync;
};

afterEach(() => setDataLimits({}));

describe("parseFlowAsync", () => {
  it("gives the flow parseFlow gives: defaults applied, old type names resolved, nested tasks", async () => {
    const { flow } = await sameBothWays(`id: ok
namespace: a.b
labels:
  team: data
inputs:
  - name: n
    type: STRING
pluginDefaults:
  - type: io.kestra.plugin.core.log.Log
    values:
      level: WARN
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: hi
  - id: group
    type: io.kestra.plugin.core.flow.Parallel
    tasks:
      - id: inner
        type: io.kestra.core.tasks.log.Log
        message: hi
`);
    expect(flow).toMatchObject({
      labels: [{ key: "team", value: "data" }],
      inputs: [{ id: "n", name: "n" }],
      tasks: [
        { type: "io.kestra.plugin.core.log.Log", level: "WARN" },
        { tasks: [{ type: "io.kestra.plugin.core.log.Log" }] },
      ],
    });
  });

  it("reports every problem in document order, nested ones and duplicates included, with their lines", async () => {
    const { code, message, details } = await sameBothWays(`id: bad
namespace: a.b
bogusTop: 1
tasks:
  - id: same
    type: io.kestra.plugin.core.log.Log
  - id: group
    type: io.kestra.plugin.core.flow.Parallel
    tasks:
      - id: same
        type: io.kestra.plugin.core.log.Log
        message: x
      - id: nope
        type: io.nope.Nope
    unknownAfter: 3
errors:
  - id: group
    type: io.kestra.plugin.core.log.Log
    message: e
`);
    expect(code).toBe("FLOW_INVALID");
    expect((details as { issues: { path: string; line: number }[] }).issues.map((i) => `${i.path}@${i.line}`)).toEqual([
      "tasks[0].message@5",
      "tasks[1].tasks[0].id@10",
      "tasks[1].tasks[1].type@14",
      "tasks[1].unknownAfter@15",
      "errors[0].id@17",
      "bogusTop@3",
    ]);
    expect(message).toContain("tasks[1].tasks[0].id: duplicate task id 'same' (also at tasks[0]) (line 10)");
  });

  it("lets other work run while it validates a flow of 10,000 tasks", async () => {
    let tasks = "";
    for (let i = 0; i < 10_000; i++)
      tasks += `  - id: t${i}\n    type: io.kestra.plugin.core.debug.Return\n    format: "{{ task.id }}"\n`;
    let ran = 0;
    let running = true;
    const other = () => {
      ran++;
      if (running) setImmediate(other);
    };
    setImmediate(other);
    const flow = await parseFlowAsync(`id: many\nnamespace: a.b\ntasks:\n${tasks}`, { registry });
    running = false;
    const during = ran;
    expect(flow.tasks).toHaveLength(10_000);
    expect(during).toBeGreaterThan(1);
  });

  it("refuses a source over limits.maxFlowBytes, naming the limit (HTTP 413), as parseFlow does", async () => {
    setDataLimits({ ...DEFAULT_DATA_LIMITS, maxFlowBytes: 2048 });
    const source = `id: big\nnamespace: a.b\ndescription: "${"x".repeat(3000)}"\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n`;
    const { code, message, details } = await sameBothWays(source);
    expect(code).toBe("FLOW_TOO_LARGE");
    expect(message).toContain("limit maxFlowBytes = 2048");
    expect(details).toEqual({ limit: "maxFlowBytes" });
  });
});
