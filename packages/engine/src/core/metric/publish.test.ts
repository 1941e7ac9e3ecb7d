import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestInstance, outputsOf, type TestInstance } from "../../testing/testInstance.ts";

let t: TestInstance;
beforeAll(async () => {
  t = await openTestInstance();
});
afterAll(() => t.close());

describe("metric.Publish", () => {
  it("publishes rendered counters and timers with their tags", async () => {
    const x = await t.run(`id: publish
namespace: company.team
tasks:
  - id: publish
    type: io.kestra.plugin.core.metric.Publish
    metrics:
      - type: counter
        name: "rows_{{ flow.id }}"
        value: "{{ 40 + 2 }}"
        tags:
          table: users
      - type: timer
        name: load
        value: PT1.5S
`);
    expect(x.state.current).toBe("SUCCESS");
    const stored = t.instance.metrics
      .byExecution(x.id)
      .map((m) => ({ name: m.name, type: m.type, value: m.value, tags: m.tags }));
    expect(stored).toEqual([
      { name: "rows_publish", type: "counter", value: 42, tags: { table: "users" } },
      { name: "load", type: "timer", value: 1500, tags: undefined },
    ]);
    expect(outputsOf(x, "publish")).toEqual({
      metrics: [
        { name: "rows_publish", type: "counter", value: 42, tags: { table: "users" } },
        { name: "load", type: "timer", value: "PT1.5S", tags: {} },
      ],
    });
  });

  it("refuses an unknown metric type or a counter without value, naming the flow and the YAML path", () => {
    const deploy = (metric: string) => () =>
      t.instance.flows.deploy(`id: publish_bad
namespace: company.team
tasks:
  - id: publish
    type: io.kestra.plugin.core.metric.Publish
    metrics:
      - ${metric}
`);
    expect(deploy("{type: gauge, name: g, value: 1}")).toThrow(
      /Flow 'company.team\/publish_bad' is invalid: tasks\[0\]\.metrics\[0\]/,
    );
    expect(deploy("{type: counter, name: c}")).toThrow(
      /Flow 'company.team\/publish_bad' is invalid: tasks\[0\]\.metrics\[0\]\.value/,
    );
  });
});
