/**
 * Kestra's `options` (HTTP client settings) and `templateRenderMap` on the notification tasks,
 * against a real HTTP server on loopback.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { errorMessages, type TestInstance } from "@saker/engine/testing";
import { notificationsInstance, oneTaskFlow, webhookServer, type WebhookServer } from "../test/support.ts";

let test: TestInstance;
let hook: WebhookServer;
beforeAll(async () => {
  test = await notificationsInstance();
  hook = await webhookServer();
});
afterAll(async () => {
  await test?.close();
  await hook?.close();
});

const SLACK = "io.kestra.plugin.slack.notifications.SlackIncomingWebhook";

it("sends options.headers, and the body in options.defaultCharset", async () => {
  const x = await test.run(
    oneTaskFlow(
      "headers",
      SLACK,
      `url: "${hook.url}/headers"
messageText: "café"
options:
  headers:
    X-Team: data
  defaultCharset: ISO-8859-1`,
    ),
  );
  expect(x.state.current, errorMessages(test, x, "notify").join("\n")).toBe("SUCCESS");
  const got = hook.received.find((r) => r.path === "/headers")!;
  expect(got.headers["x-team"]).toBe("data");
  expect(got.contentType).toBe("application/json; charset=ISO-8859-1");
  expect(got.raw.equals(Buffer.from(JSON.stringify({ text: "café" }), "latin1"))).toBe(true);
});

it("options on the *Execution and Telegram tasks too; templateRenderMap is accepted", async () => {
  const x = await test.run(
    oneTaskFlow(
      "exec",
      "io.kestra.plugin.slack.notifications.SlackExecution",
      `url: "${hook.url}/exec"
templateRenderMap:
  anything: 1
options:
  headers:
    X-Run: "{{ execution.id }}"`,
    ),
  );
  expect(x.state.current, errorMessages(test, x, "notify").join("\n")).toBe("SUCCESS");
  expect(hook.received.find((r) => r.path === "/exec")!.headers["x-run"]).toBe(x.id);
  const t = await test.run(
    oneTaskFlow(
      "tg",
      "io.kestra.plugin.telegram.TelegramSend",
      `token: abc
channel: "1"
payload: hi
endpointOverride: "${hook.url}/tg"
options:
  headers:
    X-Bot: yes`,
    ),
  );
  expect(t.state.current, errorMessages(test, t, "notify").join("\n")).toBe("SUCCESS");
  expect(hook.received.find((r) => r.path === "/tg/botabc/sendMessage")!.headers["x-bot"]).toBe("yes");
});

it("options.readTimeout ends a call the service never answers, naming the option", async () => {
  const x = await test.run(
    oneTaskFlow("silent", SLACK, `url: "${hook.url}/silent"\nmessageText: hi\noptions:\n  readTimeout: PT0.3S`),
  );
  expect(x.state.current).toBe("FAILED");
  expect(errorMessages(test, x, "notify").join("\n")).toContain(
    "no complete answer (options.readTimeout) within PT0.3S",
  );
});

it("options.maxContentLength bounds the answer read", async () => {
  const x = await test.run(
    oneTaskFlow("big", SLACK, `url: "${hook.url}/big/5000"\nmessageText: hi\noptions:\n  maxContentLength: 100`),
  );
  expect(x.state.current).toBe("FAILED");
  expect(errorMessages(test, x, "notify").join("\n")).toContain(
    "Slack answered more than 100 bytes (options.maxContentLength)",
  );
  const ok = await test.run(oneTaskFlow("small", SLACK, `url: "${hook.url}/big/50"\nmessageText: hi`));
  expect(ok.state.current).toBe("SUCCESS");
});

it("refuses an unknown charset and a bad duration, naming the option", async () => {
  const before = hook.received.length;
  const charset = await test.run(
    oneTaskFlow("charset", SLACK, `url: "${hook.url}/x"\nmessageText: hi\noptions:\n  defaultCharset: KOI8-R`),
  );
  expect(charset.state.current).toBe("FAILED");
  expect(errorMessages(test, charset, "notify").join("\n")).toContain(
    "options.defaultCharset: unsupported charset 'KOI8-R'",
  );
  expect(() =>
    test.instance.flows.deploy(
      oneTaskFlow("duration", SLACK, `url: "${hook.url}/x"\nmessageText: hi\noptions:\n  readTimeout: soon`),
    ),
  ).toThrow("tasks[0].options.readTimeout: must be an ISO-8601 duration");
  expect(hook.received.length).toBe(before);
});
