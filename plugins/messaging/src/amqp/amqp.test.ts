import { connect, type ChannelModel } from "amqplib";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { refuseWrites, serviceAvailable, type TestInstance } from "@saker/engine/testing";
import {
  allLogs,
  errorMessages,
  eventually,
  executionsOf,
  messagingInstance,
  outputsOf,
  silentServer,
  storedText,
  storedValues,
  taskRun,
  uniqueName,
} from "../../test/brokers.ts";

const up = await serviceAvailable("RabbitMQ", "127.0.0.1", 5672);
const NS = "company.amqp";
const CONN = "host: 127.0.0.1\nusername: guest\npassword: guest";

/** A flow of the given task lines (YAML, already indented by 4). */
function flow(id: string, tasks: string): string {
  return `id: ${id}\nnamespace: ${NS}\ntasks:\n${tasks}`;
}

function task(id: string, type: string, props: string): string {
  const body = props
    .trim()
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n");
  return `  - id: ${id}\n    type: io.kestra.plugin.amqp.${type}\n${body}\n`;
}

describe.skipIf(!up)("AMQP against RabbitMQ", () => {
  let admin: ChannelModel;
  let t: TestInstance;
  const queues: string[] = [];
  const exchanges: string[] = [];

  /** A fresh, empty queue deleted after the tests. */
  async function newQueue(prefix = "saker.q"): Promise<string> {
    const name = uniqueName(prefix);
    const channel = await admin.createChannel();
    await channel.assertQueue(name, { durable: false });
    await channel.close();
    queues.push(name);
    return name;
  }

  async function send(queue: string, ...bodies: string[]): Promise<void> {
    const channel = await admin.createConfirmChannel();
    for (const body of bodies) channel.sendToQueue(queue, Buffer.from(body));
    await channel.waitForConfirms();
    await channel.close();
  }

  async function depth(queue: string): Promise<number> {
    const channel = await admin.createChannel();
    const { messageCount } = await channel.checkQueue(queue);
    await channel.close();
    return messageCount;
  }

  beforeAll(async () => {
    admin = await connect("amqp://guest:guest@127.0.0.1:5672");
    t = await messagingInstance();
  });

  afterAll(async () => {
    await t?.close();
    const channel = await admin.createChannel();
    for (const q of queues) await channel.deleteQueue(q).catch(() => undefined);
    for (const e of exchanges) await channel.deleteExchange(e).catch(() => undefined);
    await admin.close();
  });

  it("publishes JSON messages with properties and consumes them back into an Ion file, acknowledged", async () => {
    const queue = await newQueue();
    const run = await t.run(
      flow(
        "roundtrip",
        task(
          "publish",
          "Publish",
          `${CONN}\nexchange: ""\nroutingKey: ${queue}\nserdeType: JSON\nfrom:\n  - data: { id: 1, name: Ada }\n    headers: { source: test }\n    contentType: application/json\n    timestamp: "2024-01-09T08:46:33Z"\n  - data: { id: 2, name: Alan }\n    appId: unit`,
        ) + task("consume", "Consume", `${CONN}\nqueue: ${queue}\nserdeType: JSON\nmaxRecords: 2`),
      ),
    );
    expect(run.state.current).toBe("SUCCESS");
    expect(outputsOf(run, "publish")).toEqual({ messagesCount: 2 });
    const out = outputsOf(run, "consume");
    expect(out.count).toBe(2);
    const records = await storedValues(t, out.uri as string);
    expect(records).toEqual([
      expect.objectContaining({
        data: { id: 1, name: "Ada" },
        headers: { source: "test" },
        contentType: "application/json",
        timestamp: "2024-01-09T08:46:33.000Z",
      }),
      expect.objectContaining({ data: { id: 2, name: "Alan" }, appId: "unit" }),
    ]);
    expect(await depth(queue)).toBe(0);
  });

  it("stops at maxRecords and leaves the other messages in the queue", async () => {
    const queue = await newQueue();
    await send(queue, "a", "b", "c", "d", "e");
    const run = await t.run(flow("max_records", task("consume", "Consume", `${CONN}\nqueue: ${queue}\nmaxRecords: 3`)));
    expect(run.state.current).toBe("SUCCESS");
    expect(outputsOf(run, "consume").count).toBe(3);
    expect(await storedValues(t, outputsOf(run, "consume").uri as string)).toEqual([
      expect.objectContaining({ data: "a" }),
      expect.objectContaining({ data: "b" }),
      expect.objectContaining({ data: "c" }),
    ]);
    expect(await depth(queue)).toBe(2);
  });

  it("stops after maxDuration on an empty queue with an empty file", async () => {
    const queue = await newQueue();
    const run = await t.run(
      flow("max_duration", task("consume", "Consume", `${CONN}\nqueue: ${queue}\nmaxDuration: PT0.3S`)),
    );
    expect(run.state.current).toBe("SUCCESS");
    expect(outputsOf(run, "consume").count).toBe(0);
    expect(await storedValues(t, outputsOf(run, "consume").uri as string)).toEqual([]);
  });

  it("CreateQueue, DeclareExchange and QueueBind route a published message to the new queue", async () => {
    const queue = uniqueName("saker.created");
    const exchange = uniqueName("saker.x");
    queues.push(queue);
    exchanges.push(exchange);
    const run = await t.run(
      flow(
        "setup",
        task("queue", "CreateQueue", `${CONN}\nname: ${queue}\ndurability: false`) +
          task("exchange", "DeclareExchange", `${CONN}\nname: ${exchange}\nexchangeType: TOPIC\ndurability: false`) +
          task("bind", "QueueBind", `${CONN}\nexchange: ${exchange}\nqueue: ${queue}\nroutingKey: "orders.*"`) +
          task("publish", "Publish", `${CONN}\nexchange: ${exchange}\nroutingKey: orders.new\nfrom:\n  data: routed`) +
          task("miss", "Publish", `${CONN}\nexchange: ${exchange}\nroutingKey: invoices.new\nfrom:\n  data: dropped`) +
          task("consume", "Consume", `${CONN}\nqueue: ${queue}\nmaxRecords: 5\nmaxDuration: PT0.5S`),
      ),
    );
    expect(run.state.current).toBe("SUCCESS");
    expect(outputsOf(run, "queue")).toEqual({ queue });
    expect(outputsOf(run, "exchange")).toEqual({ exchange });
    expect(outputsOf(run, "bind")).toEqual({ queue, exchange });
    expect(outputsOf(run, "consume").count).toBe(1);
    expect(await storedValues(t, outputsOf(run, "consume").uri as string)).toEqual([
      expect.objectContaining({ data: "routed" }),
    ]);
  });

  it("publishes the items of a stored Ion file", async () => {
    const queue = await newQueue();
    const run = await t.run(
      flow(
        "from_file",
        `  - id: write\n    type: io.kestra.plugin.core.storage.Write\n    extension: .ion\n    content: |\n      {data:"one"}\n      {data:"two"}\n` +
          task("publish", "Publish", `${CONN}\nexchange: ""\nroutingKey: ${queue}\nfrom: "{{ outputs.write.uri }}"`),
      ),
    );
    expect(run.state.current).toBe("SUCCESS");
    expect(outputsOf(run, "publish")).toEqual({ messagesCount: 2 });
    expect(await depth(queue)).toBe(2);
  });

  it("a body that is not JSON fails a JSON Consume with a message naming it, and stays in the queue", async () => {
    const queue = await newQueue();
    await send(queue, "{not json");
    const run = await t.run(
      flow("bad_json", task("consume", "Consume", `${CONN}\nqueue: ${queue}\nserdeType: JSON\nmaxRecords: 1`)),
    );
    expect(run.state.current).toBe("FAILED");
    expect(errorMessages(t, run, "consume").join("\n")).toMatch(/Message 1 of queue '.*' is not valid JSON/);
    expect(await depth(queue)).toBe(1);
  });

  it("an unreachable broker fails the task quickly with a clear error", async () => {
    const run = await t.run(
      flow("unreachable", task("publish", "Publish", `host: 127.0.0.1\nport: 1\nexchange: ""\nfrom:\n  data: x`)),
    );
    expect(run.state.current).toBe("FAILED");
    expect(errorMessages(t, run, "publish").join("\n")).toMatch(
      /Cannot connect to RabbitMQ at 127\.0\.0\.1:1: .*ECONNREFUSED/,
    );
  });

  it("a broker that never answers is given up at the task's timeout", async () => {
    const silent = await silentServer();
    try {
      const run = await t.run(
        flow(
          "silent_host",
          task("consume", "Consume", `host: 127.0.0.1\nport: ${silent.port}\nqueue: q\nmaxRecords: 1`) +
            "    timeout: PT1S\n",
        ),
        {},
        15_000,
      );
      expect(run.state.current).toBe("FAILED");
      expect(errorMessages(t, run, "consume").join("\n")).toMatch(/timed out|timeout/i);
    } finally {
      await silent.close();
    }
  });

  it("a wrong password is reported as such, and the password in a url never reaches logs or outputs", async () => {
    const run = await t.run(
      flow(
        "wrong_password",
        task("consume", "Consume", `url: amqp://guest:S3cretWrong@127.0.0.1:5672\nqueue: whatever\nmaxRecords: 1`),
      ),
    );
    expect(run.state.current).toBe("FAILED");
    const errors = errorMessages(t, run, "consume").join("\n");
    expect(errors).toMatch(/refused the login of user 'guest': wrong username or password/);
    expect(allLogs(t, NS).join("\n")).not.toContain("S3cretWrong");
    expect(JSON.stringify(taskRun(run, "consume"))).not.toContain("S3cretWrong");
  });

  it("a missing queue or exchange, url and host together, a message without data are named errors", async () => {
    const run = await t.run(
      flow(
        "missing",
        task("consume", "Consume", `${CONN}\nqueue: saker.does.not.exist\nmaxRecords: 1`) +
          `    allowFailure: true\n` +
          task("both", "CreateQueue", `url: amqp://127.0.0.1\nhost: 127.0.0.1\nname: x`) +
          `    allowFailure: true\n` +
          task("no_data", "Publish", `${CONN}\nexchange: ""\nroutingKey: x\nfrom:\n  headers: { a: b }`) +
          `    allowFailure: true\n` +
          task("no_exchange", "Publish", `${CONN}\nexchange: saker.no.such.exchange\nfrom:\n  data: x`),
      ),
    );
    expect(errorMessages(t, run, "consume").join("\n")).toMatch(/saker\.does\.not\.exist.*not found/);
    expect(errorMessages(t, run, "both").join("\n")).toContain("Cannot define both `url` and `host`");
    expect(errorMessages(t, run, "no_data").join("\n")).toContain("from item 1 has no 'data'");
    expect(errorMessages(t, run, "no_exchange").join("\n")).toMatch(/saker\.no\.such\.exchange.*not found/);
  });

  it("a 50 MB message goes through Publish and Consume", async () => {
    const queue = await newQueue();
    const big = "x".repeat(50 * 1024 * 1024);
    const channel = await admin.createConfirmChannel();
    channel.sendToQueue(queue, Buffer.from(big));
    await channel.waitForConfirms();
    await channel.close();
    const run = await t.run(
      flow("big", task("consume", "Consume", `${CONN}\nqueue: ${queue}\nmaxRecords: 1`)),
      {},
      60_000,
    );
    expect(run.state.current).toBe("SUCCESS");
    expect(outputsOf(run, "consume").count).toBe(1);
    // The stored line holds the whole body (read as text: parsing 50 MB back would only slow the test).
    const stored = await storedText(t, outputsOf(run, "consume").uri as string);
    expect(stored.length).toBeGreaterThan(big.length);
    expect(stored.startsWith('{data:"xxxx')).toBe(true);
  }, 60_000);
});

describe.skipIf(!up)("AMQP triggers", () => {
  let admin: ChannelModel;
  let t: TestInstance | undefined;
  const queues: string[] = [];

  beforeAll(async () => {
    admin = await connect("amqp://guest:guest@127.0.0.1:5672");
  });
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });
  afterAll(async () => {
    const channel = await admin.createChannel();
    for (const q of queues) await channel.deleteQueue(q).catch(() => undefined);
    await admin.close();
  });

  async function newQueue(): Promise<string> {
    const name = uniqueName("saker.trigger");
    const channel = await admin.createChannel();
    await channel.assertQueue(name, { durable: false });
    await channel.close();
    queues.push(name);
    return name;
  }

  async function send(queue: string, ...bodies: string[]): Promise<void> {
    const channel = await admin.createConfirmChannel();
    for (const body of bodies) channel.sendToQueue(queue, Buffer.from(body), { headers: { n: body } });
    await channel.waitForConfirms();
    await channel.close();
  }

  const triggerFlow = (id: string, type: string, queue: string, extra = "") => `id: ${id}
namespace: ${NS}
tasks:
  - id: got
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.data ?? trigger.count }}"
triggers:
  - id: amqp
    type: io.kestra.plugin.amqp.${type}
    host: 127.0.0.1
    username: guest
    password: guest
    queue: ${queue}
${extra}`;

  it("Trigger starts one execution per batch with the stored messages", async () => {
    const queue = await newQueue();
    await send(queue, "m1", "m2", "m3");
    t = await messagingInstance({ scheduler: true });
    await t.instance.deploy(
      triggerFlow("batch", "Trigger", queue, "    interval: PT1S\n    maxRecords: 10\n    maxDuration: PT0.5S\n"),
    );
    const [execution] = await eventually(() => {
      const done = executionsOf(t!, NS, "batch").filter((x) => x.state.current === "SUCCESS");
      return done.length > 0 ? done : undefined;
    });
    expect(execution!.trigger?.variables).toMatchObject({ count: 3 });
    expect(await storedValues(t, execution!.trigger!.variables!.uri as string)).toEqual([
      expect.objectContaining({ data: "m1" }),
      expect.objectContaining({ data: "m2" }),
      expect.objectContaining({ data: "m3" }),
    ]);
  });

  it("RealtimeTrigger starts one execution per message with its data and headers", async () => {
    const queue = await newQueue();
    t = await messagingInstance({ scheduler: true });
    await t.instance.deploy(triggerFlow("realtime", "RealtimeTrigger", queue));
    await eventually(() => (t!.instance.scheduler.realtime.size === 1 ? true : undefined));
    await send(queue, "r1", "r2");
    const done = await eventually(() => {
      const found = executionsOf(t!, NS, "realtime").filter((x) => x.state.current === "SUCCESS");
      return found.length >= 2 ? found : undefined;
    });
    expect(done.map((x) => x.taskRunList[0]?.outputs?.value).sort()).toEqual(["r1", "r2"]);
    expect(done.map((x) => (x.trigger?.variables?.headers as Record<string, string>).n).sort()).toEqual(["r1", "r2"]);
  });

  it("RealtimeTrigger rejects a message that is not JSON with an ERROR log and goes on with the next", async () => {
    const queue = await newQueue();
    t = await messagingInstance({ scheduler: true });
    await t.instance.deploy(triggerFlow("realtime_json", "RealtimeTrigger", queue, "    serdeType: JSON\n"));
    await eventually(() => (t!.instance.scheduler.realtime.size === 1 ? true : undefined));
    await send(queue, "{broken", '"fine"');
    const done = await eventually(() => {
      const found = executionsOf(t!, NS, "realtime_json").filter((x) => x.state.current === "SUCCESS");
      return found.length > 0 ? found : undefined;
    });
    expect(done.map((x) => x.taskRunList[0]?.outputs?.value)).toEqual(["fine"]);
    const logged = t.instance.logs
      .find({ namespace: NS, flowId: "realtime_json", minLevel: "ERROR" })
      .map((l) => l.message);
    expect(logged.join("\n")).toMatch(/Message rejected: A message of queue '.*' is not valid JSON/);
    expect(await depthOf(admin, queue)).toBe(0);
  });

  it("a message received but not stored when the instance stops starts exactly one execution after a restart", async () => {
    const queue = await newQueue();
    t = await messagingInstance({ scheduler: true });
    const home = t.home;
    await t.instance.deploy(triggerFlow("durable", "RealtimeTrigger", queue));
    await eventually(() => (t!.instance.scheduler.realtime.size === 1 ? true : undefined));
    // Storing the execution fails: the message was received, its execution never stored.
    const refused = refuseWrites(t.instance, "BEFORE INSERT ON executions WHEN NEW.flow_id = 'durable'", 1_000);
    await send(queue, "once");
    await eventually(() => (refused.count > 0 ? true : undefined), 10_000, "the listener to receive the message");
    expect(executionsOf(t, NS, "durable")).toHaveLength(0);
    await t.instance.close();
    t = await messagingInstance({ scheduler: true, home });
    const done = await eventually(() => {
      const found = executionsOf(t!, NS, "durable").filter((x) => x.state.current === "SUCCESS");
      return found.length > 0 ? found : undefined;
    }, 20_000);
    expect(done.map((x) => x.taskRunList[0]?.outputs?.value)).toEqual(["once"]);
    // No second execution comes later for the same message.
    await eventually(async () => ((await depthOf(admin, queue)) === 0 ? true : undefined));
    expect(executionsOf(t, NS, "durable")).toHaveLength(1);
  }, 30_000);
});

async function depthOf(admin: ChannelModel, queue: string): Promise<number> {
  const channel = await admin.createChannel();
  const { messageCount } = await channel.checkQueue(queue);
  await channel.close();
  return messageCount;
}
