/**
 * What a `*Execution` notification sends leaves the instance: a secret held by the reported
 * execution (a label, a task output, a ForEach value) never reaches the webhook in clear.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { TestInstance } from "@saker/engine/testing/testInstance";
import { notificationsInstance, webhookServer, type WebhookServer } from "../test/support.ts";

const SECRET = "s3cr3t-token-value";
let test: TestInstance;
let hook: WebhookServer;
beforeAll(async () => {
  test = await notificationsInstance({ server: { url: "http://saker.test" } }, false, {
    SECRET_TOKEN: Buffer.from(SECRET).toString("base64"),
  });
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
});
