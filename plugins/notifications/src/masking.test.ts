/**
 * What a `*Execution` notification sends leaves the instance: a secret held by the reported
 * execution (a label, a task output, a ForEach value) never reaches the webhook in clear.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { defineTask, definePlugin, z, type AnyTaskDefinition } from "@saker/sdk";
import type { TestInstance } from "@saker/engine/testing";
import { notificationsInstance, webhookServer, type WebhookServer } from "../test/support.ts";

/** A task sending the whole summary it is given, labels and task-run values included. */
const SendSummary = defineTask({
  type: "io.test.SendSummary",
  title: "Send a summary",
  properties: z.object({ url: z.string(), executionId: z.string() }),
  outputs: z.object({}),
  async run(props, ctx) {
    const summary = await ctx.executionSummary!(props.executionId);
    await fetch(props.url, { method: "POST", body: JSON.stringify(summary) });
    return {};
  },
});

const SECRET = "s3cr3t-token-value";
let test: TestInstance;
let hook: WebhookServer;
beforeAll(async () => {
  test = await notificationsInstance(
    { server: { url: "http://saker.test" } },
    false,
    { SECRET_TOKEN: Buffer.from(SECRET).toString("base64") },
    { "test-summary": definePlugin({ group: "io.test", tasks: [SendSummary as unknown as AnyTaskDefinition] }) },
  );
  hook = await webhookServer();
});
afterAll(async () => {
  await test?.close();
  await hook?.close();
});

it("SlackExecution's body holds no secret of the reported execution", async () => {
  const leaky = await test.run(`id: leaky
namespace: company.prod
labels:
  team: data
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
      - id: fail
        type: io.kestra.plugin.core.execution.Fail
        errorMessage: "failed with {{ taskrun.value }}"
`);
  expect(leaky.state.current).toBe("FAILED");
  const ex = await test.run(
    `id: alert
namespace: company.alerts
inputs:
  - id: id
    type: STRING
tasks:
  - id: slack
    type: io.kestra.plugin.slack.notifications.SlackExecution
    url: "${hook.url}/masked"
    executionId: "{{ inputs.id }}"
`,
    { id: leaky.id },
  );
  expect(ex.state.current).toBe("SUCCESS");
  const body = hook.received.find((r) => r.path === "/masked")!.body;
  expect(body).toContain(leaky.id);
  expect(body).toContain('"value":"fail"');
  expect(body).not.toContain(SECRET);
  expect(body).not.toContain("saker-sealed:");

  // what any plugin is handed: the labels and task-run values are there, masked
  const raw = await test.run(
    `id: raw
namespace: company.alerts
inputs:
  - id: id
    type: STRING
tasks:
  - id: send
    type: io.test.SendSummary
    url: "${hook.url}/raw"
    executionId: "{{ inputs.id }}"
`,
    { id: leaky.id },
  );
  expect(raw.state.current).toBe("SUCCESS");
  const summary = JSON.parse(hook.received.find((r) => r.path === "/raw")!.body) as {
    labels: { key: string; value: string }[];
    taskRuns: { taskId: string; value?: string }[];
  };
  expect(summary.labels.find((l) => l.key === "team")?.value).toBe("data");
  expect(summary.labels.find((l) => l.key === "token")?.value).toMatch(/\*/);
  expect(summary.taskRuns.filter((t) => t.value !== undefined).length).toBeGreaterThan(0);
  const text = JSON.stringify(summary);
  expect(text).not.toContain(SECRET);
  expect(text).not.toContain("saker-sealed:");
});
