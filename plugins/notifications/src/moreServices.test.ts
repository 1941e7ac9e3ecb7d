/**
 * Twilio Notify, Zenduty, Squadcast, WhatsApp, LINE, Messenger and X on a real engine, sending to
 * a real HTTP server on loopback: the exact requests (path, headers, body) of the send and the
 * execution tasks, refusals, missing properties, and secrets kept out of logs and errors.
 */
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { errorMessages, logMessages, type Execution } from "@saker/engine/testing";
import { humanDuration } from "./summary.ts";
import { oauth1Header } from "./x.ts";
import { oneTaskFlow, useNotificationFixture } from "../test/support.ts";

const fx = useNotificationFixture();
const { test, hook } = fx;

let flows = 0;
async function run(type: string, props: string): Promise<Execution> {
  return test.run(oneTaskFlow(`more_${++flows}`, type, props));
}
async function ok(type: string, props: string): Promise<Execution> {
  const x = await run(type, props);
  expect(x.state.current, errorMessages(test, x, "notify").join("\n")).toBe("SUCCESS");
  return x;
}
const last = () => hook.received.at(-1)!;
const json = () => JSON.parse(last().body) as unknown;

/** Every log line of the task, whatever its level, and its errors. */
const allLogs = (x: Execution) => logMessages(test, x, "notify", "TRACE").join("\n");

/** Runs `props` against a `/status/<code>` URL: the task fails with the service's answer and no secret. */
async function refused(type: string, props: string, service: string, secrets: string[]): Promise<void> {
  const x = await run(type, props);
  expect(x.state.current).toBe("FAILED");
  const errors = errorMessages(test, x, "notify").join("\n");
  expect(errors).toMatch(new RegExp(`${service} answered (400 Bad Request|503 Service Unavailable): refused with`));
  for (const secret of secrets) {
    expect(errors).not.toContain(secret);
    expect(allLogs(x)).not.toContain(secret);
  }
}

const summaryText = (customMessage = "Look", more: string[] = ["Team: data"]) =>
  [
    "[company.prod] nightly ➛ FAILED",
    fx.link,
    customMessage,
    `Execution ID: ${fx.failed.id}`,
    "Namespace: company.prod",
    "Flow: nightly",
    "State: FAILED",
    `Start date: ${fx.failed.state.startDate}`,
    `Duration: ${humanDuration(fx.failed.state.duration)}`,
    "Failed task: boom",
    ...more,
  ].join("\n");

const common = () => `executionId: "${fx.failed.id}"\ncustomMessage: Look\ncustomFields:\n  Team: data`;

describe("Twilio", () => {
  const creds = `accountSID: AC123\nauthToken: tw-secret-token`;
  const basic = `Basic ${Buffer.from("AC123:tw-secret-token").toString("base64")}`;

  it.each(["io.kestra.plugin.twilio.notify.TwilioAlert", "io.kestra.plugin.notifications.twilio.TwilioAlert"])(
    "%s POSTs the payload's fields form-encoded with Basic credentials",
    async (type) => {
      const x = await ok(
        type,
        `url: "${hook.url}/v1/Services/IS1/Notifications"\n${creds}\npayload: '{"Identity": "0000001", "Body": "{{ flow.namespace }} failed & more", "ToBinding": ["a", "b"], "Priority": 1}'`,
      );
      const got = last();
      expect(got.method).toBe("POST");
      expect(got.path).toBe("/v1/Services/IS1/Notifications");
      expect(got.contentType).toBe("application/x-www-form-urlencoded");
      expect(got.authorization).toBe(basic);
      expect(got.body).toBe("Identity=0000001&Body=company.team+failed+%26+more&ToBinding=a&ToBinding=b&Priority=1");
      expect(allLogs(x)).not.toContain("tw-secret-token");
    },
  );

  it("TwilioExecution sends the summary in `body` and Body, Identity, Tag from its properties", async () => {
    await ok(
      "io.kestra.plugin.twilio.notify.TwilioExecution",
      `url: "${hook.url}/notify"\n${creds}\n${common()}\nidentity: "0000001"\ntag: ops\nbody: Alert`,
    );
    expect(last().authorization).toBe(basic);
    expect(last().contentType).toBe("application/x-www-form-urlencoded");
    expect([...new URLSearchParams(last().body)]).toEqual([
      ["body", summaryText()],
      ["Body", "Alert"],
      ["Identity", "0000001"],
      ["Tag", "ops"],
    ]);
  });

  it("fails with Twilio's answer without showing the token, and needs the credentials and a JSON object", async () => {
    await refused(
      "io.kestra.plugin.twilio.notify.TwilioAlert",
      `url: "${hook.url}/status/400"\n${creds}\npayload: '{"Body": "x"}'`,
      "Twilio",
      ["tw-secret-token", Buffer.from("AC123:tw-secret-token").toString("base64")],
    );
    await refused(
      "io.kestra.plugin.twilio.notify.TwilioExecution",
      `url: "${hook.url}/status/503"\n${creds}\nexecutionId: "${fx.failed.id}"`,
      "Twilio",
      ["tw-secret-token"],
    );
    await expect(
      run("io.kestra.plugin.twilio.notify.TwilioAlert", `url: "${hook.url}/n"\naccountSID: AC1\npayload: "{}"`),
    ).rejects.toThrow("tasks[0].authToken: is required");
    const notObject = await run(
      "io.kestra.plugin.twilio.notify.TwilioAlert",
      `url: "${hook.url}/n"\n${creds}\npayload: '["Body"]'`,
    );
    expect(errorMessages(test, notObject, "notify").join("\n")).toContain("payload must be a JSON object");
  });
});

describe("Zenduty", () => {
  it.each(["io.kestra.plugin.zenduty.ZendutyAlert", "io.kestra.plugin.notifications.zenduty.ZendutyAlert"])(
    "%s POSTs its payload as it is",
    async (type) => {
      await ok(
        type,
        `url: "${hook.url}/api/events/KEY/"\npayload: '{"alert_type": "info", "message": "{{ flow.id }}"}'`,
      );
      expect(last().path).toBe("/api/events/KEY/");
      expect(last().contentType).toBe("application/json");
      expect(last().body).toMatch(/^\{"alert_type": "info", "message": "more_\d+"\}$/);
    },
  );

  it("ZendutyExecution sends an event from the summary, and its properties win", async () => {
    await ok("io.kestra.plugin.zenduty.ZendutyExecution", `url: "${hook.url}/api/events/KEY/"\n${common()}`);
    const fields = {
      "Execution ID": fx.failed.id,
      Namespace: "company.prod",
      Flow: "nightly",
      State: "FAILED",
      "Start date": fx.failed.state.startDate,
      Duration: humanDuration(fx.failed.state.duration),
      "Failed task": "boom",
      Team: "data",
    };
    expect(json()).toEqual({
      message: "[company.prod] nightly ➛ FAILED",
      summary: "Look",
      alert_type: "error",
      entity_id: fx.failed.id,
      urls: [{ link_url: fx.link, link_text: "Execution link" }],
      payload: fields,
    });
    await ok(
      "io.kestra.plugin.notifications.zenduty.ZendutyExecution",
      `url: "${hook.url}/e"\nexecutionId: "${fx.failed.id}"\nmessage: Down\nsummary: Details\nalertType: CRITICAL\nentityId: e-1\nurls: ["https://runbook.example/1"]`,
    );
    expect(json()).toMatchObject({
      message: "Down",
      summary: "Details",
      alert_type: "critical",
      entity_id: "e-1",
      urls: ["https://runbook.example/1"],
    });
  });

  it("fails with Zenduty's answer; ZendutyAlert needs a payload, ZendutyExecution a url", async () => {
    await refused(
      "io.kestra.plugin.zenduty.ZendutyExecution",
      `url: "${hook.url}/status/503"\nexecutionId: "${fx.failed.id}"`,
      "Zenduty",
      [],
    );
    const none = await run("io.kestra.plugin.zenduty.ZendutyAlert", `url: "${hook.url}/e"`);
    expect(errorMessages(test, none, "notify").join("\n")).toContain("set `payload`");
    await expect(run("io.kestra.plugin.zenduty.ZendutyExecution", `message: x`)).rejects.toThrow(
      "tasks[0].url: is required",
    );
  });
});

describe("Squadcast", () => {
  it("SquadcastIncomingWebhook POSTs its payload as it is", async () => {
    await ok(
      "io.kestra.plugin.notifications.squadcast.SquadcastIncomingWebhook",
      `url: "${hook.url}/v2/incidents/api/KEY"\npayload: '{"status": "resolve", "event_id": "1"}'`,
    );
    expect(last().path).toBe("/v2/incidents/api/KEY");
    expect(last().body).toBe('{"status": "resolve", "event_id": "1"}');
  });

  it("SquadcastExecution sends message, the summary as description, priority, event_id, status and tags", async () => {
    await ok(
      "io.kestra.plugin.squadcast.SquadcastExecution",
      `url: "${hook.url}/v2/incidents/api/KEY"\n${common()}\nmessage: Saker alert\npriority: P1\neventId: "6"\nstatus: trigger\ntags:\n  severity: high`,
    );
    expect(last().contentType).toBe("application/json");
    expect(json()).toEqual({
      message: "Saker alert",
      description: summaryText(),
      priority: "P1",
      event_id: "6",
      status: "trigger",
      tags: { severity: "high" },
    });
  });

  it("fails with Squadcast's answer, and needs a message", async () => {
    await refused(
      "io.kestra.plugin.squadcast.SquadcastIncomingWebhook",
      `url: "${hook.url}/status/400"\npayload: "{}"`,
      "Squadcast",
      [],
    );
    await expect(
      run("io.kestra.plugin.squadcast.SquadcastExecution", `url: "${hook.url}/s"\nexecutionId: "${fx.failed.id}"`),
    ).rejects.toThrow("tasks[0].message: is required");
  });
});

describe("WhatsApp", () => {
  it("WhatsAppIncomingWebhook POSTs its payload as it is", async () => {
    await ok(
      "io.kestra.plugin.meta.whatsapp.WhatsAppIncomingWebhook",
      `url: "${hook.url}/wa"\npayload: '{"profileName": "Saker", "whatsAppIds": ["1"]}'`,
    );
    expect(last().body).toBe('{"profileName": "Saker", "whatsAppIds": ["1"]}');
  });

  it("WhatsAppExecution sends the summary's lines, and contacts, from, id and textBody when set", async () => {
    await ok("io.kestra.plugin.notifications.whatsapp.WhatsAppExecution", `url: "${hook.url}/wa"\n${common()}`);
    expect(json()).toEqual({ contacts: [], messages: [{ text: { body: summaryText().split("\n") }, type: "text" }] });
    await ok(
      "io.kestra.plugin.meta.whatsapp.WhatsAppExecution",
      `url: "${hook.url}/wa"\nexecutionId: "${fx.failed.id}"\nprofileName: Saker\nwhatsAppIds: ["1", "2"]\nfrom: "380"\nmessageId: m1\ntextBody: Down\nrecipientId: r1`,
    );
    expect(json()).toEqual({
      contacts: [
        { profile: { name: "Saker" }, wa_id: "1" },
        { profile: { name: "Saker" }, wa_id: "2" },
      ],
      messages: [{ from: "380", id: "m1", text: { body: "Down" }, type: "text" }],
      recipient_id: "r1",
    });
  });

  it("fails with the webhook's answer, and needs a url", async () => {
    await refused(
      "io.kestra.plugin.meta.whatsapp.WhatsAppExecution",
      `url: "${hook.url}/status/503"\nexecutionId: "${fx.failed.id}"`,
      "WhatsApp",
      [],
    );
    await expect(run("io.kestra.plugin.meta.whatsapp.WhatsAppIncomingWebhook", `payload: "{}"`)).rejects.toThrow(
      "tasks[0].url: is required",
    );
  });
});

describe("LINE", () => {
  it.each(["io.kestra.plugin.line.LineExecution", "io.kestra.plugin.notifications.line.LineExecution"])(
    "%s broadcasts the summary with the channel token as bearer",
    async (type) => {
      const x = await ok(
        type,
        `url: "${hook.url}/v2/bot/message/broadcast"\nchannelAccessToken: line-secret\n${common()}`,
      );
      expect(last().path).toBe("/v2/bot/message/broadcast");
      expect(last().authorization).toBe("Bearer line-secret");
      expect(last().contentType).toBe("application/json");
      expect(json()).toEqual({ messages: [{ type: "text", text: summaryText() }] });
      expect(allLogs(x)).not.toContain("line-secret");
    },
  );

  it("sends textBody in place of the summary", async () => {
    await ok(
      "io.kestra.plugin.line.LineExecution",
      `url: "${hook.url}/b"\nchannelAccessToken: t\ntextBody: "{{ flow.id }} done"`,
    );
    expect(json()).toEqual({ messages: [{ type: "text", text: expect.stringMatching(/^more_\d+ done$/) }] });
  });

  it("fails with LINE's answer without the token, and needs the token", async () => {
    await refused(
      "io.kestra.plugin.line.LineExecution",
      `url: "${hook.url}/status/400"\nchannelAccessToken: line-secret\ntextBody: hi`,
      "LINE",
      ["line-secret"],
    );
    await expect(run("io.kestra.plugin.line.LineExecution", `url: "${hook.url}/b"\ntextBody: hi`)).rejects.toThrow(
      "tasks[0].channelAccessToken: is required",
    );
  });
});

describe("Messenger", () => {
  it.each([
    "io.kestra.plugin.meta.messenger.MessengerExecution",
    "io.kestra.plugin.notifications.messenger.MessengerExecution",
  ])("%s sends the summary once per recipient", async (type) => {
    const before = hook.received.length;
    const x = await ok(
      type,
      `pageId: "42"\naccessToken: fb-secret\nrecipientIds: ["p1", "p2"]\nurl: "${hook.url}/v23.0/42/messages"\n${common()}\ntextBody: ignored`,
    );
    const sent = hook.received.slice(before);
    expect(sent.map((r) => [r.path, r.contentType])).toEqual([
      ["/v23.0/42/messages", "application/json"],
      ["/v23.0/42/messages", "application/json"],
    ]);
    expect(sent.map((r) => JSON.parse(r.body) as unknown)).toEqual(
      ["p1", "p2"].map((id) => ({ recipient: { id }, messaging_type: "UPDATE", message: { text: summaryText() } })),
    );
    expect(logMessages(test, x, "notify", "WARN")).toEqual([
      expect.stringContaining("textBody is ignored by MessengerExecution"),
    ]);
  });

  it("fails with the Graph API's answer without the token, and needs recipients", async () => {
    await refused(
      "io.kestra.plugin.meta.messenger.MessengerExecution",
      `pageId: "42"\naccessToken: fb-secret\nrecipientIds: ["p1"]\nmessagingType: RESPONSE\nurl: "${hook.url}/status/400?access_token=fb-secret"\nexecutionId: "${fx.failed.id}"`,
      "Messenger",
      ["fb-secret"],
    );
    await expect(
      run("io.kestra.plugin.meta.messenger.MessengerExecution", `pageId: "42"\naccessToken: t\nrecipientIds: []`),
    ).rejects.toThrow("tasks[0].recipientIds: must have at least 1 item");
  });
});

describe("X", () => {
  it.each(["io.kestra.plugin.x.XExecution", "io.kestra.plugin.notifications.x.XExecution"])(
    "%s posts a short summary with the bearer token",
    async (type) => {
      const x = await ok(type, `url: "${hook.url}/2/tweets"\nbearerToken: x-secret\n${common()}`);
      expect(last().path).toBe("/2/tweets");
      expect(last().authorization).toBe("Bearer x-secret");
      expect(json()).toEqual({
        text: ["[company.prod] nightly ➛ FAILED", "Failed task: boom", "Look", "Team: data", fx.link].join("\n"),
      });
      expect(allLogs(x)).not.toContain("x-secret");
    },
  );

  it("signs with OAuth 1.0a when there is no bearer token", async () => {
    const x = await ok(
      "io.kestra.plugin.x.XExecution",
      `url: "${hook.url}/2/tweets"\nconsumerKey: ck\nconsumerSecret: cs-secret\naccessToken: at\naccessSecret: as-secret\nexecutionId: "${fx.failed.id}"`,
    );
    const header = last().authorization!;
    const params = Object.fromEntries(
      [...header.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], decodeURIComponent(m[2]!)]),
    );
    expect(Object.keys(params)).toEqual([
      "oauth_consumer_key",
      "oauth_nonce",
      "oauth_signature",
      "oauth_signature_method",
      "oauth_timestamp",
      "oauth_token",
      "oauth_version",
    ]);
    expect(params).toMatchObject({ oauth_consumer_key: "ck", oauth_token: "at", oauth_signature_method: "HMAC-SHA1" });
    const again = oauth1Header(
      `${hook.url}/2/tweets`,
      { consumerKey: "ck", consumerSecret: "cs-secret", accessToken: "at", accessSecret: "as-secret" },
      Number(params.oauth_timestamp) * 1000,
      params.oauth_nonce,
    );
    expect(header).toBe(again);
    expect(header).not.toContain("secret");
    expect(allLogs(x)).not.toMatch(/cs-secret|as-secret/);
  });

  it("signs RFC 5849's signature base string with the two secrets", () => {
    const header = oauth1Header(
      "https://api.x.com/2/tweets",
      { consumerKey: "k", consumerSecret: "s&1", accessToken: "t", accessSecret: "u" },
      1_700_000_000_000,
      "n",
    );
    const base =
      "POST&https%3A%2F%2Fapi.x.com%2F2%2Ftweets&oauth_consumer_key%3Dk%26oauth_nonce%3Dn%26oauth_signature_method%3DHMAC-SHA1" +
      "%26oauth_timestamp%3D1700000000%26oauth_token%3Dt%26oauth_version%3D1.0";
    const signature = createHmac("sha1", "s%261&u").update(base).digest("base64");
    expect(header).toBe(
      `OAuth oauth_consumer_key="k", oauth_nonce="n", oauth_signature="${encodeURIComponent(signature)}", ` +
        'oauth_signature_method="HMAC-SHA1", oauth_timestamp="1700000000", oauth_token="t", oauth_version="1.0"',
    );
  });

  it("refuses a post over 280 characters, missing credentials and a refusal, without secrets", async () => {
    const before = hook.received.length;
    const long = await run(
      "io.kestra.plugin.x.XExecution",
      `url: "${hook.url}/2/tweets"\nbearerToken: x-secret\nexecutionId: "${fx.failed.id}"\ncustomMessage: "${"y".repeat(300)}"`,
    );
    expect(long.state.current).toBe("FAILED");
    expect(errorMessages(test, long, "notify").join("\n")).toMatch(
      /the post is \d+ characters long, more than X's 280/,
    );
    const missing = await run(
      "io.kestra.plugin.x.XExecution",
      `url: "${hook.url}/2/tweets"\nconsumerKey: ck\nexecutionId: "${fx.failed.id}"`,
    );
    expect(errorMessages(test, missing, "notify").join("\n")).toContain(
      "set bearerToken, or the OAuth 1.0a credentials (missing: consumerSecret, accessToken, accessSecret)",
    );
    expect(hook.received.length).toBe(before);
    await refused(
      "io.kestra.plugin.x.XExecution",
      `url: "${hook.url}/status/503"\nbearerToken: x-secret\nexecutionId: "${fx.failed.id}"`,
      "X",
      ["x-secret"],
    );
  });
});

describe("payload on the new *Execution tasks", () => {
  it.each([
    ["io.kestra.plugin.twilio.notify.TwilioExecution", "TwilioExecution", "TwilioAlert", "accountSID: a\nauthToken: b"],
    ["io.kestra.plugin.zenduty.ZendutyExecution", "ZendutyExecution", "ZendutyAlert", ""],
    ["io.kestra.plugin.squadcast.SquadcastExecution", "SquadcastExecution", "SquadcastIncomingWebhook", "message: m"],
    ["io.kestra.plugin.meta.whatsapp.WhatsAppExecution", "WhatsAppExecution", "WhatsAppIncomingWebhook", ""],
  ])("%s ignores Kestra's payload, as Kestra does, with a warning", async (type, name, own, more) => {
    const x = await ok(
      type,
      `url: "${hook.url}/p"\n${more}\nexecutionId: "${fx.failed.id}"\npayload: '{"mine": true}'`,
    );
    expect(last().body).not.toContain("mine");
    expect(logMessages(test, x, "notify", "WARN")).toEqual([
      `payload is ignored by ${name}, as by Kestra's: the execution's summary is sent (customMessage and customFields add to it; ${own} sends a payload of your own)`,
    ]);
  });
});
