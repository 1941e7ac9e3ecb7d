/** Flow `sla` on a real instance (SQLite queue, executor, worker), as `saker server local` runs it. */
import { afterEach, describe, expect, it } from "vitest";
import { openTestInstance, taskRun, type TestInstance } from "../testing/testInstance.ts";

let test: TestInstance | undefined;
afterEach(async () => {
  await test?.close();
  test = undefined;
});

const flow = (id: string, sla: string, sleep: string) => `id: ${id}
namespace: unit.sla
sla:
${sla}
tasks:
  - id: sleep
    type: io.kestra.plugin.core.flow.Sleep
    duration: ${sleep}
`;

describe("flow sla on a running instance", () => {
  it("MAX_DURATION FAIL: the delayed message fails an execution whose only task sleeps for an hour", async () => {
    test = await openTestInstance();
    const execution = await test.run(
      flow(
        "max-fail",
        "  - id: max\n    type: MAX_DURATION\n    behavior: FAIL\n    duration: PT0.3S\n    labels:\n      sla: late",
        "PT1H",
      ),
    );
    expect(execution.state.current).toBe("FAILED");
    expect(taskRun(execution, "sleep").state.current).toBe("FAILED");
    expect(execution.labels).toContainEqual({ key: "sla", value: "late" });
  });

  it("MAX_DURATION NONE: labels only, the execution goes on to SUCCESS", async () => {
    test = await openTestInstance();
    const execution = await test.run(
      flow(
        "max-none",
        "  - id: max\n    type: MAX_DURATION\n    behavior: NONE\n    duration: PT0.1S\n    labels:\n      sla: violated",
        "PT0.6S",
      ),
    );
    expect(execution.state.current).toBe("SUCCESS");
    expect(execution.labels).toContainEqual({ key: "sla", value: "violated" });
  });

  it("MAX_DURATION not reached and EXECUTION_ASSERTION true: SUCCESS, no label", async () => {
    test = await openTestInstance();
    const sla =
      '  - id: max\n    type: MAX_DURATION\n    behavior: FAIL\n    duration: PT10S\n  - id: ok\n    type: EXECUTION_ASSERTION\n    behavior: CANCEL\n    assert: "{{ execution.id is defined }}"\n    labels:\n      sla: violated';
    const execution = await test.run(flow("within", sla, "PT0.1S"));
    expect(execution.state.current).toBe("SUCCESS");
    expect(execution.labels).not.toContainEqual({ key: "sla", value: "violated" });
  });

  it("EXECUTION_ASSERTION CANCEL: a false assertion cancels the execution", async () => {
    test = await openTestInstance();
    const execution = await test.run(
      flow(
        "assert-cancel",
        '  - id: never\n    type: EXECUTION_ASSERTION\n    behavior: CANCEL\n    assert: "{{ 1 == 2 }}"',
        "PT1H",
      ),
    );
    expect(execution.state.current).toBe("CANCELLED");
    expect(execution.taskRunList).toEqual([]);
  });
});
