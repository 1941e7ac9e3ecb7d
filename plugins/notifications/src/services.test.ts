/**
 * Discord, Microsoft Teams and Google Chat on a real engine, sending to a real HTTP server on
 * loopback: the exact bodies of the incoming-webhook and execution-summary tasks, old ids included.
 */
import { describe, expect, it } from "vitest";
import { errorMessages, logMessages } from "@saker/engine/testing";
import { humanDuration } from "./summary.ts";
import { oneTaskFlow, useNotificationFixture } from "../test/support.ts";

const fx = useNotificationFixture();
const { test, hook } = fx;

async function send(type: string, props: string): Promise<unknown> {
  const x = await test.run(oneTaskFlow(`notify_${Math.abs(hashOf(type + props))}`, type, props));
  expect(x.state.current, errorMessages(test, x, "notify").join("\n")).toBe("SUCCESS");
  const got = hook.received.at(-1)!;
  expect(got.method).toBe("POST");
  expect(got.contentType).toBe("application/json");
  return JSON.parse(got.body);
}

function hashOf(s: string): number {
  let h = 0;
  for (const c of s) h = (h * 31 + c.charCodeAt(0)) | 0;
  return h;
}

const fields = () => [
  ["Execution ID", fx.failed.id],
  ["Namespace", "company.prod"],
  ["Flow", "nightly"],
  ["State", "FAILED"],
  ["Start date", fx.failed.state.startDate],
  ["Duration", humanDuration(fx.failed.state.duration)],
  ["Failed task", "boom"],
  ["Team", "data"],
];

describe("incoming webhooks", () => {
  it.each([
    ["io.kestra.plugin.discord.DiscordIncomingWebhook", { content: "hi there" }],
    ["io.kestra.plugin.notifications.discord.DiscordIncomingWebhook", { content: "hi there" }],
    ["io.kestra.plugin.microsoft365.teams.TeamsIncomingWebhook", { text: "hi there" }],
    ["io.kestra.plugin.notifications.teams.TeamsIncomingWebhook", { text: "hi there" }],
    ["io.kestra.plugin.googleworkspace.chat.GoogleChatIncomingWebhook", { text: "hi there" }],
    ["io.kestra.plugin.notifications.google.GoogleChatIncomingWebhook", { text: "hi there" }],
    ["io.kestra.plugin.zulip.ZulipIncomingWebhook", { text: "hi there" }],
    ["io.kestra.plugin.notifications.zulip.ZulipIncomingWebhook", { text: "hi there" }],
  ])("%s wraps messageText", async (type, expected) => {
    expect(await send(type, `url: "${hook.url}/m"\nmessageText: "hi {{ 'there' }}"`)).toEqual(expected);
  });

  it("sends a rendered payload as it is", async () => {
    await send(
      "io.kestra.plugin.discord.DiscordIncomingWebhook",
      `url: "${hook.url}/p"\npayload: '{"content": "{{ flow.namespace }}", "tts": false}'`,
    );
    expect(hook.received.at(-1)!.body).toBe('{"content": "company.team", "tts": false}');
  });

  it("fails with the service's answer", async () => {
    const x = await test.run(`id: teams_refused
namespace: company.team
tasks:
  - id: notify
    type: io.kestra.plugin.microsoft365.teams.TeamsIncomingWebhook
    url: "${hook.url}/status/429"
    messageText: hi
`);
    expect(x.state.current).toBe("FAILED");
    expect(errorMessages(test, x, "notify").join("\n")).toContain(
      "Microsoft Teams answered 429 Too Many Requests: refused with 429: invalid_payload",
    );
  });
});

describe("execution summaries", () => {
  const common = () => `executionId: "${fx.failed.id}"\ncustomMessage: Look\ncustomFields:\n  Team: data`;

  it.each([
    ["io.kestra.plugin.discord.DiscordExecution", { content: "hi there" }],
    ["io.kestra.plugin.microsoft365.teams.TeamsExecution", { text: "hi there" }],
    ["io.kestra.plugin.zulip.ZulipExecution", { text: "hi there" }],
  ])("%s wraps messageText as its incoming webhook does, in place of the summary", async (type, expected) => {
    expect(await send(type, `url: "${hook.url}/m"\nmessageText: "hi {{ 'there' }}"`)).toEqual(expected);
  });

  /** Runs `type` with `props` and a `payload` of the flow's own; the body sent, and the task's warnings. */
  async function withPayload(type: string, props: string): Promise<{ body: unknown; warnings: string[] }> {
    const flowId = `payload_${Math.abs(hashOf(type + props))}`;
    const x = await test.run(
      oneTaskFlow(flowId, type, `${props}\n${common()}\npayload: '{"text": "mine {{ flow.id }}", "message": "mine"}'`),
    );
    expect(x.state.current, errorMessages(test, x, "notify").join("\n")).toBe("SUCCESS");
    return { body: JSON.parse(hook.received.at(-1)!.body), warnings: logMessages(test, x, "notify", "WARN") };
  }

  // Kestra's *Template classes put the rendered summary template in `payload` whatever the flow
  // set, so a payload of the flow's own is never sent; Discord's alone sends a non-blank one.
  it.each([
    ["io.kestra.plugin.slack.notifications.SlackExecution", "SlackExecution", "SlackIncomingWebhook", ""],
    ["io.kestra.plugin.notifications.slack.SlackExecution", "SlackExecution", "SlackIncomingWebhook", ""],
    ["io.kestra.plugin.microsoft365.teams.TeamsExecution", "TeamsExecution", "TeamsIncomingWebhook", ""],
    [
      "io.kestra.plugin.googleworkspace.chat.GoogleChatExecution",
      "GoogleChatExecution",
      "GoogleChatIncomingWebhook",
      "",
    ],
    ["io.kestra.plugin.zulip.ZulipExecution", "ZulipExecution", "ZulipIncomingWebhook", ""],
    ["io.kestra.plugin.pagerduty.PagerDutyExecution", "PagerDutyExecution", "PagerDutyAlert", "routingKey: rk"],
    ["io.kestra.plugin.opsgenie.OpsgenieExecution", "OpsgenieExecution", "OpsgenieAlert", ""],
    ["io.kestra.plugin.notifications.opsgenie.OpsgenieExecution", "OpsgenieExecution", "OpsgenieAlert", ""],
  ])(
    "%s accepts Kestra's payload, ignores it as Kestra does (the summary is sent), and says so",
    async (type, name, own, more) => {
      const { body, warnings } = await withPayload(type, `url: "${hook.url}/ignored"\n${more}`);
      const sent = JSON.stringify(body);
      expect(sent).not.toContain("mine");
      expect(sent).toContain("[company.prod] nightly ➛ FAILED");
      expect(sent).toContain("data");
      expect(warnings).toEqual([
        `payload is ignored by ${name}, as by Kestra's: the execution's summary is sent (customMessage and customFields add to it; ${own} sends a payload of your own)`,
      ]);
    },
  );

  it.each([
    ["io.kestra.plugin.slack.notifications.SlackExecution", ""],
    ["io.kestra.plugin.microsoft365.teams.TeamsExecution", ""],
    ["io.kestra.plugin.opsgenie.OpsgenieExecution", ""],
    ["io.kestra.plugin.pagerduty.PagerDutyExecution", "routingKey: rk"],
  ])("%s accepts Kestra's templateUri and templateRenderMap and sends its summary", async (type, more) => {
    const sent = JSON.stringify(
      await send(
        type,
        `url: "${hook.url}/template"\n${more}\n${common()}\ntemplateUri: mine.peb\ntemplateRenderMap:\n  mine: x`,
      ),
    );
    expect(sent).toContain("[company.prod] nightly ➛ FAILED");
    expect(sent).not.toContain("mine");
  });

  it("SentryExecution accepts Kestra's payload and ignores it as Kestra does, with a warning", async () => {
    const dsn = hook.url.replace("://", "://k@") + "/9";
    const { body, warnings } = await withPayload(
      "io.kestra.plugin.sentry.SentryExecution",
      `dsn: "${dsn}"\nendpointType: STORE`,
    );
    expect(body).toMatchObject({ message: { message: "Look" }, extra: { Team: "data", Flow: "nightly" } });
    expect(JSON.stringify(body)).not.toContain("mine");
    expect(warnings).toEqual([expect.stringContaining("payload is ignored by SentryExecution, as by Kestra's")]);
  });

  it("GoogleChatExecution: `text` wins over a payload, as in Kestra (the payload is ignored)", async () => {
    const { body, warnings } = await withPayload(
      "io.kestra.plugin.googleworkspace.chat.GoogleChatExecution",
      `url: "${hook.url}/g"\ntext: "Look at {{ flow.id }}"`,
    );
    expect(body).toEqual({ text: expect.stringMatching(/^Look at payload_\d+$/) });
    expect(warnings).toEqual([expect.stringContaining("payload is ignored by GoogleChatExecution")]);
  });

  it("SlackExecution ignores Kestra's messageText too (Kestra's sends its summary), and says so", async () => {
    const body = (await send(
      "io.kestra.plugin.slack.notifications.SlackExecution",
      `url: "${hook.url}/m"\nexecutionId: "${fx.failed.id}"\nmessageText: "hi {{ 'there' }}"`,
    )) as { text: string };
    expect(body.text).toBe(`<${fx.link}|[company.prod] nightly ➛ FAILED>`);
    const x = await test.run(
      oneTaskFlow(
        "slack_text_payload",
        "io.kestra.plugin.slack.notifications.SlackExecution",
        `url: "${hook.url}/m"\nexecutionId: "${fx.failed.id}"\nmessageText: hi\npayload: '{"text": "mine"}'`,
      ),
    );
    expect(x.state.current, errorMessages(test, x, "notify").join("\n")).toBe("SUCCESS");
    expect(JSON.parse(hook.received.at(-1)!.body)).toMatchObject({
      text: `<${fx.link}|[company.prod] nightly ➛ FAILED>`,
    });
    expect(logMessages(test, x, "notify", "WARN")).toEqual([
      "payload and messageText are ignored by SlackExecution, as by Kestra's: the execution's summary is sent (customMessage and customFields add to it; SlackIncomingWebhook sends a payload or messageText of your own)",
    ]);
  });

  it("DiscordExecution sends a payload as it is, in place of the summary, as Kestra's does; a blank one sends the summary", async () => {
    const { body, warnings } = await withPayload("io.kestra.plugin.discord.DiscordExecution", `url: "${hook.url}/d"`);
    expect(body).toEqual({ text: expect.stringMatching(/^mine payload_\d+$/), message: "mine" });
    expect(warnings).toEqual([]);
    const blank = await send(
      "io.kestra.plugin.notifications.discord.DiscordExecution",
      `url: "${hook.url}/d"\n${common()}\npayload: "{{ '  ' }}"`,
    );
    expect(blank).toMatchObject({ content: "[company.prod] nightly ➛ FAILED" });
  });

  it("DiscordExecution: content, a summary embed, then the embedList", async () => {
    const body = await send(
      "io.kestra.plugin.discord.DiscordExecution",
      `url: "${hook.url}/d"\nusername: Saker\navatarUrl: "https://img/a.png"\n${common()}
embedList:
  - title: On-call
    footer: ops
    color: [255, 0, 1]`,
    );
    expect(body).toEqual({
      username: "Saker",
      avatar_url: "https://img/a.png",
      content: "[company.prod] nightly ➛ FAILED",
      embeds: [
        {
          title: "[company.prod] nightly ➛ FAILED",
          url: fx.link,
          description: "Look",
          color: 0xd9534f,
          fields: fields().map(([name, value]) => ({ name, value, inline: true })),
        },
        { title: "On-call", footer: { text: "ops" }, color: 0xff0001 },
      ],
    });
  });

  it("TeamsExecution: a MessageCard with facts and a link, themeColor by default 0076D7", async () => {
    const body = await send(
      "io.kestra.plugin.notifications.teams.TeamsExecution",
      `url: "${hook.url}/t"\nactivitySubtitle: prod\n${common()}`,
    );
    expect(body).toEqual({
      "@type": "MessageCard",
      "@context": "http://schema.org/extensions",
      themeColor: "0076D7",
      summary: "[company.prod] nightly ➛ FAILED",
      sections: [
        {
          activityTitle: "[company.prod] nightly ➛ FAILED",
          activitySubtitle: "prod",
          text: "Look",
          facts: fields().map(([name, value]) => ({ name, value })),
          markdown: true,
        },
      ],
      potentialAction: [{ "@type": "OpenUri", name: "Open the execution", targets: [{ os: "default", uri: fx.link }] }],
    });
  });

  it("GoogleChatExecution: one text with the linked title and the fields", async () => {
    const body = await send(
      "io.kestra.plugin.googleworkspace.chat.GoogleChatExecution",
      `url: "${hook.url}/g"\n${common()}`,
    );
    expect(body).toEqual({
      text: [
        `*<${fx.link}|[company.prod] nightly ➛ FAILED>*`,
        "Look",
        ...fields().map(([name, value]) => `${name}: ${value}`),
      ].join("\n"),
    });
  });

  it("GoogleChatExecution: `text` is the whole message, rendered, in place of the summary", async () => {
    const body = await send(
      "io.kestra.plugin.googleworkspace.chat.GoogleChatExecution",
      `url: "${hook.url}/g"\nexecutionId: "${fx.failed.id}"\ntext: "Failure of {{ flow.namespace }}: ${fx.failed.id}"`,
    );
    expect(body).toEqual({ text: `Failure of company.team: ${fx.failed.id}` });
  });

  it("ZulipExecution: Slack's message, through Zulip's Slack-compatible integration", async () => {
    const body = await send("io.kestra.plugin.zulip.ZulipExecution", `url: "${hook.url}/z"\nchannel: ops\n${common()}`);
    expect(body).toEqual({
      channel: "ops",
      text: `<${fx.link}|[company.prod] nightly ➛ FAILED>\nLook`,
      attachments: [{ color: "#d9534f", fields: fields().map(([title, value]) => ({ title, value, short: true })) }],
    });
  });

  it("PagerDutyExecution: an Events API v2 event with the fields as custom details", async () => {
    const body = await send(
      "io.kestra.plugin.notifications.pagerduty.PagerDutyExecution",
      `url: "${hook.url}/v2/enqueue"\nroutingKey: rk\ndeduplicationKey: dk\n${common()}`,
    );
    expect(body).toEqual({
      routing_key: "rk",
      event_action: "trigger",
      dedup_key: "dk",
      payload: {
        summary: "[company.prod] nightly ➛ FAILED",
        source: "company.prod.nightly",
        severity: "error",
        timestamp: fx.failed.state.endDate,
        custom_details: { Message: "Look", ...Object.fromEntries(fields()) },
      },
      links: [{ href: fx.link, text: "Execution" }],
    });
  });

  it("PagerDutyExecution: messageText is the event's payload.summary (over payloadSummary), in the whole event", async () => {
    const body = await send(
      "io.kestra.plugin.pagerduty.PagerDutyExecution",
      `url: "${hook.url}/v2/enqueue"\nroutingKey: rk\npayloadSummary: ignored\nmessageText: "Nightly {{ 'broke' }}"\n${common()}`,
    );
    expect(body).toEqual({
      routing_key: "rk",
      event_action: "trigger",
      payload: {
        summary: "Nightly broke",
        source: "company.prod.nightly",
        severity: "error",
        timestamp: fx.failed.state.endDate,
        custom_details: { Message: "Look", ...Object.fromEntries(fields()) },
      },
      links: [{ href: fx.link, text: "Execution" }],
    });
  });

  it("PagerDutyExecution refuses a messageText longer than PagerDuty's 1024 characters, sending nothing", async () => {
    const long = "x".repeat(1025);
    const flow = (messageText: string) => `id: pd_long_text
namespace: company.team
variables:
  long: ${long}
tasks:
  - id: notify
    type: io.kestra.plugin.pagerduty.PagerDutyExecution
    url: "${hook.url}/v2/enqueue"
    executionId: "${fx.failed.id}"
    messageText: "${messageText}"
`;
    await expect(test.run(flow(long))).rejects.toThrow("tasks[0].messageText: must be ≤ 1024");
    const before = hook.received.length;
    const x = await test.run(flow("{{ vars.long }}"));
    expect(x.state.current).toBe("FAILED");
    expect(errorMessages(test, x, "notify").join("\n")).toContain("property 'messageText'");
    expect(hook.received.length).toBe(before);
  });

  it("PagerDutyAlert sends its payload and takes no messageText", async () => {
    await send(
      "io.kestra.plugin.pagerduty.PagerDutyAlert",
      `url: "${hook.url}/v2/enqueue"\npayload: '{"event_action": "trigger"}'`,
    );
    expect(hook.received.at(-1)!.body).toBe('{"event_action": "trigger"}');
    await expect(
      test.run(`id: pd_text
namespace: company.team
tasks:
  - id: notify
    type: io.kestra.plugin.pagerduty.PagerDutyAlert
    url: "${hook.url}/v2/enqueue"
    messageText: hi
`),
    ).rejects.toThrow("unknown property 'messageText'");
  });

  it("OpsgenieExecution: an alert with the GenieKey, recipients as [{id, type}] and the fields as details", async () => {
    const body = await send(
      "io.kestra.plugin.opsgenie.OpsgenieExecution",
      `url: "${hook.url}/v2/alerts"\nauthorizationToken: key1\nalias: nightly\npriority: P1\ntags: [etl]\nresponders:\n  team-1: team\n${common()}`,
    );
    expect(hook.received.at(-1)!.authorization).toBe("GenieKey key1");
    expect(body).toEqual({
      message: "[company.prod] nightly ➛ FAILED",
      alias: "nightly",
      description: `Look\n${fx.link}`,
      responders: [{ id: "team-1", type: "team" }],
      priority: "P1",
      tags: ["etl"],
      details: Object.fromEntries(fields()),
    });
  });

  it("OpsgenieAlert sends its payload with the GenieKey (old id)", async () => {
    await send(
      "io.kestra.plugin.notifications.opsgenie.OpsgenieAlert",
      `url: "${hook.url}/v2/alerts"\nauthorizationToken: key2\npayload: '{"message": "{{ flow.namespace }}"}'`,
    );
    expect(hook.received.at(-1)).toMatchObject({ authorization: "GenieKey key2", body: '{"message": "company.team"}' });
  });

  it("SentryExecution: an event on the store endpoint, with the DSN's key in X-Sentry-Auth", async () => {
    const dsn = hook.url.replace("://", "://pub123@") + "/sub/42";
    const body = await send(
      "io.kestra.plugin.sentry.SentryExecution",
      `dsn: "${dsn}"\nendpointType: STORE\neventId: "${"a".repeat(32)}"\ntransaction: /t\n${common()}`,
    );
    const got = hook.received.at(-1)!;
    expect(got.path).toBe("/sub/api/42/store/");
    expect(got.sentryAuth).toBe("Sentry sentry_version=7, sentry_client=saker-notifications/1.0, sentry_key=pub123");
    expect(body).toEqual({
      event_id: "a".repeat(32),
      timestamp: fx.failed.state.endDate,
      platform: "java",
      level: "error",
      transaction: "/t",
      message: { message: "Look" },
      extra: { ...Object.fromEntries(fields()), Link: fx.link },
    });
  });

  it("SentryAlert: an envelope (header, item header, event) with a generated event_id", async () => {
    const dsn = hook.url.replace("://", "://k@") + "/7";
    const x = await test.run(`id: sentry_alert
namespace: company.team
tasks:
  - id: notify
    type: io.kestra.plugin.notifications.sentry.SentryAlert
    dsn: "${dsn}"
    payload: '{"level": "warning", "message": {"message": "{{ flow.id }}"}}'
`);
    expect(x.state.current, errorMessages(test, x, "notify").join("\n")).toBe("SUCCESS");
    const got = hook.received.at(-1)!;
    expect(got.path).toBe("/api/7/envelope/");
    expect(got.contentType).toBe("application/x-sentry-envelope");
    const [header, item, event] = got.body.split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(event).toEqual({
      event_id: expect.stringMatching(/^[0-9a-f]{32}$/),
      level: "warning",
      message: { message: "sentry_alert" },
    });
    expect(header).toEqual({ event_id: event!.event_id });
    expect(item).toEqual({ type: "event", length: Buffer.byteLength(got.body.split("\n")[2]!) });
  });

  it("refuses a DSN without a key or a project", async () => {
    const x = await test.run(`id: sentry_bad
namespace: company.team
tasks:
  - id: notify
    type: io.kestra.plugin.sentry.SentryAlert
    dsn: "${hook.url}/"
`);
    expect(x.state.current).toBe("FAILED");
    expect(errorMessages(test, x, "notify").join("\n")).toContain("a Sentry DSN looks like");
  });

  it("refuses a URL that is not http(s) before reading anything", async () => {
    const x = await test.run(`id: ftp_url
namespace: company.team
tasks:
  - id: notify
    type: io.kestra.plugin.discord.DiscordExecution
    url: "ftp://example.com/hook"
    executionId: not-there
`);
    expect(x.state.current).toBe("FAILED");
    expect(errorMessages(test, x, "notify").join("\n")).toContain("URL must be http or https, not 'ftp'");
  });
});
