import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { connectAsync, type IPublishPacket, type MqttClient } from "mqtt";
import { afterEach, describe, expect, it } from "vitest";
import { refuseWrites, serviceAvailable, type TestInstance } from "@saker/engine/testing";
import {
  allLogs,
  errorMessages,
  eventually,
  executionsOf,
  messagingInstance,
  outputsOf,
  storedText,
  storedValues,
  silentServer,
  uniqueName,
} from "../../test/brokers.ts";
import { triggerClientId } from "./subscribe.ts";

const up = await serviceAvailable("Mosquitto (MQTT)", "127.0.0.1", 1883);
const NS = "company.mqtt";
const SERVER = "tcp://127.0.0.1:1883";

let t: TestInstance | undefined;
const clients: MqttClient[] = [];
afterEach(async () => {
  await t?.close();
  t = undefined;
  for (const c of clients.splice(0)) c.end(true);
});

async function client(version: 4 | 5): Promise<MqttClient> {
  const c = await connectAsync(`mqtt://127.0.0.1:1883`, { protocolVersion: version, reconnectPeriod: 0 });
  clients.push(c);
  return c;
}

/** Publishes `payload` (QoS 1) every 50 ms until `until` says stop, so a subscriber that starts late still gets some. */
async function publishUntil(c: MqttClient, topic: string, payload: (n: number) => string, until: () => boolean) {
  for (let n = 1; !until() && n < 400; n++) {
    await c.publishAsync(topic, payload(n), { qos: 1 });
    await new Promise((r) => setTimeout(r, 50));
  }
}

function flow(id: string, taskType: string, props: string): string {
  const body = props
    .trim()
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n");
  return `id: ${id}\nnamespace: ${NS}\ntasks:\n  - id: mqtt\n    type: io.kestra.plugin.mqtt.${taskType}\n${body}\n`;
}

describe.skipIf(!up).each(["V3", "V5"] as const)("MQTT %s against Mosquitto", (version) => {
  const protocol = version === "V5" ? 5 : 4;
  const conn = `server: ${SERVER}\nmqttVersion: ${version}`;

  it("Publish sends JSON messages with qos and retain", async () => {
    const topic = uniqueName("saker/pub").replace(".", "/");
    const listener = await client(protocol);
    const got: IPublishPacket[] = [];
    listener.on("message", (_t, _p, packet) => got.push(packet));
    await listener.subscribeAsync(topic, { qos: 1 });
    t = await messagingInstance();
    const extra =
      version === "V5" ? `\nresponseTopic: ${topic}/reply\ncorrelationData: "{{ 'req-1' | base64encode }}"` : "";
    const run = await t.run(
      flow(
        "publish",
        "Publish",
        `${conn}\ntopic: ${topic}\nserdeType: JSON\nqos: 1\nfrom:\n  - { n: 1 }\n  - { n: 2 }${extra}`,
      ),
    );
    expect(run.state.current).toBe("SUCCESS");
    expect(outputsOf(run, "mqtt")).toEqual({ messagesCount: 2 });
    await eventually(() => (got.length >= 2 ? true : undefined));
    expect(got.map((p) => JSON.parse(p.payload.toString()))).toEqual([{ n: 1 }, { n: 2 }]);
    expect(got[0]!.qos).toBe(1);
    if (version === "V5") {
      expect(got[0]!.properties?.responseTopic).toBe(`${topic}/reply`);
      expect(Buffer.from(got[0]!.properties!.correlationData!).toString()).toBe("req-1");
    }
  });

  it("Subscribe stores messages until maxRecords, with their topic and decoded payload", async () => {
    const topic = uniqueName("saker/sub").replace(".", "/");
    const publisher = await client(protocol);
    t = await messagingInstance();
    const { flow: deployed } = await t.instance.deploy(
      flow(
        "subscribe",
        "Subscribe",
        `${conn}\ntopic:\n  - ${topic}\nserdeType: JSON\nmaxRecords: 3\nmaxDuration: PT15S`,
      ),
    );
    const created = await t.instance.createExecution(NS, deployed.id);
    let ended = false;
    const finished = t.instance.waitForSettled(created.id, 20_000).finally(() => (ended = true));
    await publishUntil(
      publisher,
      topic,
      (n) => JSON.stringify({ n }),
      () => ended,
    );
    const run = await finished;
    expect(run.state.current).toBe("SUCCESS");
    const out = outputsOf(run, "mqtt");
    expect(out.messagesCount).toBe(3);
    const records = (await storedValues(t, out.uri as string)) as Record<string, unknown>[];
    expect(records).toHaveLength(3);
    expect(records[0]).toMatchObject({ topic, qos: 1, retain: false, payload: { n: expect.any(Number) } });
  });

  it("Subscribe ends after maxDuration on a silent topic", async () => {
    t = await messagingInstance();
    const run = await t.run(
      flow("silent", "Subscribe", `${conn}\ntopic: ${uniqueName("saker/silent")}\nmaxDuration: PT0.3S`),
    );
    expect(run.state.current).toBe("SUCCESS");
    expect(outputsOf(run, "mqtt").messagesCount).toBe(0);
  });
});

describe.skipIf(!up)("MQTT errors", () => {
  it("a payload that is not JSON fails a JSON Subscribe naming the topic", async () => {
    const topic = uniqueName("saker/badjson").replace(".", "/");
    const publisher = await client(5);
    // A retained message is delivered at once on subscription.
    await publisher.publishAsync(topic, "{oops", { qos: 1, retain: true });
    t = await messagingInstance();
    const run = await t.run(
      flow("bad_json", "Subscribe", `server: ${SERVER}\ntopic: ${topic}\nmaxRecords: 1\nmaxDuration: PT5S`),
    );
    await publisher.publishAsync(topic, "", { qos: 1, retain: true });
    expect(run.state.current).toBe("FAILED");
    expect(errorMessages(t, run, "mqtt").join("\n")).toMatch(/A message of topic '.*' is not valid JSON/);
  });

  it("an unreachable broker fails quickly, and credentials in the server URI never reach the logs", async () => {
    t = await messagingInstance();
    const run = await t.run(
      flow(
        "unreachable",
        "Publish",
        `server: tcp://user:Pa55wordX@127.0.0.1:1\ntopic: a\nserdeType: STRING\nfrom: hello`,
      ),
    );
    expect(run.state.current).toBe("FAILED");
    expect(errorMessages(t, run, "mqtt").join("\n")).toMatch(
      /Cannot connect to the MQTT broker at 127\.0\.0\.1:1: .*ECONNREFUSED/,
    );
    expect(allLogs(t, NS).join("\n")).not.toContain("Pa55wordX");
  });

  it("a broker that never answers is given up at the task's timeout, not after the 30 s connection timeout", async () => {
    const silent = await silentServer();
    try {
      t = await messagingInstance();
      const run = await t.run(
        flow(
          "silent_host",
          "Subscribe",
          `server: tcp://127.0.0.1:${silent.port}\ntopic: a\nmaxRecords: 1\ntimeout: PT1S`,
        ),
        {},
        15_000,
      );
      expect(run.state.current).toBe("FAILED");
      expect(errorMessages(t, run, "mqtt").join("\n")).toMatch(/timed out|timeout/i);
    } finally {
      await silent.close();
    }
  });

  it("a bad server URI and a bad qos are named", async () => {
    t = await messagingInstance();
    const bad = await t.run(
      flow("bad_uri", "Publish", `server: http://127.0.0.1:1883\ntopic: a\nserdeType: STRING\nfrom: x`),
    );
    expect(errorMessages(t, bad, "mqtt").join("\n")).toContain("server must start with tcp:// or ssl://");
    const qos = await t.run(
      flow("bad_qos", "Publish", `server: ${SERVER}\ntopic: a\nserdeType: STRING\nqos: 3\nfrom: x`),
    );
    expect(errorMessages(t, qos, "mqtt").join("\n")).toContain("qos must be 0, 1 or 2");
  });

  it("a 50 MB message is received by Subscribe and stored", async () => {
    const topic = uniqueName("saker/big").replace(".", "/");
    const publisher = await client(5);
    await publisher.publishAsync(topic, Buffer.alloc(50 * 1024 * 1024, 120), { qos: 1, retain: true });
    t = await messagingInstance();
    const run = await t.run(
      flow(
        "big",
        "Subscribe",
        `server: ${SERVER}\ntopic: ${topic}\nserdeType: STRING\nmaxRecords: 1\nmaxDuration: PT20S`,
      ),
      {},
      30_000,
    );
    await publisher.publishAsync(topic, "", { qos: 1, retain: true });
    expect(run.state.current).toBe("SUCCESS");
    // The stored line holds the whole payload (read as text: parsing 50 MB back would only slow the test).
    const stored = await storedText(t, outputsOf(run, "mqtt").uri as string);
    expect(stored.length).toBeGreaterThan(50 * 1024 * 1024);
    expect(stored).toContain('payload:"xxxx');
  }, 40_000);
});

describe.skipIf(!up)("MQTT triggers", () => {
  const triggerFlow = (id: string, type: string, topic: string, extra = "") => `id: ${id}
namespace: ${NS}
tasks:
  - id: got
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.payload ?? trigger.messagesCount }}"
triggers:
  - id: mqtt
    type: io.kestra.plugin.mqtt.${type}
    server: ${SERVER}
    topic: ${topic}
    serdeType: STRING
${extra}`;

  it("Trigger starts an execution for a batch of messages", async () => {
    const topic = uniqueName("saker/batch").replace(".", "/");
    const publisher = await client(4);
    t = await messagingInstance({ scheduler: true });
    await t.instance.deploy(
      triggerFlow("batch", "Trigger", topic, "    interval: PT1S\n    maxRecords: 2\n    maxDuration: PT5S\n"),
    );
    let started = false;
    const done = eventually(() => {
      const found = executionsOf(t!, NS, "batch").filter((x) => x.state.current === "SUCCESS");
      return found.length > 0 ? found : undefined;
    }, 20_000).finally(() => (started = true));
    await publishUntil(
      publisher,
      topic,
      (n) => `m${n}`,
      () => started,
    );
    const [execution] = await done;
    expect(execution!.trigger?.variables).toMatchObject({ messagesCount: 2 });
    expect(await storedValues(t, execution!.trigger!.variables!.uri as string)).toHaveLength(2);
  }, 30_000);

  it.each(["V3", "V5"] as const)("RealtimeTrigger (%s) starts one execution per message", async (version) => {
    const topic = uniqueName("saker/rt").replace(".", "/");
    // V5 leaves clientId out: the trigger derives one from its flow, the same after every restart.
    const flowId = `realtime_${randomUUID().slice(0, 8)}`;
    const clientId =
      version === "V3" ? uniqueName("saker-rt-test") : triggerClientId({ namespace: NS, id: flowId }, "mqtt");
    await prepareSession(clientId, topic, version === "V5" ? 5 : 4);
    t = await messagingInstance({ scheduler: true });
    const idLine = version === "V3" ? `    clientId: ${clientId}\n` : "";
    await t.instance.deploy(triggerFlow(flowId, "RealtimeTrigger", topic, `    mqttVersion: ${version}\n${idLine}`));
    const publisher = await client(version === "V5" ? 5 : 4);
    await publisher.publishAsync(topic, "r1", { qos: 1 });
    await publisher.publishAsync(topic, "r2", { qos: 1 });
    const done = await eventually(() => {
      const found = executionsOf(t!, NS, flowId).filter((x) => x.state.current === "SUCCESS");
      return found.length >= 2 ? found : undefined;
    });
    expect(done.map((x) => x.taskRunList[0]?.outputs?.value).sort()).toEqual(["r1", "r2"]);
    expect(done[0]!.trigger?.variables).toMatchObject({ topic, qos: 1, retain: false });
    await t.close();
    t = undefined;
    await dropSession(clientId, version === "V5" ? 5 : 4);
  });

  it.each(["V3", "V5"] as const)(
    "a message received but not stored when the instance stops starts exactly one execution after a restart (%s)",
    async (version) => {
      const protocol = version === "V5" ? 5 : 4;
      const topic = uniqueName("saker/durable").replace(".", "/");
      const clientId = uniqueName("saker-durable-test");
      await prepareSession(clientId, topic, protocol);
      t = await messagingInstance({ scheduler: true });
      const home = t.home;
      await t.instance.deploy(
        triggerFlow("durable", "RealtimeTrigger", topic, `    mqttVersion: ${version}\n    clientId: ${clientId}\n`),
      );
      const refused = refuseWrites(t.instance, "BEFORE INSERT ON executions WHEN NEW.flow_id = 'durable'", 1_000);
      const publisher = await client(protocol);
      await publisher.publishAsync(topic, "once", { qos: 1 });
      await eventually(() => (refused.count > 0 ? true : undefined), 10_000, "the listener to receive the message");
      await t.instance.close();
      t = await messagingInstance({ scheduler: true, home });
      const done = await eventually(() => {
        const found = executionsOf(t!, NS, "durable").filter((x) => x.state.current === "SUCCESS");
        return found.length > 0 ? found : undefined;
      }, 20_000);
      expect(done.map((x) => x.taskRunList[0]?.outputs?.value)).toEqual(["once"]);
      // Once acknowledged, the message is not delivered again: a reconnection brings nothing more.
      await t.close();
      t = await messagingInstance({ scheduler: true, home });
      await eventually(() => (t!.instance.scheduler.realtime.size === 1 ? true : undefined));
      await new Promise((r) => setTimeout(r, 300));
      expect(executionsOf(t, NS, "durable")).toHaveLength(1);
      await t.close();
      t = undefined;
      rmSync(home, { recursive: true, force: true });
      await dropSession(clientId, protocol);
    },
    40_000,
  );

  /**
   * Creates the trigger's persistent session before the trigger runs: the broker keeps what is
   * published from now on for it, however late the listener connects.
   */
  async function prepareSession(clientId: string, topic: string, version: 4 | 5): Promise<void> {
    const c = await connectAsync("mqtt://127.0.0.1:1883", {
      clientId,
      clean: false,
      protocolVersion: version,
      reconnectPeriod: 0,
      ...(version === 5 ? { properties: { sessionExpiryInterval: 300 } } : {}),
    });
    await c.subscribeAsync(topic, { qos: 1 });
    await c.endAsync();
  }

  /** Removes the persistent session a test left on the broker. */
  async function dropSession(clientId: string, version: 4 | 5): Promise<void> {
    const c = await connectAsync("mqtt://127.0.0.1:1883", {
      clientId,
      clean: true,
      protocolVersion: version,
      reconnectPeriod: 0,
    });
    await c.endAsync();
  }
});
