/** `RunContext.executionSummary` as the worker implements it: the link needs `server.url`, other tenants' executions are not seen. */
import { afterAll, beforeAll, expect, it } from "vitest";
import { openTestInstance, type TestInstance } from "../testing/testInstance.ts";
import { readExecutionSummary } from "./executionSummary.ts";

let test: TestInstance;
beforeAll(async () => {
  test = await openTestInstance();
});
afterAll(async () => test?.close());

it("summarizes an execution, with a link only when server.url is set, and only in its tenant", async () => {
  const x = await test.run(`id: summary
namespace: company.team
labels:
  team: data
tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: hi
`);
  const summary = await readExecutionSummary(test.instance.backend.executions, "main", undefined, x.id);
  expect(summary).toEqual({
    id: x.id,
    namespace: "company.team",
    flowId: "summary",
    state: "SUCCESS",
    startDate: x.state.startDate,
    endDate: x.state.endDate,
    duration: x.state.duration,
    labels: expect.arrayContaining([{ key: "team", value: "data" }]),
    taskRuns: [{ id: x.taskRunList[0]!.id, taskId: "hello", state: "SUCCESS" }],
  });
  expect(
    (await readExecutionSummary(test.instance.backend.executions, "main", "https://s.example/base//", x.id))?.url,
  ).toBe(`https://s.example/base/ui/main/executions/company.team/summary/${x.id}`);
  expect(await readExecutionSummary(test.instance.backend.executions, "other", undefined, x.id)).toBeUndefined();
  expect(await readExecutionSummary(test.instance.backend.executions, "main", undefined, "missing")).toBeUndefined();
});

it("shows a secret held in a label or a task-run value masked, as the worker hands it to plugins", async () => {
  const secret = "s3cr3t-token-value";
  const guarded = await openTestInstance({ env: { SECRET_TOKEN: Buffer.from(secret).toString("base64") } });
  try {
    const x = await guarded.run(`id: leaky
namespace: company.team
tasks:
  - id: label
    type: io.kestra.plugin.core.execution.Labels
    labels:
      token: "{{ secret('TOKEN') }}"
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: ["{{ secret('TOKEN') }}"]
    tasks:
      - id: out
        type: io.kestra.plugin.core.output.OutputValues
        values:
          token: "{{ secret('TOKEN') }}"
`);
    expect(x.state.current).toBe("SUCCESS");
    const { backend, secretGuard } = guarded.instance;
    const executions = backend.executions;
    const raw = (await readExecutionSummary(executions, "main", undefined, x.id))!;
    // the label is stored sealed; a ForEach value is stored as it was rendered
    expect(raw.labels.find((l) => l.key === "token")?.value).toMatch(/^saker-sealed:/);
    const shown = (await readExecutionSummary(executions, "main", undefined, x.id, (s) => secretGuard.display(s)))!;
    const text = JSON.stringify(shown);
    expect(text).not.toContain(secret);
    expect(text).not.toContain("saker-sealed:");
    expect(shown.labels.find((l) => l.key === "token")?.value).toMatch(/\*/);
    expect(shown.taskRuns.filter((t) => t.value !== undefined).every((t) => /\*/.test(t.value!))).toBe(true);
    expect(shown.taskRuns.some((t) => t.value !== undefined)).toBe(true);
    // ids are not user data: they stay as they are
    expect(shown.id).toBe(x.id);
    expect(shown.flowId).toBe("leaky");
  } finally {
    await guarded.close();
  }
});
