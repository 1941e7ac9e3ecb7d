import { connectAsync } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestInstance } from "@saker/engine/testing";
import {
  allLogs,
  errorMessages,
  eventually,
  executionsOf,
  messagingInstance,
  outputsOf,
  storedValues,
  uniqueName,
} from "../../test/brokers.ts";
import { startAuthMosquitto, type AuthMosquitto } from "../../test/mosquitto.ts";

const broker = await startAuthMosquitto();
if (!broker && process.env.CI === "true") throw new Error("Mosquitto is not installed (CI=true: it is required)");
if (!broker)
  console.warn("Mosquitto is not installed: skipping the MQTT credential tests (they are not run, not passed)");
afterAll(async () => {
  await broker?.stop();
});
const NS = "company.mqtt.auth";

function taskFlow(id: string, type: string, lines: string[]): string {
  return `id: ${id}\nnamespace: ${NS}\ntasks:\n  - id: mqtt\n    type: io.kestra.plugin.mqtt.${type}\n${lines.map((l) => `    ${l}`).join("\n")}\n`;
}

describe.skipIf(!broker).each(["V3", "V5"] as const)("MQTT %s against a Mosquitto that wants a password", (version) => {
  const b = broker as AuthMosquitto;
  let t: TestInstance;
  beforeAll(async () => {
    t = await messagingInstance();
  });
  afterAll(async () => {
    await t?.close();
  });
  const conn = (user: string | undefined, password: string | undefined) => [
    `server: ${b.server}`,
    `mqttVersion: ${version}`,
    "serdeType: STRING",
    ...(user !== undefined ? [`username: ${user}`] : []),
    ...(password !== undefined ? [`password: ${password}`] : []),
  ];
  const refusal = new RegExp(
    `^The MQTT broker at 127\\.0\\.0\\.1:\\d+ refused the login: wrong username or password \\(.+\\)$`,
  );

  it("Publish and Subscribe fail at once on a wrong password, without showing it, and work with the right one", async () => {
    const topic = uniqueName("saker/auth").replace(".", "/");
    for (const [id, type, extra] of [
      ["publish_wrong", "Publish", [`topic: ${topic}`, "from: [hello]"]],
      ["subscribe_wrong", "Subscribe", [`topic: ${topic}`, "maxRecords: 1", "maxDuration: PT5S"]],
    ] as const) {
      const run = await t.run(taskFlow(id, type, [...conn(b.user, "Wr0ng-pw-xyz"), ...extra]), {}, 20_000);
      expect(run.state.current).toBe("FAILED");
      const errors = errorMessages(t, run, "mqtt");
      expect(errors.find((e) => refusal.test(e))).toBeDefined();
      expect(allLogs(t, NS).join("\n")).not.toContain("Wr0ng-pw-xyz");
    }
    const anonymous = await t.run(
      taskFlow("publish_anonymous", "Publish", [...conn(undefined, undefined), `topic: ${topic}`, "from: [x]"]),
    );
    expect(anonymous.state.current).toBe("FAILED");
    expect(errorMessages(t, anonymous, "mqtt").find((e) => refusal.test(e))).toBeDefined();
    const inUrl = await t.run(
      taskFlow("publish_url", "Publish", [
        `server: ${b.server.replace("tcp://", `tcp://${b.user}:Url-wr0ng-pw@`)}`,
        `mqttVersion: ${version}`,
        "serdeType: STRING",
        `topic: ${topic}`,
        "from: [x]",
      ]),
    );
    expect(inUrl.state.current).toBe("FAILED");
    expect(errorMessages(t, inUrl, "mqtt").find((e) => refusal.test(e))).toBeDefined();
    expect(allLogs(t, NS).join("\n")).not.toContain("Url-wr0ng-pw");

    // The right password: a Subscribe receives what a Publish sends (retained, so the order does not matter).
    const run = await t.run(
      `id: right_${version}
namespace: ${NS}
tasks:
  - id: publish
    type: io.kestra.plugin.mqtt.Publish
${conn(b.user, b.password)
  .map((l) => `    ${l}`)
  .join("\n")}
    topic: ${topic}
    qos: 1
    retain: true
    from: [hello]
  - id: subscribe
    type: io.kestra.plugin.mqtt.Subscribe
${conn(b.user, b.password)
  .map((l) => `    ${l}`)
  .join("\n")}
    topic: ${topic}
    maxRecords: 1
    maxDuration: PT10S
`,
      {},
      30_000,
    );
    expect(run.state.current).toBe("SUCCESS");
    expect(outputsOf(run, "publish")).toEqual({ messagesCount: 1 });
    expect(await storedValues(t, outputsOf(run, "subscribe").uri as string)).toEqual([
      expect.objectContaining({ topic, payload: "hello" }),
    ]);
    expect(allLogs(t, NS).join("\n")).not.toContain(b.password);
  }, 60_000);
});

describe.skipIf(!broker)("MQTT triggers against a Mosquitto that wants a password", () => {
  const b = broker as AuthMosquitto;
  let t: TestInstance | undefined;
  afterAll(async () => {
    await t?.close();
  });

  const triggerFlow = (id: string, type: string, topic: string, password: string, extra = "") => `id: ${id}
namespace: ${NS}
tasks:
  - id: got
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.payload ?? trigger.messagesCount }}"
triggers:
  - id: mqtt
    type: io.kestra.plugin.mqtt.${type}
    server: ${b.server}
    username: ${b.user}
    password: ${password}
    topic: ${topic}
    serdeType: STRING
${extra}`;

  it("Trigger and RealtimeTrigger log the refused login without the password and start nothing; the right one starts executions", async () => {
    const topic = uniqueName("saker/authtrig").replace(".", "/");
    t = await messagingInstance({ scheduler: true });
    await t.instance.deploy(
      triggerFlow(
        "poll_wrong",
        "Trigger",
        topic,
        "Trig-wr0ng-pw",
        "    interval: PT1S\n    maxRecords: 1\n    maxDuration: PT2S\n",
      ),
    );
    await t.instance.deploy(triggerFlow("rt_wrong", "RealtimeTrigger", topic, "Trig-wr0ng-pw"));
    const refused = await eventually(
      () => {
        const lines = t!.instance.logs.find({ namespace: NS }).filter((l) => /refused the login/.test(l.message));
        const flows = new Set(lines.map((l) => l.flowId));
        return flows.has("poll_wrong") && flows.has("rt_wrong") ? lines : undefined;
      },
      20_000,
      "both triggers to report the refused login",
    );
    expect(refused[0]!.message).toMatch(
      /The MQTT broker at 127\.0\.0\.1:\d+ refused the login: wrong username or password/,
    );
    expect(allLogs(t, NS).join("\n")).not.toContain("Trig-wr0ng-pw");
    expect(executionsOf(t, NS, "poll_wrong")).toHaveLength(0);
    expect(executionsOf(t, NS, "rt_wrong")).toHaveLength(0);

    await t.instance.deploy(triggerFlow("rt_right", "RealtimeTrigger", topic, b.password));
    const publisher = await connectAsync(b.server.replace("tcp://", "mqtt://"), {
      username: b.user,
      password: b.password,
      reconnectPeriod: 0,
    });
    try {
      const done = await eventually(async () => {
        await publisher.publishAsync(topic, "ping", { qos: 1 });
        const found = executionsOf(t!, NS, "rt_right").filter((x) => x.state.current === "SUCCESS");
        return found.length > 0 ? found : undefined;
      }, 20_000);
      expect(done[0]!.taskRunList[0]?.outputs?.value).toBe("ping");
    } finally {
      await publisher.endAsync();
    }
    expect(allLogs(t, NS).join("\n")).not.toContain(b.password);
  }, 60_000);
});
