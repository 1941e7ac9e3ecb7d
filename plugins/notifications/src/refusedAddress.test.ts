/**
 * Webhook URLs and the outbound-address policy: a URL that is not http(s) or that reaches a
 * refused address (checked after DNS resolution) fails the task naming the property and the
 * address, and nothing is sent.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { errorMessages, type TestInstance } from "@saker/engine/testing";
import { notificationsInstance, oneTaskFlow, webhookServer, type WebhookServer } from "../test/support.ts";

let open: TestInstance;
let strict: TestInstance;
let hook: WebhookServer;
beforeAll(async () => {
  open = await notificationsInstance();
  strict = await notificationsInstance({ http: { refusedAddresses: ["127.0.0.0/8", "::1/128"] } });
  hook = await webhookServer();
});
afterAll(async () => {
  await open?.close();
  await strict?.close();
  await hook?.close();
});

it("refuses the cloud metadata address by default, naming url and the address", async () => {
  const x = await open.run(
    oneTaskFlow(
      "meta",
      "io.kestra.plugin.slack.notifications.SlackIncomingWebhook",
      `url: "http://169.254.169.254/latest"\nmessageText: hi`,
    ),
  );
  expect(x.state.current).toBe("FAILED");
  expect(errorMessages(open, x, "notify").join("\n")).toContain(
    "url: connecting to 169.254.169.254 is refused: the address is in 169.254.0.0/16",
  );
});

it("checks names after DNS resolution: localhost is refused when loopback is, allowed by default", async () => {
  const port = new URL(hook.url).port;
  const before = hook.received.length;
  const refused = await strict.run(
    oneTaskFlow(
      "local",
      "io.kestra.plugin.discord.DiscordIncomingWebhook",
      `url: "http://localhost:${port}/refused"\nmessageText: hi`,
    ),
  );
  expect(refused.state.current).toBe("FAILED");
  expect(errorMessages(strict, refused, "notify").join("\n")).toMatch(
    /url: connecting to localhost \((127\.0\.0\.1|::1)\) is refused: the address is in (127\.0\.0\.0\/8|::1\/128)/,
  );
  expect(hook.received.length).toBe(before);
  const allowed = await open.run(
    oneTaskFlow(
      "local",
      "io.kestra.plugin.slack.notifications.SlackIncomingWebhook",
      `url: "http://localhost:${port}/allowed"\nmessageText: hi`,
    ),
  );
  expect(allowed.state.current).toBe("SUCCESS");
  expect(hook.received.at(-1)!.path).toBe("/allowed");
});

it("names the property that held the URL: Sentry's dsn, Telegram's endpointOverride", async () => {
  const sentry = await open.run(
    oneTaskFlow("sentry", "io.kestra.plugin.sentry.SentryAlert", `dsn: "gopher://key@o1.ingest.sentry.io/1"`),
  );
  expect(errorMessages(open, sentry, "notify").join("\n")).toContain(
    "dsn: the URL must be http or https, not 'gopher'",
  );
  const telegram = await open.run(
    oneTaskFlow(
      "telegram",
      "io.kestra.plugin.telegram.TelegramSend",
      `token: abc\nchannel: "1"\npayload: hi\nendpointOverride: "http://[fe80::1]/"`,
    ),
  );
  expect(errorMessages(open, telegram, "notify").join("\n")).toContain(
    "endpointOverride: connecting to fe80::1 is refused: the address is in fe80::/10",
  );
});
