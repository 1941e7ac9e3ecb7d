/** Task `assets` on real flows: checked when the flow is saved, rendered onto the task run when it starts. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isSakerError } from "@saker/sdk";
import { errorMessages, openTestInstance, taskRun, type TestInstance } from "../testing/testInstance.ts";

let t: TestInstance;
beforeAll(async () => {
  t = await openTestInstance();
});
afterAll(() => t.close());

describe("task assets", () => {
  it("keeps the rendered declaration on the task run (Kestra 1.x's input types, ids with ':'), extra keys as metadata", async () => {
    const x = await t.run(`id: assets
namespace: company.team
inputs:
  - id: table
    type: STRING
    defaults: orders
tasks:
  - id: load
    type: io.kestra.plugin.core.log.Log
    message: loading
    assets:
      inputs:
        - id: raw_{{ inputs.table }}
          type: io.kestra.plugin.ee.assets.Dataset
      outputs:
        - id: "{{ inputs.table }}"
          namespace: company.data
          type: io.kestra.plugin.ee.assets.Table
          displayName: Orders
          system: postgres
          metadata:
            owner: data-team
  - id: seq
    type: io.kestra.plugin.core.flow.Sequential
    assets:
      enableAuto: true
      assetFailureBehavior: FAIL
      inputs: [{ id: "postgres:{{ inputs.table }}", namespace: company.data }]
    tasks:
      - id: plain
        type: io.kestra.plugin.core.log.Log
        message: no assets
`);
    expect(x.state.current).toBe("SUCCESS");
    expect(taskRun(x, "load").assets).toEqual({
      inputs: [{ id: "raw_orders", type: "io.kestra.plugin.ee.assets.Dataset" }],
      outputs: [
        {
          id: "orders",
          namespace: "company.data",
          type: "io.kestra.plugin.ee.assets.Table",
          displayName: "Orders",
          metadata: { owner: "data-team", system: "postgres" },
        },
      ],
    });
    expect(taskRun(x, "seq").assets).toEqual({
      inputs: [{ id: "postgres:orders", namespace: "company.data" }],
      outputs: [],
    });
    expect(taskRun(x, "plain").assets).toBeUndefined();
    // the stored execution (what the API and the CLI show) keeps them too
    expect(taskRun(await t.instance.getExecution(x.id), "load").assets?.outputs[0]?.id).toBe("orders");
  });

  it("refuses a declaration with a bad id, a missing type or an unknown key when the flow is saved", () => {
    let error: unknown;
    try {
      t.instance.flows.deploy(`id: badassets
namespace: company.team
tasks:
  - id: load
    type: io.kestra.plugin.core.log.Log
    message: x
    assets:
      assetFailureBehavior: SOMETIMES
      inputs:
        - id: "-bad id"
      outputs:
        - id: ok
      lineage: true
`);
    } catch (e) {
      error = e;
    }
    expect(isSakerError(error)).toBe(true);
    const message = (error as Error).message;
    expect(message).toMatch(/tasks\[0\]\.assets\.inputs\[0\]\.id.*must start with a letter or digit/);
    expect(message).toMatch(/tasks\[0\]\.assets\.outputs\[0\]\.type/);
    expect(message).toMatch(/tasks\[0\]\.assets.*lineage/);
    expect(message).toMatch(/tasks\[0\]\.assets\.assetFailureBehavior: must be one of IGNORE, FAIL, WARN/);
  });

  it("fails the task run when an expression renders an invalid asset", async () => {
    const x = await t.run(`id: badrender
namespace: company.team
tasks:
  - id: load
    type: io.kestra.plugin.core.log.Log
    message: x
    assets:
      outputs:
        - id: "{{ '../etc' }}"
          type: TABLE
  - id: after
    type: io.kestra.plugin.core.log.Log
    message: never
`);
    expect(x.state.current).toBe("FAILED");
    expect(taskRun(x, "load").state.current).toBe("FAILED");
    expect(errorMessages(t, x, "load").join("\n")).toContain(
      "Invalid assets for task load: assets.outputs[0].id '../etc' must match",
    );
    expect(x.taskRunList.some((r) => r.taskId === "after")).toBe(false);
  });
});
