import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Execution } from "../../model/execution.ts";
import { errorMessages, openTestInstance, outputsOf, type TestInstance } from "../../testing/testInstance.ts";

let t: TestInstance;
beforeAll(async () => {
  t = await openTestInstance();
});
afterAll(() => t.close());

const out = outputsOf;
const errors = (x: Execution, taskId: string) => errorMessages(t, x, taskId);

const SIMPLE = (ns: string, id: string) => `id: ${id}
namespace: ${ns}
tasks:
  - id: write
    type: io.kestra.plugin.core.storage.Write
    content: hello
`;

describe("execution.Count", () => {
  it("counts executions per flow and keeps those passing the expression", async () => {
    await t.run(SIMPLE("company.count", "counted"));
    await t.run(SIMPLE("company.count", "counted"));
    await t.run(SIMPLE("company.count", "other"));
    const x = await t.run(`id: counter
namespace: company.counting
tasks:
  - id: atLeastTwo
    type: io.kestra.plugin.core.execution.Count
    flows:
      - {namespace: company.count, flowId: counted}
      - {namespace: company.count, flowId: other}
      - {namespace: company.count, flowId: never}
    startDate: "{{ now() | dateAdd(-1, 'HOURS') }}"
    expression: "{{ count >= 2 }}"
  - id: none
    type: io.kestra.core.tasks.executions.Counts
    flows:
      - {namespace: company.count, flowId: never}
    states: [SUCCESS]
    startDate: "{{ now() | dateAdd(-1, 'HOURS') }}"
    expression: "{{ count == 0 }}"
  - id: namespaces
    type: io.kestra.plugin.core.execution.Count
    namespaces: [company.count]
    startDate: "2000-01-01T00:00:00Z"
    endDate: "{{ now() }}"
    expression: "{{ true }}"
  - id: nothing
    type: io.kestra.plugin.core.execution.Count
    startDate: "2000-01-01T00:00:00Z"
    expression: "{{ true }}"
`);
    expect(out(x, "atLeastTwo")).toEqual({
      results: [{ namespace: "company.count", flowId: "counted", count: 2 }],
      total: 2,
    });
    expect(out(x, "none")).toEqual({ results: [{ namespace: "company.count", flowId: "never", count: 0 }], total: 0 });
    expect(out(x, "namespaces")).toEqual({
      results: [{ namespace: "company.count", flowId: null, count: 3 }],
      total: 3,
    });
    expect(errors(x, "nothing")).toEqual(["You must provide a list of flows or namespaces"]);
  });
});

describe("execution.PurgeExecutions", () => {
  it("deletes ended executions with their logs, metrics and files", async () => {
    const old = await t.run(SIMPLE("company.purge.a", "old"));
    const kept = await t.run(SIMPLE("company.keep", "old"));
    await new Promise((r) => setTimeout(r, 250)); // worker logs are flushed every 100 ms
    const x = await t.run(`id: purger
namespace: company.purge
tasks:
  - id: purge
    type: io.kestra.plugin.core.execution.PurgeExecutions
    namespace: company.purge
    endDate: "{{ now() }}"
  - id: failedOnly
    type: io.kestra.plugin.core.execution.PurgeExecutions
    namespace: company.keep
    states: [FAILED]
    endDate: "{{ now() }}"
`);
    expect(x.state.current).toBe("SUCCESS");
    expect(out(x, "purge")).toMatchObject({ executionsCount: 1, storagesCount: 1, metricsCount: 0 });
    expect(Number(out(x, "purge").logsCount)).toBeGreaterThan(0);
    expect(t.instance.executions.get(old.id)).toBeUndefined();
    expect(t.instance.executions.get(x.id)).toBeDefined();
    expect(out(x, "failedOnly")).toEqual({ executionsCount: 0, logsCount: 0, storagesCount: 0, metricsCount: 0 });
    expect(t.instance.executions.get(kept.id)).toBeDefined();
  });

  it("with flowId, purges that flow of that namespace only, and refuses a flowId without namespace", async () => {
    const target = await t.run(SIMPLE("company.exact", "flow"));
    const below = await t.run(SIMPLE("company.exact.below", "flow"));
    const x = await t.run(`id: exact-purger
namespace: company.purger
tasks:
  - id: purge
    type: io.kestra.plugin.core.execution.PurgeExecutions
    namespace: company.exact
    flowId: flow
    endDate: "{{ now() }}"
`);
    expect(out(x, "purge").executionsCount).toBe(1);
    expect(t.instance.executions.get(target.id)).toBeUndefined();
    expect(t.instance.executions.get(below.id)).toBeDefined();
    const bad = await t.run(`id: bad-purger
namespace: company.purger
tasks:
  - id: purge
    type: io.kestra.plugin.core.execution.PurgeExecutions
    flowId: flow
    endDate: "2024-01-01T00:00:00+01:00[Europe/Paris]"
`);
    expect(bad.state.current).toBe("FAILED");
    expect(errors(bad, "purge")).toEqual(["`flowId` needs the `namespace` of the flow"]);
    const badDate = await t.run(`id: bad-date
namespace: company.purger
tasks:
  - id: purge
    type: io.kestra.plugin.core.execution.PurgeExecutions
    endDate: "yesterday"
`);
    expect(errors(badDate, "purge")[0]).toMatch(/'endDate' must be an ISO-8601 date-time/);
  });
});

describe("execution.Resume", () => {
  const PAUSE = `id: pause
namespace: company.resume
inputs: []
tasks:
  - id: pause
    type: io.kestra.plugin.core.flow.Pause
    onResume:
      - id: approved
        type: BOOLEAN
  - id: after
    type: io.kestra.plugin.core.debug.Return
    format: "{{ outputs.pause.onResume.approved }}"
`;
  const RESUME = `id: resume-execution
namespace: company.resume
inputs:
  - id: executionId
    type: STRING
tasks:
  - id: resume
    type: io.kestra.plugin.core.execution.Resume
    executionId: "{{ inputs.executionId }}"
    inputs:
      approved: true
`;

  it("resumes a paused execution with onResume inputs", async () => {
    const paused = await t.run(PAUSE);
    expect(paused.state.current).toBe("PAUSED");
    const x = await t.run(RESUME, { executionId: paused.id });
    expect(x.state.current).toBe("SUCCESS");
    const resumed = await t.instance.waitForSettled(paused.id, 10_000);
    expect(resumed.state.current).toBe("SUCCESS");
    expect(out(resumed, "after")).toEqual({ value: "true" });
  });

  it("fails for an unknown or a running execution", async () => {
    const unknown = await t.run(RESUME, { executionId: "nope" });
    expect(unknown.state.current).toBe("FAILED");
    expect(errors(unknown, "resume")).toEqual(["No execution found for execution id nope"]);
    const self = await t.run(`id: self
namespace: company.resume
tasks:
  - id: resume
    type: io.kestra.plugin.core.execution.Resume
`);
    expect(errors(self, "resume")[0]).toMatch(/^Execution \w+ is not paused \(state RUNNING\)$/);
  });
});
