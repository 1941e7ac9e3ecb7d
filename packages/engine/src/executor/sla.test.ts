import { describe, expect, it } from "vitest";
import { simulate, statesByTask, type WorkerScript } from "../testing/simulate.ts";

const sleeper = (sla: string, extra = "") =>
  `id: f\nnamespace: io.kestra.tests\n${extra}sla:\n${sla}tasks:\n  - id: sleep\n    type: io.kestra.plugin.core.flow.Sleep\n    duration: PT1H\n`;
const hang: WorkerScript = () => ({ hang: true });

describe("executor: flow sla", () => {
  it("MAX_DURATION becomes a delay at creation + duration; FAIL ends the execution and kills the running task", async () => {
    const sim = await simulate(
      sleeper(
        "  - id: max\n    type: MAX_DURATION\n    behavior: FAIL\n    duration: PT10S\n    labels:\n      sla: late\n",
      ),
      { script: hang },
    );
    const delay = sim.commands.find((c) => c.type === "delay");
    expect(delay).toMatchObject({
      delay: { kind: "SLA_MAX_DURATION", sla: 0, at: Date.parse("2024-01-01T00:00:10.000Z") },
    });
    expect(sim.execution.state.current).toBe("RUNNING");
    await sim.fireDelays();
    expect(sim.execution.state.current).toBe("FAILED");
    expect(statesByTask(sim.execution)).toEqual({ sleep: ["FAILED"] });
    expect(sim.commands.some((c) => c.type === "kill-tasks")).toBe(true);
    expect(sim.execution.labels).toEqual([{ key: "sla", value: "late" }]);
    const messages = sim.logs.map((l) => l.message);
    expect(
      messages.some((m) =>
        /^SLA 'max' violated: execution duration of PT10\.\d+S exceed the maximum duration of PT10S\.$/.test(m),
      ),
    ).toBe(true);
    expect(messages.some((m) => m.startsWith("Execution failed due to SLA 'max' violated"))).toBe(true);
  });

  it("MAX_DURATION with CANCEL cancels; with NONE only adds labels and the task goes on", async () => {
    const cancel = await simulate(
      sleeper("  - id: max\n    type: MAX_DURATION\n    behavior: CANCEL\n    duration: PT1S\n"),
      { script: hang },
    );
    await cancel.fireDelays();
    expect(cancel.execution.state.current).toBe("CANCELLED");
    expect(statesByTask(cancel.execution)).toEqual({ sleep: ["CANCELLED"] });

    const none = await simulate(
      sleeper(
        "  - id: max\n    type: MAX_DURATION\n    behavior: NONE\n    duration: PT1S\n    labels:\n      - key: sla\n        value: violated\n",
      ),
      { script: hang },
    );
    await none.fireDelays();
    expect(none.execution.state.current).toBe("RUNNING");
    expect(statesByTask(none.execution)).toEqual({ sleep: ["CREATED"] });
    expect(none.execution.labels).toEqual([{ key: "sla", value: "violated" }]);
    expect(none.commands.some((c) => c.type === "kill-tasks")).toBe(false);
  });

  it("a MAX_DURATION delay that fires after the execution ended changes nothing", async () => {
    const sim = await simulate(
      "id: f\nnamespace: io.kestra.tests\nsla:\n  - id: max\n    type: MAX_DURATION\n    behavior: FAIL\n    duration: PT1H\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.debug.Return\n    format: x\n",
    );
    expect(sim.execution.state.current).toBe("SUCCESS");
    await sim.fireDelays();
    expect(sim.execution.state.current).toBe("SUCCESS");
    expect(sim.logs.some((l) => l.message.includes("violated"))).toBe(false);
  });

  const assertion = (behavior: string) =>
    `id: f\nnamespace: io.kestra.tests\nsla:\n  - id: ok\n    type: EXECUTION_ASSERTION\n    behavior: FAIL\n    assert: "{{ true }}"\n  - id: check\n    type: EXECUTION_ASSERTION\n    behavior: ${behavior}\n    assert: "{{ inputs.mode != 'bad' }}"\n    labels:\n      sla: violated\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.debug.Return\n    format: x\n`;

  it("EXECUTION_ASSERTION is evaluated on each change of a running execution: a false assertion applies its behaviour", async () => {
    const cancelled = await simulate(assertion("CANCEL"), { inputs: { mode: "bad" } });
    expect(cancelled.execution.state.current).toBe("CANCELLED");
    expect(cancelled.execution.taskRunList).toEqual([]);
    expect(cancelled.execution.labels).toEqual([{ key: "sla", value: "violated" }]);
    expect(cancelled.logs.map((l) => l.message)).toContain(
      "SLA 'check' violated: assertion is false: {{ inputs.mode != 'bad' }}.",
    );

    const failed = await simulate(assertion("FAIL"), { inputs: { mode: "bad" } });
    expect(failed.execution.state.current).toBe("FAILED");

    const labelled = await simulate(assertion("NONE"), { inputs: { mode: "bad" } });
    expect(labelled.execution.state.current).toBe("SUCCESS");
    expect(labelled.execution.labels).toEqual([{ key: "sla", value: "violated" }]);

    const passing = await simulate(assertion("CANCEL"), { inputs: { mode: "good" } });
    expect(passing.execution.state.current).toBe("SUCCESS");
    expect(passing.execution.labels).toEqual([]);
    expect(passing.logs.some((l) => l.message.includes("violated"))).toBe(false);
  });

  it("an assertion that cannot render is ignored with an error log", async () => {
    const sim = await simulate(
      'id: f\nnamespace: io.kestra.tests\nsla:\n  - id: broken\n    type: EXECUTION_ASSERTION\n    behavior: FAIL\n    assert: "{{ nothing.here }}"\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.debug.Return\n    format: x\n',
    );
    expect(sim.execution.state.current).toBe("SUCCESS");
    expect(
      sim.logs.some((l) => l.level === "ERROR" && l.message.startsWith("Ignoring SLA 'broken' because of the error:")),
    ).toBe(true);
  });
});
