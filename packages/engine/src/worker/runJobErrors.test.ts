/**
 * The errors a flow author can cause while a task attempt starts fail the task with a message
 * that names the task and the property. (The error code is not in the task's log lines, so these
 * tests check the message only.)
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorMessages, openTestInstance, taskRun, type TestInstance } from "../testing/testInstance.ts";

let t: TestInstance;

beforeAll(async () => {
  t = await openTestInstance();
});

afterAll(async () => {
  await t.close();
});

describe("runJob errors", () => {
  it("fails a task whose timeout renders to no duration, naming the task and `timeout`", async () => {
    const x = await t.run(`id: badtimeout
namespace: company
tasks:
  - id: slow
    type: io.kestra.plugin.core.debug.Return
    timeout: "{{ 'soon' }}"
    format: hi
`);
    expect(taskRun(x, "slow").state.current).toBe("FAILED");
    expect(errorMessages(t, x, "slow").join("\n")).toContain(
      "task 'slow', timeout: must be an ISO-8601 duration, got 'soon'",
    );
  });

  it("refuses read() of another execution's file", async () => {
    const x = await t.run(`id: badread
namespace: company
tasks:
  - id: peek
    type: io.kestra.plugin.core.debug.Return
    format: "{{ read('kestra:///other/flow/executions/x1/secret.csv') }}"
`);
    expect(taskRun(x, "peek").state.current).toBe("FAILED");
    expect(errorMessages(t, x, "peek").join("\n")).toContain(
      "Unable to read 'kestra:///other/flow/executions/x1/secret.csv': only files of this execution, of the executions it started and namespace files can be read",
    );
  });
});
