import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromIonLines } from "../../expression/index.ts";
import type { Execution } from "../../model/execution.ts";
import { toStoragePath } from "../../storage/paths.ts";
import { streamToBuffer } from "../../storage/streams.ts";
import { errorMessages, openTestInstance, outputsOf, type TestInstance } from "../../testing/testInstance.ts";

let t: TestInstance;
beforeAll(async () => {
  t = await openTestInstance();
});
afterAll(() => t.close());

const out = outputsOf;
const errors = (x: Execution, taskId: string) => errorMessages(t, x, taskId);

const LOGS = `id: logs
namespace: company.logs
tasks:
  - id: task-1
    type: io.kestra.plugin.core.log.Log
    message: task 1
  - id: task-2
    type: io.kestra.plugin.core.log.Log
    message: [task 2, again]
    level: WARN
  - id: sleep
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT0.2S
  - id: all
    type: io.kestra.plugin.core.log.Fetch
  - id: warn
    type: io.kestra.core.tasks.log.Fetch
    executionId: "{{ execution.id }}"
    level: WARN
  - id: task1
    type: io.kestra.plugin.core.log.Fetch
    tasksId: [task-1]
    level: INFO
`;

describe("log.Fetch", () => {
  it("stores the execution's logs as ION, by level and task", async () => {
    const x = await t.run(LOGS);
    expect(x.state.current).toBe("SUCCESS");
    expect(out(x, "warn").size).toBe(2);
    const uri = String(out(x, "warn").uri);
    expect(uri).toMatch(/\.ion$/);
    const entries = fromIonLines(
      (await streamToBuffer(await t.instance.storage.get(toStoragePath(uri)))).toString("utf8"),
    ) as Record<string, unknown>[];
    expect(entries.map((e) => [e.taskId, e.level, e.message])).toEqual([
      ["task-2", "WARN", "task 2"],
      ["task-2", "WARN", "again"],
    ]);
    expect(entries[0]).toMatchObject({ namespace: "company.logs", flowId: "logs", executionId: x.id });
    const task1 = out(x, "task1");
    expect(task1.size).toBe(1);
    const task1Entries = fromIonLines(
      (await streamToBuffer(await t.instance.storage.get(toStoragePath(String(task1.uri))))).toString("utf8"),
    ) as Record<string, unknown>[];
    expect(task1Entries.map((e) => [e.taskId, e.level, e.message])).toEqual([["task-1", "INFO", "task 1"]]);
    expect(Number(out(x, "all").size)).toBeGreaterThanOrEqual(3);
  });

  it("rejects namespace without executionId", async () => {
    const x = await t.run(`id: fetchbad
namespace: company.logs
tasks:
  - id: fetch
    type: io.kestra.plugin.core.log.Fetch
    namespace: company.logs
`);
    expect(x.state.current).toBe("FAILED");
    expect(errors(x, "fetch")).toEqual(["`namespace` and `flowId` should only be set when `executionId` is set."]);
  });
});

describe("log.PurgeLogs", () => {
  it("deletes the logs of a namespace up to a date, by level", async () => {
    const source = await t.run(`id: noisy
namespace: company.purge.logs
tasks:
  - id: info
    type: io.kestra.plugin.core.log.Log
    message: keep?
  - id: warn
    type: io.kestra.plugin.core.log.Log
    message: drop
    level: WARN
`);
    await new Promise((r) => setTimeout(r, 250)); // worker logs are flushed every 100 ms
    const before = t.instance.logs.find({ executionId: source.id });
    const x = await t.run(`id: purger
namespace: company.maintenance
tasks:
  - id: warnOnly
    type: io.kestra.plugin.core.log.PurgeLogs
    namespace: company.purge
    logLevels: [WARN]
    endDate: "{{ now() }}"
  - id: rest
    type: io.kestra.plugin.core.log.PurgeLogs
    namespace: company.purge.logs
    flowId: noisy
    startDate: "2000-01-01T00:00:00+01:00[Europe/Paris]"
    endDate: "{{ now() }}"
  - id: badDate
    type: io.kestra.plugin.core.log.PurgeLogs
    endDate: yesterday
`);
    expect(out(x, "warnOnly")).toEqual({ count: 1 });
    expect(out(x, "rest")).toEqual({ count: before.length - 1 });
    expect(t.instance.logs.find({ executionId: source.id })).toEqual([]);
    expect(errors(x, "badDate")).toEqual([
      "'endDate' must be an ISO-8601 date-time such as 2024-01-01T00:00:00Z, got 'yesterday'",
    ]);
  });
});
