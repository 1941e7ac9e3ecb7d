import { describe, expect, it } from "vitest";
import { simulate, statesByTask, type WorkerScript } from "../testing/simulate.ts";

const flow = (tasks: string, extra = "") => `id: f\nnamespace: io.kestra.tests\n${extra}\ntasks:\n${tasks}`;
const log = (id: string, indent = "  ") =>
  `${indent}- id: ${id}\n${indent}  type: io.kestra.plugin.core.log.Log\n${indent}  message: ${id}\n`;
const fail = (id: string, indent = "  ") =>
  `${indent}- id: ${id}\n${indent}  type: io.kestra.plugin.core.execution.Fail\n`;

describe("executor: sequencing", () => {
  it("runs root tasks one after the other and ends SUCCESS", async () => {
    const sim = await simulate(flow(log("a") + log("b") + log("c")));
    expect(sim.execution.state.current).toBe("SUCCESS");
    expect(sim.jobs.map((j) => j.task.id)).toEqual(["a", "b", "c"]);
    expect(sim.maxConcurrentJobs).toBe(1);
    expect(sim.execution.state.histories.map((h) => h.state)).toEqual(["CREATED", "RUNNING", "SUCCESS"]);
    expect(sim.logs.map((l) => l.message)).toContain("Flow started");
  });

  it("stops at a failure, runs the errors branch, and still ends FAILED", async () => {
    const sim = await simulate(flow(log("a") + fail("b") + log("c"), `errors:\n${log("e1")}`));
    expect(statesByTask(sim.execution)).toEqual({ a: ["SUCCESS"], b: ["FAILED"], e1: ["SUCCESS"] });
    expect(sim.execution.state.current).toBe("FAILED");
  });

  it("skips a task whose runIf is falsy and fails one whose runIf cannot render", async () => {
    const sim = await simulate(
      flow(
        `  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: x\n    runIf: "{{ 1 == 2 }}"\n  - id: b\n    type: io.kestra.plugin.core.log.Log\n    message: x\n    runIf: "{{ nope.nothing }}"\n`,
      ),
    );
    expect(statesByTask(sim.execution)).toEqual({ a: ["SKIPPED"], b: ["FAILED"] });
    expect(sim.logs.some((l) => l.message.startsWith("Unable to evaluate the runIf condition for task b"))).toBe(true);
  });

  it("removes disabled tasks from the sequence", async () => {
    const sim = await simulate(
      flow(
        `${log("a")}  - id: b\n    type: io.kestra.plugin.core.log.Log\n    message: x\n    disabled: true\n${log("c")}`,
      ),
    );
    expect(sim.jobs.map((j) => j.task.id)).toEqual(["a", "c"]);
  });
});

describe("executor: flowables", () => {
  it("Parallel starts every child at once, up to `concurrent`", async () => {
    const tasks = ["t1", "t2", "t3", "t4"].map((t) => log(t, "      ")).join("");
    const unlimited = await simulate(
      flow(`  - id: p\n    type: io.kestra.plugin.core.flow.Parallel\n    tasks:\n${tasks}`),
    );
    expect(unlimited.maxConcurrentJobs).toBe(4);
    expect(unlimited.execution.state.current).toBe("SUCCESS");
    const limited = await simulate(
      flow(`  - id: p\n    type: io.kestra.plugin.core.flow.Parallel\n    concurrent: 2\n    tasks:\n${tasks}`),
    );
    expect(limited.maxConcurrentJobs).toBe(2);
    expect(limited.jobs).toHaveLength(4);
  });

  it("a failed Parallel child lets running siblings finish before the flow fails and errors run", async () => {
    let sleepDone = false;
    const script: WorkerScript = (job) => {
      if (job.task.id === "slow") return sleepDone ? {} : { hang: true };
      return job.task.type.endsWith(".Fail") ? { state: "FAILED" } : {};
    };
    const sim = await simulate(
      flow(
        `  - id: p\n    type: io.kestra.plugin.core.flow.Parallel\n    tasks:\n${fail("boom", "      ")}${log("slow", "      ")}`,
        `errors:\n${log("handler")}`,
      ),
      { script },
    );
    expect(statesByTask(sim.execution)).toEqual({ p: ["RUNNING"], boom: ["FAILED"], slow: ["CREATED"] });
    expect(sim.execution.state.current).toBe("RUNNING");
    sleepDone = true;
    const slow = sim.jobs.find((j) => j.task.id === "slow")!;
    await sim.send({
      type: "worker-result",
      taskRunId: slow.taskRunId,
      attempt: 1,
      attemptState: "SUCCESS",
      state: "SUCCESS",
      outputs: {},
      date: new Date().toISOString(),
    });
    expect(statesByTask(sim.execution)).toEqual({
      p: ["FAILED"],
      boom: ["FAILED"],
      slow: ["SUCCESS"],
      handler: ["SUCCESS"],
    });
    expect(sim.execution.state.current).toBe("FAILED");
  });

  it("If follows `else` on a falsy condition and records the evaluation", async () => {
    const sim = await simulate(
      flow(
        `  - id: if\n    type: io.kestra.plugin.core.flow.If\n    condition: "{{ 0 }}"\n    then:\n${log("yes", "      ")}    else:\n${log("no", "      ")}`,
      ),
    );
    expect(statesByTask(sim.execution)).toEqual({ if: ["SUCCESS"], no: ["SUCCESS"] });
    expect(sim.execution.taskRunList[0]!.outputs).toEqual({ evaluationResult: false });
  });

  it("Switch with no matching case and no defaults fails", async () => {
    const sim = await simulate(
      flow(
        `  - id: s\n    type: io.kestra.plugin.core.flow.Switch\n    value: "z"\n    cases:\n      a:\n${log("in-a", "        ")}`,
      ),
    );
    expect(sim.execution.state.current).toBe("FAILED");
  });

  it("ForEach gives each child the value, and limits concurrent value groups", async () => {
    const sim = await simulate(
      flow(
        `  - id: each\n    type: io.kestra.plugin.core.flow.ForEach\n    values: ["a", "b", "c"]\n    concurrencyLimit: 2\n    tasks:\n${log("first", "      ")}${log("second", "      ")}`,
      ),
    );
    expect(sim.execution.state.current).toBe("SUCCESS");
    expect(sim.execution.taskRunList).toHaveLength(7);
    expect(sim.execution.taskRunList.filter((t) => t.taskId === "first").map((t) => t.value)).toEqual(["a", "b", "c"]);
    expect(sim.maxConcurrentJobs).toBe(2);
  });

  it("ForEach over an empty list succeeds at once; null values fail it", async () => {
    const empty = await simulate(
      flow(
        `  - id: each\n    type: io.kestra.plugin.core.flow.ForEach\n    values: "[]"\n    tasks:\n${log("x", "      ")}`,
      ),
    );
    expect(statesByTask(empty.execution)).toEqual({ each: ["SUCCESS"] });
    const nulls = await simulate(
      flow(
        `  - id: each\n    type: io.kestra.plugin.core.flow.ForEach\n    values: "[1, null]"\n    tasks:\n${log("x", "      ")}`,
      ),
    );
    expect(nulls.execution.state.current).toBe("FAILED");
  });

  it("Dag runs a task once its dependencies ended", async () => {
    const sim = await simulate(
      flow(
        `  - id: dag\n    type: io.kestra.plugin.core.flow.Dag\n    tasks:\n      - task: {id: a, type: io.kestra.plugin.core.log.Log, message: a}\n      - task: {id: b, type: io.kestra.plugin.core.log.Log, message: b}\n        dependsOn: [a]\n      - task: {id: c, type: io.kestra.plugin.core.log.Log, message: c}\n        dependsOn: [a]\n      - task: {id: d, type: io.kestra.plugin.core.log.Log, message: d}\n        dependsOn: [b, c]\n`,
      ),
    );
    const order = sim.jobs.map((j) => j.task.id);
    expect(order[0]).toBe("a");
    expect(order[3]).toBe("d");
    expect(sim.execution.state.current).toBe("SUCCESS");
  });

  it("AllowFailure turns a failed child into WARNING and the flow goes on", async () => {
    const sim = await simulate(
      flow(
        `  - id: af\n    type: io.kestra.plugin.core.flow.AllowFailure\n    tasks:\n${fail("boom", "      ")}${log("after")}`,
      ),
    );
    expect(statesByTask(sim.execution)).toEqual({ af: ["WARNING"], boom: ["FAILED"], after: ["SUCCESS"] });
    expect(sim.execution.state.current).toBe("WARNING");
  });

  it("Sequential with local errors runs them and fails only its subtree", async () => {
    const sim = await simulate(
      flow(
        `  - id: seq\n    type: io.kestra.plugin.core.flow.Sequential\n    tasks:\n${fail("f", "      ")}${log("never", "      ")}    errors:\n${log("handled", "      ")}`,
      ),
    );
    expect(statesByTask(sim.execution)).toEqual({ seq: ["FAILED"], f: ["FAILED"], handled: ["SUCCESS"] });
  });
});

describe("executor: retries", () => {
  it("retries in place with a new attempt until the policy is exhausted", async () => {
    const sim = await simulate(
      flow(
        `  - id: f\n    type: io.kestra.plugin.core.execution.Fail\n    retry:\n      type: constant\n      interval: PT0.250S\n      maxAttempt: 3\n`,
      ),
    );
    expect(sim.execution.state.current).toBe("FAILED");
    expect(sim.execution.taskRunList).toHaveLength(1);
    expect(sim.execution.taskRunList[0]!.attempts).toHaveLength(3);
    expect(sim.execution.state.histories.map((h) => h.state)).toContain("RETRYING");
  });

  it("succeeds on a later attempt, WARNING with warningOnRetry", async () => {
    const script: WorkerScript = (job, attempt) =>
      attempt < 2 ? { state: "FAILED" } : { state: job.attempt > 1 ? "WARNING" : "SUCCESS" };
    const sim = await simulate(
      flow(
        `  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: x\n    retry: {type: constant, interval: PT1S, maxAttempt: 3, warningOnRetry: true}\n`,
      ),
      { script },
    );
    expect(sim.execution.taskRunList[0]!.attempts?.map((a) => a.state.current)).toEqual(["FAILED", "WARNING"]);
    expect(sim.execution.state.current).toBe("WARNING");
  });
});

describe("executor: pause, kill", () => {
  it("Pause with a delay resumes by itself and runs its tasks", async () => {
    const sim = await simulate(
      flow(
        `  - id: pause\n    type: io.kestra.plugin.core.flow.Pause\n    delay: PT1S\n    tasks:\n${log("sub", "      ")}${log("last")}`,
      ),
    );
    expect(sim.execution.state.current).toBe("SUCCESS");
    const pause = sim.execution.taskRunList.find((t) => t.taskId === "pause")!;
    expect(pause.state.histories.map((h) => h.state)).toEqual(["CREATED", "RUNNING", "PAUSED", "RUNNING", "SUCCESS"]);
  });

  it("Pause without delay waits for a resume, with onResume inputs as outputs", async () => {
    const sim = await simulate(
      flow(
        `  - id: pause\n    type: io.kestra.plugin.core.flow.Pause\n    onResume:\n      - id: approved\n        type: BOOLEAN\n${log("after")}`,
      ),
      { autoDelays: false },
    );
    expect(sim.execution.state.current).toBe("PAUSED");
    await sim.send({ type: "resume-requested", onResumeInputs: { approved: true } });
    expect(sim.execution.state.current).toBe("SUCCESS");
    expect(sim.execution.taskRunList[0]!.outputs).toEqual({ onResume: { approved: true } });
  });

  it("a kill stops the running task and nothing after it runs", async () => {
    const script: WorkerScript = (job) => (job.task.id === "slow" ? { hang: true } : {});
    const sim = await simulate(
      flow(`  - id: slow\n    type: io.kestra.plugin.core.flow.Sleep\n    duration: PT1H\n${log("after")}`),
      { script },
    );
    expect(sim.execution.state.current).toBe("RUNNING");
    await sim.send({ type: "kill-requested" });
    expect(statesByTask(sim.execution)).toEqual({ slow: ["KILLED"] });
    expect(sim.execution.state.current).toBe("KILLED");
  });
});

describe("executor: outputs", () => {
  it("renders flow outputs from task outputs at the end", async () => {
    const sim = await simulate(
      flow(
        `  - id: r\n    type: io.kestra.plugin.core.debug.Return\n    format: "{{ flow.id }}"\n`,
        `outputs:\n  - id: key\n    type: STRING\n    value: "{{ outputs.r }}"`,
      ),
    );
    expect(sim.execution.outputs).toEqual({ key: '{"value":"f"}' });
  });

  it("fails the execution when an output cannot be rendered", async () => {
    const sim = await simulate(flow(log("a"), `outputs:\n  - id: key\n    type: INT\n    value: "not a number"`));
    expect(sim.execution.state.current).toBe("FAILED");
    expect(sim.logs.some((l) => l.message.includes("Invalid output for `key`"))).toBe(true);
  });
});
