/** Telegram against a real HTTP server on loopback standing in for the Bot API (`endpointOverride`). */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorMessages, logMessages, type TestInstance } from "@saker/engine/testing";
import { humanDuration } from "./summary.ts";
import { notificationsInstance, oneTaskFlow, webhookServer, type WebhookServer } from "../test/support.ts";

let test: TestInstance;
let api: WebhookServer;
beforeAll(async () => {
  test = await notificationsInstance({ server: { url: "http://saker.local" } });
  api = await webhookServer();
});
afterAll(async () => {
  await test?.close();
  await api?.close();
});

describe("Telegram", () => {
  it("TelegramSend calls sendMessage with the chat id, the text and the parse mode", async () => {
    const x = await test.run(
      oneTaskFlow(
        "tg_send",
        "io.kestra.plugin.notifications.telegram.TelegramSend",
        `token: "123:abc"\nchannel: "2072728690"\nendpointOverride: "${api.url}/"\nparseMode: MARKDOWNV2\npayload: "*{{ flow.id }}* failed"`,
      ),
    );
    expect(x.state.current, errorMessages(test, x, "notify").join("\n")).toBe("SUCCESS");
    const got = api.received.at(-1)!;
    expect(got.path).toBe("/bot123:abc/sendMessage");
    expect(got.body).toBe(
      JSON.stringify({ chat_id: "2072728690", text: "*tg_send* failed", parse_mode: "MarkdownV2" }),
    );
  });

  it("TelegramExecution sends the summary as text", async () => {
    const failed = await test.run(`id: nightly
namespace: company.prod
tasks:
  - id: boom
    type: io.kestra.plugin.core.execution.Fail
`);
    const x = await test.run(
      oneTaskFlow(
        "tg_exec",
        "io.kestra.plugin.telegram.TelegramExecution",
        `token: "t"\nchannel: "42"\nendpointOverride: "${api.url}"\nexecutionId: "${failed.id}"\ncustomMessage: Look`,
      ),
    );
    expect(x.state.current, errorMessages(test, x, "notify").join("\n")).toBe("SUCCESS");
    expect(JSON.parse(api.received.at(-1)!.body)).toEqual({
      chat_id: "42",
      text: [
        "[company.prod] nightly ➛ FAILED",
        `http://saker.local/ui/main/executions/company.prod/nightly/${failed.id}`,
        "Look",
        `Execution ID: ${failed.id}`,
        "Namespace: company.prod",
        "Flow: nightly",
        "State: FAILED",
        `Start date: ${failed.state.startDate}`,
        `Duration: ${humanDuration(failed.state.duration)}`,
        "Failed task: boom",
      ].join("\n"),
    });
  });

  it("TelegramExecution accepts Kestra's payload, ignores it as Kestra does, and says so", async () => {
    const x = await test.run(
      oneTaskFlow(
        "tg_exec_payload",
        "io.kestra.plugin.telegram.TelegramExecution",
        `token: "t"\nchannel: "42"\nendpointOverride: "${api.url}"\npayload: "Failure: {{ flow.id }}"`,
      ),
    );
    expect(x.state.current, errorMessages(test, x, "notify").join("\n")).toBe("SUCCESS");
    const sent = JSON.parse(api.received.at(-1)!.body) as { text: string };
    expect(sent.text).toMatch(/^\[company\.team\] tg_exec_payload ➛ RUNNING\n/);
    expect(sent.text).not.toContain("Failure:");
    expect(logMessages(test, x, "notify", "WARN")).toEqual([
      expect.stringContaining("payload is ignored by TelegramExecution"),
    ]);
  });

  it("fails with Telegram's answer, and refuses a non-http endpoint", async () => {
    const refused = await test.run(
      oneTaskFlow(
        "tg_refused",
        "io.kestra.plugin.telegram.TelegramSend",
        `token: "t"\nchannel: "1"\nendpointOverride: "${api.url}/status/400"\npayload: hi`,
      ),
    );
    expect(refused.state.current).toBe("FAILED");
    expect(errorMessages(test, refused, "notify").join("\n")).toContain(
      "Telegram answered 400 Bad Request: refused with 400: invalid_payload",
    );
    const bad = await test.run(
      oneTaskFlow(
        "tg_bad",
        "io.kestra.plugin.telegram.TelegramSend",
        `token: "t"\nchannel: "1"\nendpointOverride: "gopher://x"\npayload: hi`,
      ),
    );
    expect(bad.state.current).toBe("FAILED");
    expect(errorMessages(test, bad, "notify").join("\n")).toContain("URL must be http or https, not 'gopher'");
  });
});
