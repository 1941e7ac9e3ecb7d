/**
 * The usual alert flow: a Flow trigger on failed executions and SlackExecution with
 * `{{ trigger.executionId }}`, on an instance whose scheduler runs, sending to a loopback server.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { eventually, type TestInstance } from "@saker/engine/testing";
import { notificationsInstance, webhookServer, type WebhookServer } from "../test/support.ts";

let test: TestInstance;
let hook: WebhookServer;
beforeAll(async () => {
  test = await notificationsInstance({ server: { url: "http://saker.test" } }, true);
  hook = await webhookServer();
});
afterAll(async () => {
  await test?.close();
  await hook?.close();
});

it("a failed execution is reported by the Flow-triggered alert flow", async () => {
  await test.instance.deploy(`id: failure_alert
namespace: company.team
tasks:
  - id: send_alert
    type: io.kestra.plugin.slack.notifications.SlackExecution
    url: "${hook.url}/alerts"
    executionId: "{{ trigger.executionId }}"
triggers:
  - id: on_failure
    type: io.kestra.plugin.core.trigger.Flow
    conditions:
      - type: io.kestra.plugin.core.condition.ExecutionStatus
        in: [FAILED]
`);
  const failed = await test.run(`id: etl
namespace: company.prod
tasks:
  - id: load
    type: io.kestra.plugin.core.execution.Fail
`);
  expect(failed.state.current).toBe("FAILED");
  const got = await eventually(() => hook.received.find((r) => r.path === "/alerts"), 15_000, "the alert");
  const body = JSON.parse(got.body) as { text: string; attachments: { fields: { title: string; value: string }[] }[] };
  expect(body.text).toBe(
    `<http://saker.test/ui/main/executions/company.prod/etl/${failed.id}|[company.prod] etl ➛ FAILED>`,
  );
  expect(body.attachments[0]!.fields.find((f) => f.title === "Failed task")?.value).toBe("load");
});
