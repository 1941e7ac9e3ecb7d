/**
 * Slack tasks on a real engine, sending to a real HTTP server on loopback: the exact bodies, the
 * execution summary of another execution, the service's refusals and bad URLs.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorMessages, taskRun, type TestInstance } from "@saker/engine/testing";
import { humanDuration } from "./summary.ts";
import { notificationsInstance, oneTaskFlow, webhookServer, type WebhookServer } from "../test/support.ts";

let test: TestInstance;
let hook: WebhookServer;
beforeAll(async () => {
  test = await notificationsInstance({ server: { url: "https://saker.example.com/" } });
  hook = await webhookServer();
});
afterAll(async () => {
  await test?.close();
  await hook?.close();
});

function lastBody(): unknown {
  return JSON.parse(hook.received.at(-1)!.body);
}

describe("SlackIncomingWebhook", () => {
  it("posts the rendered payload as it is", async () => {
    const x = await test.run(
      oneTaskFlow(
        "payload",
        "io.kestra.plugin.slack.notifications.SlackIncomingWebhook",
        `url: "${hook.url}/services/a"
payload: |
  {"text": "Hello from {{ flow.id }}", "blocks": [{"type": "divider"}]}`,
      ),
    );
    expect(x.state.current).toBe("SUCCESS");
    const got = hook.received.at(-1)!;
    expect(got).toMatchObject({ method: "POST", path: "/services/a", contentType: "application/json" });
    expect(got.body).toBe('{"text": "Hello from payload", "blocks": [{"type": "divider"}]}\n');
  });

  it("wraps messageText as {text}, under the older type id too", async () => {
    const x = await test.run(
      oneTaskFlow(
        "text",
        "io.kestra.plugin.notifications.slack.SlackIncomingWebhook",
        `url: "${hook.url}/services/b"
messageText: "Flow {{ flow.namespace }}.{{ flow.id }} \\"quoted\\""`,
      ),
    );
    expect(x.state.current).toBe("SUCCESS");
    expect(hook.received.at(-1)!.body).toBe(JSON.stringify({ text: 'Flow company.team.text "quoted"' }));
  });

  it("fails with the service's answer on a 4xx or 5xx", async () => {
    for (const status of [400, 503]) {
      const x = await test.run(
        oneTaskFlow(
          `refused${status}`,
          "io.kestra.plugin.slack.notifications.SlackIncomingWebhook",
          `url: "${hook.url}/status/${status}"\nmessageText: hi`,
        ),
      );
      expect(x.state.current).toBe("FAILED");
      expect(errorMessages(test, x, "notify").join("\n")).toContain(
        `Slack answered ${status}${status === 400 ? " Bad Request" : " Service Unavailable"}: refused with ${status}: invalid_payload`,
      );
    }
  });

  it("refuses a URL that is not http(s), a payload that is not JSON, and no message", async () => {
    const cases: [string, string][] = [
      [`url: "file:///etc/passwd"\nmessageText: hi`, "URL must be http or https, not 'file'"],
      [`url: "not a url"\nmessageText: hi`, "'not a url' is not a URL"],
      [`url: "${hook.url}/x"\npayload: "{nope"`, "payload is not JSON"],
      [`url: "${hook.url}/x"`, "set `payload` or `messageText`"],
    ];
    const before = hook.received.length;
    for (const [i, [props, message]] of cases.entries()) {
      const x = await test.run(
        oneTaskFlow(`bad${i}`, "io.kestra.plugin.slack.notifications.SlackIncomingWebhook", props),
      );
      expect(x.state.current).toBe("FAILED");
      expect(errorMessages(test, x, "notify").join("\n")).toContain(message);
    }
    expect(hook.received.length).toBe(before);
  });
});

describe("SlackExecution", () => {
  it("sends the summary of another execution: link, state, duration, failed task, custom fields", async () => {
    const failed = await test.run(`id: nightly
namespace: company.prod
tasks:
  - id: ok
    type: io.kestra.plugin.core.debug.Return
    format: fine
  - id: boom
    type: io.kestra.plugin.core.execution.Fail
    errorMessage: broken
`);
    expect(failed.state.current).toBe("FAILED");
    const x = await test.run(
      `id: alert
namespace: company.team
inputs:
  - id: target
    type: STRING
tasks:
  - id: notify
    type: io.kestra.plugin.slack.notifications.SlackExecution
    url: "${hook.url}/services/exec"
    channel: "#alerts"
    username: Saker
    iconEmoji: ":rotating_light:"
    executionId: "{{ inputs.target }}"
    customMessage: "Look at {{ flow.id }}"
    customFields:
      Team: data
      Retries: 2
`,
      { target: failed.id },
    );
    expect(x.state.current, errorMessages(test, x, "notify").join("\n")).toBe("SUCCESS");
    const link = `https://saker.example.com/ui/main/executions/company.prod/nightly/${failed.id}`;
    const field = (title: string, value: string) => ({ title, value, short: true });
    expect(lastBody()).toEqual({
      channel: "#alerts",
      username: "Saker",
      icon_emoji: ":rotating_light:",
      text: `<${link}|[company.prod] nightly ➛ FAILED>\nLook at alert`,
      attachments: [
        {
          color: "#d9534f",
          fields: [
            field("Execution ID", failed.id),
            field("Namespace", "company.prod"),
            field("Flow", "nightly"),
            field("State", "FAILED"),
            field("Start date", failed.state.startDate),
            field("Duration", humanDuration(failed.state.duration)),
            field("Failed task", "boom"),
            field("Team", "data"),
            field("Retries", "2"),
          ],
        },
      ],
    });
    expect(taskRun(x, "notify").state.current).toBe("SUCCESS");
  });

  it("reports its own execution without executionId, and fails clearly on an unknown one", async () => {
    const own = await test.run(
      oneTaskFlow("self", "io.kestra.plugin.notifications.slack.SlackExecution", `url: "${hook.url}/services/self"`),
    );
    expect(own.state.current).toBe("SUCCESS");
    const body = lastBody() as { text: string; attachments: { fields: { title: string; value: string }[] }[] };
    expect(body.text).toBe(
      `<https://saker.example.com/ui/main/executions/company.team/self/${own.id}|[company.team] self ➛ RUNNING>`,
    );
    expect(body.attachments[0]!.fields.map((f) => f.title)).not.toContain("Failed task");

    const missing = await test.run(
      oneTaskFlow(
        "missing",
        "io.kestra.plugin.slack.notifications.SlackExecution",
        `url: "${hook.url}/services/x"\nexecutionId: nope`,
      ),
    );
    expect(missing.state.current).toBe("FAILED");
    expect(errorMessages(test, missing, "notify").join("\n")).toContain("no execution 'nope'");
  });
});

describe("humanDuration", () => {
  it("reads ISO-8601 durations", () => {
    expect(humanDuration("PT1H2M3.5S")).toBe("1h 2m 3.5s");
    expect(humanDuration("PT0.012S")).toBe("0.012s");
    expect(humanDuration("PT0S")).toBe("0s");
    expect(humanDuration("bogus")).toBe("bogus");
  });
});
