import { existsSync } from "node:fs";
import { createServer, type Server } from "node:net";
import type { Redis } from "ioredis";
import { toStoragePath } from "@saker/engine/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RealtimeTrigger, processingKey } from "./listRealtime.ts";
import {
  allLogText,
  eventually,
  executionsOf,
  messagingInstance,
  serviceAvailable,
  storedRecords,
  successes,
  taskFlow,
  taskRun,
  triggeredFlow,
  type TestInstance,
} from "../../test/instance.ts";
import { REDIS_SERVER_BIN, REDIS_URL, rawRedis, startAuthRedis, uniqueKey } from "../../test/redis.ts";

const up = await serviceAvailable("Redis", "127.0.0.1", 6379);

describe.runIf(up)("Redis", () => {
  let test: TestInstance;
  let redis: Redis;
  beforeAll(async () => {
    test = await messagingInstance({ scheduler: true });
    redis = rawRedis();
  });
  afterAll(async () => {
    await test?.close();
    redis?.disconnect();
  });
  const run = (id: string, type: string, props: string) => test.run(taskFlow(id, type, props));
  const outputs = <T>(execution: Awaited<ReturnType<typeof run>>) => taskRun(execution, "t").outputs as T;

  it("pushes values and pops them from the head of the list, as Kestra does", async () => {
    const key = uniqueKey("list");
    const pushed = await run(
      "redis_push",
      "io.kestra.plugin.redis.list.ListPush",
      `url: ${REDIS_URL}\nkey: ${key}\nfrom:\n  - first\n  - second\n  - third`,
    );
    expect(pushed.state.current).toBe("SUCCESS");
    expect(outputs(pushed)).toEqual({ count: 3 });
    expect(await redis.lrange(key, 0, -1)).toEqual(["third", "second", "first"]);

    const popped = await run(
      "redis_pop",
      "io.kestra.plugin.redis.ListPop",
      `url: ${REDIS_URL}\nkey: ${key}\nmaxRecords: 2\ncount: 1`,
    );
    const out = outputs<{ count: number; uri: string }>(popped);
    expect(out.count).toBe(2);
    expect(await storedRecords(test, out.uri)).toEqual(["third", "second"]);
    expect(await redis.lrange(key, 0, -1)).toEqual(["first"]);
    await redis.del(key);
  });

  it("writes and reads JSON, from a JSON array and from an Ion file", async () => {
    const key = uniqueKey("json");
    const execution = await test.run(`id: redis_json
namespace: company.messaging
tasks:
  - id: write
    type: io.kestra.plugin.core.storage.Write
    extension: .ion
    content: |
      {id:1,tags:["a"]}
      {id:2}
  - id: fromFile
    type: io.kestra.plugin.redis.list.ListPush
    url: ${REDIS_URL}
    key: ${key}
    serdeType: JSON
    from: "{{ outputs.write.uri }}"
  - id: fromText
    type: io.kestra.plugin.redis.list.ListPush
    url: ${REDIS_URL}
    key: ${key}
    serdeType: JSON
    from: '[{"id": 3}]'
  - id: t
    type: io.kestra.plugin.redis.list.ListPop
    url: ${REDIS_URL}
    key: ${key}
    serdeType: JSON
    maxDuration: PT5S
`);
    expect(execution.state.current).toBe("SUCCESS");
    const out = outputs<{ count: number; uri: string }>(execution);
    expect(out.count).toBe(3);
    expect(await storedRecords(test, out.uri)).toEqual([{ id: 3 }, { id: 2 }, { id: 1, tags: ["a"] }]);
  });

  it("fails naming the value that is not JSON, and when nothing bounds ListPop", async () => {
    const key = uniqueKey("bad");
    await redis.lpush(key, "{not json");
    const bad = await run(
      "redis_badjson",
      "io.kestra.plugin.redis.list.ListPop",
      `url: ${REDIS_URL}\nkey: ${key}\nserdeType: JSON\nmaxRecords: 5`,
    );
    expect(bad.state.current).toBe("FAILED");
    expect(errorText(test, bad.id)).toContain(`element 1 popped from list '${key}' is not valid JSON (serdeType JSON)`);

    const unbounded = await run(
      "redis_unbounded",
      "io.kestra.plugin.redis.list.ListPop",
      `url: ${REDIS_URL}\nkey: ${key}`,
    );
    expect(unbounded.state.current).toBe("FAILED");
    expect(errorText(test, unbounded.id)).toContain("ListPop: maxDuration or maxRecords must be set");
  });

  it("stops at maxDuration while values keep coming", async () => {
    const key = uniqueKey("duration");
    let pushing = true;
    let sent = 0;
    const pusher = (async () => {
      while (pushing && sent < 2000) {
        await redis.lpush(key, `v${++sent}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const execution = await run(
      "redis_duration",
      "io.kestra.plugin.redis.list.ListPop",
      `url: ${REDIS_URL}\nkey: ${key}\nmaxDuration: PT1S\ncount: 1`,
    );
    const stillPushing = pushing && sent < 2000;
    pushing = false;
    await pusher;
    await redis.del(key);
    expect(execution.state.current).toBe("SUCCESS");
    // An empty pop ends the loop too, so the count is any number up to what was pushed.
    expect(stillPushing).toBe(true);
  });

  it("handles a 50 MB value", async () => {
    const key = uniqueKey("big");
    await redis.lpush(key, "x".repeat(50 * 1024 * 1024));
    const execution = await run(
      "redis_big",
      "io.kestra.plugin.redis.list.ListPop",
      `url: ${REDIS_URL}\nkey: ${key}\nmaxRecords: 1`,
    );
    expect(execution.state.current).toBe("SUCCESS");
    const out = outputs<{ count: number; uri: string }>(execution);
    expect(out.count).toBe(1);
    expect(await test.instance.storage.size(toStoragePath(out.uri))).toBeGreaterThan(50 * 1024 * 1024);
  });

  it("publishes values to a channel", async () => {
    const channel = uniqueKey("channel");
    const subscriber = rawRedis();
    const received: string[] = [];
    subscriber.on("message", (_ch: string, message: string) => received.push(message));
    await subscriber.subscribe(channel);
    try {
      const execution = await run(
        "redis_publish",
        "io.kestra.plugin.redis.pubsub.Publish",
        `url: ${REDIS_URL}\nchannel: ${channel}\nserdeType: JSON\nfrom:\n  - '{"id": 1}'\n  - id: 2`,
      );
      expect(execution.state.current).toBe("SUCCESS");
      expect(outputs(execution)).toEqual({ count: 2 });
      for (let i = 0; i < 100 && received.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
      expect(received).toEqual(['{"id": 1}', '{"id":2}']);
    } finally {
      subscriber.disconnect();
    }
  });

  it("sets, reads, increments, expires and deletes string keys", async () => {
    const key = uniqueKey("str");
    const counter = uniqueKey("counter");
    const execution = await test.run(`id: redis_strings
namespace: company.messaging
tasks:
  - id: set
    type: io.kestra.plugin.redis.string.Set
    url: ${REDIS_URL}
    key: ${key}
    serdeType: JSON
    value:
      name: saker
      n: 1
    options:
      expirationDuration: PT1H
  - id: replace
    type: io.kestra.plugin.redis.string.Set
    url: ${REDIS_URL}
    key: ${key}
    value: '{"name": "again"}'
    serdeType: JSON
    get: true
    options:
      keepTtl: true
  - id: get
    type: io.kestra.plugin.redis.string.Get
    url: ${REDIS_URL}
    key: ${key}
    serdeType: JSON
  - id: ttl
    type: io.kestra.plugin.redis.string.Ttl
    url: ${REDIS_URL}
    key: ${key}
  - id: incr
    type: io.kestra.plugin.redis.string.Increment
    url: ${REDIS_URL}
    key: ${counter}
    amount: 5
  - id: incrFloat
    type: io.kestra.plugin.redis.string.Increment
    url: ${REDIS_URL}
    key: ${counter}
    amount: 0.5
  - id: missing
    type: io.kestra.plugin.redis.string.Get
    url: ${REDIS_URL}
    key: ${key}-missing
  - id: t
    type: io.kestra.plugin.redis.string.Delete
    url: ${REDIS_URL}
    keys: [${key}, ${counter}, ${key}-missing]
`);
    expect(execution.state.current).toBe("SUCCESS");
    const of = (id: string) => taskRun(execution, id).outputs;
    expect(of("replace")).toEqual({ oldValue: '{"name":"saker","n":1}' });
    expect(of("get")).toEqual({ data: { name: "again" }, key });
    expect((of("ttl") as { ttl: number }).ttl).toBeGreaterThan(3500);
    expect(of("incr")).toEqual({ value: 5, key: counter });
    expect(of("incrFloat")).toEqual({ value: 5.5, key: counter });
    expect(of("missing")).toEqual({ key: `${key}-missing` });
    expect(of("t")).toEqual({ count: 2 });
  });

  it("fails naming the key whose value is not JSON, or that is missing when it must exist", async () => {
    const key = uniqueKey("notjson");
    await redis.set(key, "plain text");
    const bad = await run(
      "redis_get_bad",
      "io.kestra.plugin.redis.string.Get",
      `url: ${REDIS_URL}\nkey: ${key}\nserdeType: JSON`,
    );
    expect(bad.state.current).toBe("FAILED");
    expect(errorText(test, bad.id)).toContain(`the value of key '${key}' is not valid JSON (serdeType JSON)`);
    const missing = await run(
      "redis_get_missing",
      "io.kestra.plugin.redis.string.Get",
      `url: ${REDIS_URL}\nkey: ${key}-none\nfailedOnMissing: true`,
    );
    expect(missing.state.current).toBe("FAILED");
    expect(errorText(test, missing.id)).toContain(`Redis: missing key '${key}-none'`);
    await redis.del(key);
  });

  it("fails clearly when the server cannot be reached, and within the task's timeout when it never answers", async () => {
    const refused = await run("redis_refused", "io.kestra.plugin.redis.string.Get", `url: redis://127.0.0.1:1\nkey: k`);
    expect(refused.state.current).toBe("FAILED");
    expect(errorText(test, refused.id)).toContain("Redis: cannot reach redis://127.0.0.1:1: connection refused");

    const metadata = await run(
      "redis_metadata",
      "io.kestra.plugin.redis.string.Get",
      `url: redis://169.254.169.254:6379\nkey: k`,
    );
    expect(metadata.state.current).toBe("FAILED");
    expect(errorText(test, metadata.id)).toContain(
      "connecting to 169.254.169.254 is refused: the address is in 169.254.0.0/16",
    );

    const silent: Server = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const port = (silent.address() as { port: number }).port;
    try {
      const hung = await run(
        "redis_silent",
        "io.kestra.plugin.redis.string.Get",
        `url: redis://127.0.0.1:${port}\nkey: k\ntimeout: PT1S`,
      );
      expect(hung.state.current).toBe("FAILED");
    } finally {
      silent.close();
    }
  });

  it.runIf(existsSync(REDIS_SERVER_BIN))("refuses wrong credentials without writing them anywhere", async () => {
    const server = (await startAuthRedis())!;
    try {
      const wrong = await run(
        "redis_wrong",
        "io.kestra.plugin.redis.string.Set",
        `url: redis://:wr0ngpassword@127.0.0.1:${server.port}/0\nkey: k\nvalue: v`,
      );
      expect(wrong.state.current).toBe("FAILED");
      expect(errorText(test, wrong.id)).toMatch(
        /Redis: redis:\/\/127\.0\.0\.1:\d+\/0 refused the credentials: WRONGPASS/,
      );
      const right = await run(
        "redis_right",
        "io.kestra.plugin.redis.string.Set",
        `url: redis://:s3cretpw@127.0.0.1:${server.port}/0\nkey: k\nvalue: v`,
      );
      expect(right.state.current).toBe("SUCCESS");
      const logs = allLogText(test);
      expect(logs).not.toContain("wr0ngpassword");
      expect(JSON.stringify(wrong.taskRunList)).not.toContain("wr0ngpassword");
    } finally {
      await server.stop();
    }
  });

  it("a realtime listener that cannot connect is logged on its trigger, without the password", async () => {
    await test.instance.deploy(
      triggeredFlow(
        "redis_rt_refused",
        "io.kestra.plugin.redis.list.RealtimeTrigger",
        `url: redis://:rtpassw0rd@127.0.0.1:1/0\nkey: k`,
        "{{ trigger.value }}",
      ),
    );
    const logged = await eventually(() =>
      test.instance.logs
        .find({ namespace: "company.messaging", flowId: "redis_rt_refused", minLevel: "ERROR" })
        .find((l) => l.triggerId === "watch"),
    );
    stopTrigger(test, "redis_rt_refused");
    expect(logged.message).toContain("Redis: cannot reach redis://127.0.0.1:1/0: connection refused");
    expect(allLogText(test)).not.toContain("rtpassw0rd");
  });

  it("starts one execution per batch with the polling Trigger", async () => {
    const key = uniqueKey("batch");
    await redis.lpush(key, "a", "b", "c");
    await test.instance.deploy(
      triggeredFlow(
        "redis_batch",
        "io.kestra.plugin.redis.list.Trigger",
        `url: ${REDIS_URL}\nkey: ${key}\nmaxRecords: 10\ninterval: PT1S`,
        "{{ trigger.count }} {{ trigger.uri }}",
      ),
    );
    const [execution] = await successes(test, "redis_batch", 1);
    stopTrigger(test, "redis_batch");
    const [count, uri] = String(taskRun(execution!, "got").outputs?.value).split(" ");
    expect(count).toBe("3");
    expect(await storedRecords(test, uri!)).toEqual(["c", "b", "a"]);
  });

  it("starts one execution per value with the RealtimeTrigger", async () => {
    const key = uniqueKey("rt");
    await test.instance.deploy(
      triggeredFlow(
        "redis_realtime",
        "io.kestra.plugin.redis.list.RealtimeTrigger",
        `url: ${REDIS_URL}\nkey: ${key}\nserdeType: JSON`,
        "{{ trigger.value.id }}",
      ),
    );
    await redis.lpush(key, '{"id": "one"}');
    await redis.lpush(key, '{"id": "two"}');
    const done = await successes(test, "redis_realtime", 2);
    stopTrigger(test, "redis_realtime");
    expect(done.map((x) => taskRun(x, "got").outputs?.value).sort()).toEqual(["one", "two"]);
    expect(await redis.llen(key)).toBe(0);
  });

  it("the RealtimeTrigger logs and drops a value that is not JSON, and goes on", async () => {
    const key = uniqueKey("rtbad");
    await test.instance.deploy(
      triggeredFlow(
        "redis_rt_bad",
        "io.kestra.plugin.redis.list.RealtimeTrigger",
        `url: ${REDIS_URL}\nkey: ${key}\nserdeType: JSON`,
        "{{ trigger.value.id }}",
      ),
    );
    await redis.rpush(key, "{bad", '{"id": "ok"}');
    const [execution] = await successes(test, "redis_rt_bad", 1);
    const logged = await eventually(() =>
      test.instance.logs
        .find({ namespace: "company.messaging", flowId: "redis_rt_bad", minLevel: "ERROR" })
        .find((l) => l.message.includes("Dropping a value")),
    );
    stopTrigger(test, "redis_rt_bad");
    expect(taskRun(execution!, "got").outputs?.value).toBe("ok");
    expect(logged.message).toContain(`Dropping a value of list '${key}': a value of list '${key}' is not valid JSON`);
    expect(executionsOf(test, "redis_rt_bad")).toHaveLength(1);
  });

  it("a listener that stops puts the values it took but did not emit back at the head, in order", async () => {
    const key = uniqueKey("handback");
    await redis.rpush(key, "v1", "v2", "v3", "v4", "v5");
    const ctx = {
      flow: { namespace: "company.messaging", id: "redis_handback" },
      trigger: { id: "watch", type: "io.kestra.plugin.redis.list.RealtimeTrigger" },
      logger: { error: () => {} },
    };
    const controller = new AbortController();
    const emitted: unknown[] = [];
    await RealtimeTrigger.listen!(
      { url: REDIS_URL, key, serdeType: "STRING" },
      { ...ctx, signal: controller.signal } as never,
      async (event) => {
        emitted.push(event.variables.value);
        if (emitted.length === 2) controller.abort();
      },
    );
    expect(emitted).toEqual(["v1", "v2"]);
    expect(await redis.lrange(key, 0, -1)).toEqual(["v3", "v4", "v5"]);
    expect(await redis.llen(processingKey(key, ctx as never))).toBe(0);
    await redis.del(key);
  });

  it("a value received but not stored when the listener stops starts exactly one execution after the restart", async () => {
    const key = uniqueKey("crash");
    await redis.lpush(key, "precious");
    const ctx = {
      flow: { namespace: "company.messaging", id: "redis_crash" },
      trigger: { id: "watch", type: "io.kestra.plugin.redis.list.RealtimeTrigger" },
      logger: { error: () => {} },
    };
    // The first listener receives the value and stops before its execution is stored.
    const controller = new AbortController();
    let received: unknown;
    await RealtimeTrigger.listen!(
      { url: REDIS_URL, key, serdeType: "STRING" },
      { ...ctx, signal: controller.signal } as never,
      async (event) => {
        received = event.variables.value;
        controller.abort();
        throw new Error("stopped before the execution was stored");
      },
    );
    expect(received).toBe("precious");
    expect(await redis.llen(key)).toBe(0);
    expect(await redis.lrange(processingKey(key, ctx as never), 0, -1)).toEqual(["precious"]);

    // Restarted in a real instance: the value starts exactly one execution.
    await test.instance.deploy(
      triggeredFlow(
        "redis_crash",
        "io.kestra.plugin.redis.list.RealtimeTrigger",
        `url: ${REDIS_URL}\nkey: ${key}`,
        "{{ trigger.value }}",
      ),
    );
    await successes(test, "redis_crash", 1);
    await redis.lpush(key, "marker");
    const done = await successes(test, "redis_crash", 2);
    stopTrigger(test, "redis_crash");
    expect(done.map((x) => taskRun(x, "got").outputs?.value).sort()).toEqual(["marker", "precious"]);
    expect(executionsOf(test, "redis_crash")).toHaveLength(2);
    expect(await redis.llen(processingKey(key, ctx as never))).toBe(0);
  });
});

function stopTrigger(test: TestInstance, flowId: string): void {
  test.instance.triggers.setDisabled(
    test.instance.config.tenantId,
    { namespace: "company.messaging", flowId, triggerId: "watch" },
    true,
  );
}

function errorText(test: TestInstance, executionId: string): string {
  return test.instance.logs
    .find({ executionId, minLevel: "ERROR" })
    .map((l) => l.message)
    .join("\n");
}
