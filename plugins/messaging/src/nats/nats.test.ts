import { existsSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RealtimeTrigger } from "./realtimeTrigger.ts";
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
import {
  NATS_SERVER_BIN,
  NATS_URL,
  startAuthServer,
  startJetStreamServer,
  testStream,
  type TestStream,
} from "../../test/nats.ts";

const up = await serviceAvailable("NATS", "127.0.0.1", 4222);

describe.runIf(up)("NATS", () => {
  let test: TestInstance;
  let s: TestStream;
  beforeAll(async () => {
    test = await messagingInstance({ scheduler: true });
  });
  afterAll(async () => {
    await test?.close();
  });
  const withStream = async (work: (s: TestStream) => Promise<void>) => {
    s = await testStream();
    try {
      await work(s);
    } finally {
      await s.close();
    }
  };

  it("produces messages with headers and consumes them with a durable consumer", () =>
    withStream(async (s) => {
      const produced = await test.run(
        taskFlow(
          "nats_produce",
          "io.kestra.plugin.nats.core.Produce",
          `url: ${NATS_URL}\nsubject: ${s.prefix}.orders\nfrom:\n  - headers:\n      source: saker\n      tags: [a, b]\n    data: first\n  - data: second`,
        ),
      );
      expect(produced.state.current).toBe("SUCCESS");
      expect(taskRun(produced, "t").outputs).toEqual({ messagesCount: 2 });

      const consumeFlow = taskFlow(
        "nats_consume",
        "io.kestra.plugin.nats.Consume",
        `url: ${NATS_URL}\nsubject: ${s.prefix}.>\ndurableId: report\npollDuration: PT1S`,
      );
      const consumed = await test.run(consumeFlow);
      expect(consumed.state.current).toBe("SUCCESS");
      const outputs = taskRun(consumed, "t").outputs as { messagesCount: number; uri: string };
      expect(outputs.messagesCount).toBe(2);
      const records = (await storedRecords(test, outputs.uri)) as Record<string, unknown>[];
      expect(records.map((r) => [r.subject, r.data, r.headers])).toEqual([
        [`${s.prefix}.orders`, "first", { source: ["saker"], tags: ["a", "b"] }],
        [`${s.prefix}.orders`, "second", {}],
      ]);
      expect(typeof records[0]!.timestamp).toBe("string");

      // The durable consumer kept its position: nothing new.
      const again = await test.run(consumeFlow);
      expect((taskRun(again, "t").outputs as { messagesCount: number }).messagesCount).toBe(0);
    }));

  it("stops at maxRecords, the next run taking the rest", () =>
    withStream(async (s) => {
      for (let i = 1; i <= 5; i++) await s.publish(`${s.prefix}.n`, `m${i}`);
      const flow = taskFlow(
        "nats_max",
        "io.kestra.plugin.nats.core.Consume",
        `url: ${NATS_URL}\nsubject: ${s.prefix}.n\ndurableId: max\nbatchSize: 2\nmaxRecords: 3\npollDuration: PT1S`,
      );
      const first = taskRun(await test.run(flow), "t").outputs as { messagesCount: number; uri: string };
      expect(first.messagesCount).toBe(3);
      expect(((await storedRecords(test, first.uri)) as { data: string }[]).map((r) => r.data)).toEqual([
        "m1",
        "m2",
        "m3",
      ]);
      const second = taskRun(await test.run(flow), "t").outputs as { messagesCount: number };
      expect(second.messagesCount).toBe(2);
    }));

  it("starts from the last message with deliverPolicy Last", () =>
    withStream(async (s) => {
      for (let i = 1; i <= 3; i++) await s.publish(`${s.prefix}.last`, `m${i}`);
      const run = await test.run(
        taskFlow(
          "nats_last",
          "io.kestra.plugin.nats.core.Consume",
          `url: ${NATS_URL}\nsubject: ${s.prefix}.last\ndeliverPolicy: Last\npollDuration: PT1S`,
        ),
      );
      const out = taskRun(run, "t").outputs as { messagesCount: number; uri: string };
      expect(out.messagesCount).toBe(1);
      expect(((await storedRecords(test, out.uri)) as { data: string }[])[0]!.data).toBe("m3");
    }));

  it("stops at maxDuration while messages keep coming", () =>
    withStream(async (s) => {
      let publishing = true;
      let sent = 0;
      const publisher = (async () => {
        while (publishing && sent < 2000) {
          await s.publish(`${s.prefix}.flow`, `m${++sent}`);
          await new Promise((r) => setTimeout(r, 10));
        }
      })();
      const run = await test.run(
        taskFlow(
          "nats_duration",
          "io.kestra.plugin.nats.core.Consume",
          `url: ${NATS_URL}\nsubject: ${s.prefix}.flow\nbatchSize: 1\nmaxDuration: PT1S\npollDuration: PT1S`,
        ),
      );
      const stillPublishing = publishing && sent < 2000;
      publishing = false;
      await publisher;
      expect(run.state.current).toBe("SUCCESS");
      expect(stillPublishing).toBe(true);
      expect((taskRun(run, "t").outputs as { messagesCount: number }).messagesCount).toBeGreaterThan(0);
    }));

  it("produces the messages of an Ion file", () =>
    withStream(async (s) => {
      const run = await test.run(
        `id: nats_from_file
namespace: company.messaging
tasks:
  - id: write
    type: io.kestra.plugin.core.storage.Write
    extension: .ion
    content: |
      {data:"from file 1",headers:{k:"v"}}
      {data:"from file 2"}
  - id: t
    type: io.kestra.plugin.nats.core.Produce
    url: ${NATS_URL}
    subject: ${s.prefix}.file
    from: "{{ outputs.write.uri }}"
  - id: c
    type: io.kestra.plugin.nats.core.Consume
    url: ${NATS_URL}
    subject: ${s.prefix}.file
    pollDuration: PT1S
`,
      );
      expect(run.state.current).toBe("SUCCESS");
      expect(taskRun(run, "t").outputs).toEqual({ messagesCount: 2 });
      const records = (await storedRecords(test, (taskRun(run, "c").outputs as { uri: string }).uri)) as {
        data: string;
        headers: unknown;
      }[];
      expect(records.map((r) => [r.data, r.headers])).toEqual([
        ["from file 1", { k: ["v"] }],
        ["from file 2", {}],
      ]);
    }));

  it("fails clearly when no stream holds the subject", async () => {
    const run = await test.run(
      taskFlow(
        "nats_nostream",
        "io.kestra.plugin.nats.core.Consume",
        `url: ${NATS_URL}\nsubject: nostream${Date.now()}.x`,
      ),
    );
    expect(run.state.current).toBe("FAILED");
    expect(errorText(test, run.id)).toMatch(/NATS: no JetStream stream holds subject 'nostream\d+\.x'/);
  });

  it("fails clearly when the server cannot be reached, and within the task's timeout when it never answers", async () => {
    const refused = await test.run(
      taskFlow(
        "nats_refused",
        "io.kestra.plugin.nats.core.Produce",
        `url: nats://127.0.0.1:1\nsubject: x\nfrom:\n  data: x`,
      ),
    );
    expect(refused.state.current).toBe("FAILED");
    expect(errorText(test, refused.id)).toContain("NATS: cannot reach nats://127.0.0.1:1: connection refused");

    const metadata = await test.run(
      taskFlow(
        "nats_metadata",
        "io.kestra.plugin.nats.core.Produce",
        `url: nats://169.254.169.254:4222\nsubject: x\nfrom:\n  data: x`,
      ),
    );
    expect(metadata.state.current).toBe("FAILED");
    expect(errorText(test, metadata.id)).toContain(
      "connecting to 169.254.169.254 is refused: the address is in 169.254.0.0/16",
    );

    const silent: Server = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const port = (silent.address() as { port: number }).port;
    try {
      const hung = await test.run(
        taskFlow(
          "nats_silent",
          "io.kestra.plugin.nats.core.Consume",
          `url: nats://127.0.0.1:${port}\nsubject: x\ntimeout: PT1S`,
        ),
      );
      expect(hung.state.current).toBe("FAILED");
    } finally {
      silent.close();
    }
  });

  it("a consumer waiting on an empty subject stops at the task's timeout", () =>
    withStream(async (s) => {
      const run = await test.run(
        taskFlow(
          "nats_wait_timeout",
          "io.kestra.plugin.nats.core.Consume",
          `url: ${NATS_URL}\nsubject: ${s.prefix}.empty\npollDuration: PT30S\ntimeout: PT1S`,
        ),
      );
      expect(run.state.current).toBe("FAILED");
    }));

  it("refuses a message larger than the server's max_payload, naming it", () =>
    withStream(async (s) => {
      const big = `{data:"${"x".repeat(8 * 1024 * 1024)}"}\n`;
      await test.instance.storage.put("/company/messaging/_files/big.ion", Buffer.from(big));
      const run = await test.run(
        taskFlow(
          "nats_big",
          "io.kestra.plugin.nats.core.Produce",
          `url: ${NATS_URL}\nsubject: ${s.prefix}.big\nfrom: kestra:///company/messaging/_files/big.ion`,
        ),
      );
      expect(run.state.current).toBe("FAILED");
      expect(errorText(test, run.id)).toMatch(
        /NATS: message 1 is 8388608 bytes, more than the server's max_payload of \d+ bytes/,
      );
    }));

  it("starts one execution per batch with the polling Trigger", () =>
    withStream(async (s) => {
      for (let i = 1; i <= 3; i++) await s.publish(`${s.prefix}.batch`, `b${i}`);
      await test.instance.deploy(
        triggeredFlow(
          "nats_batch",
          "io.kestra.plugin.nats.core.Trigger",
          `url: ${NATS_URL}\nsubject: ${s.prefix}.batch\ndurableId: batch\ninterval: PT1S\npollDuration: PT1S`,
          "{{ trigger.messagesCount }} {{ trigger.uri }}",
        ),
      );
      const [execution] = await successes(test, "nats_batch", 1);
      const value = String(taskRun(execution!, "got").outputs?.value);
      const [count, uri] = value.split(" ");
      expect(count).toBe("3");
      expect(((await storedRecords(test, uri!)) as { data: string }[]).map((r) => r.data)).toEqual(["b1", "b2", "b3"]);
      stopTrigger(test, "nats_batch");
    }));

  it("starts one execution per message with the RealtimeTrigger", () =>
    withStream(async (s) => {
      await test.instance.deploy(
        triggeredFlow(
          "nats_realtime",
          "io.kestra.plugin.nats.core.RealtimeTrigger",
          `url: ${NATS_URL}\nsubject: ${s.prefix}.rt\ndurableId: rt`,
          "{{ trigger.data }} from {{ trigger.subject }} {{ trigger.headers.h[0] ?? '-' }}",
        ),
      );
      await s.publish(`${s.prefix}.rt`, "one", { h: "x" });
      await s.publish(`${s.prefix}.rt`, "two");
      const done = await successes(test, "nats_realtime", 2);
      stopTrigger(test, "nats_realtime");
      expect(done.map((x) => taskRun(x, "got").outputs?.value).sort()).toEqual([
        `one from ${s.prefix}.rt x`,
        `two from ${s.prefix}.rt -`,
      ]);
    }));

  it("a message received but not stored when the listener stops starts exactly one execution after the restart", () =>
    withStream(async (s) => {
      const props = {
        url: NATS_URL,
        subject: `${s.prefix}.crash`,
        durableId: "crash",
        deliverPolicy: "All" as const,
        batchSize: 10,
      };
      await s.publish(`${s.prefix}.crash`, "precious");
      // The first listener receives the message and stops before its execution is stored.
      const controller = new AbortController();
      let received: unknown;
      const listening = RealtimeTrigger.listen!(props, { signal: controller.signal } as never, async (event) => {
        received = event.variables.data;
        controller.abort();
        throw new Error("stopped before the execution was stored");
      });
      await listening;
      expect(received).toBe("precious");
      const info = await (await s.nc.jetstreamManager()).consumers.info(s.stream, "crash");
      expect(info.ack_floor.consumer_seq).toBe(0);

      // Restarted in a real instance: the message starts exactly one execution.
      await test.instance.deploy(
        triggeredFlow(
          "nats_crash",
          "io.kestra.plugin.nats.core.RealtimeTrigger",
          `url: ${NATS_URL}\nsubject: ${s.prefix}.crash\ndurableId: crash`,
          "{{ trigger.data }}",
        ),
      );
      await successes(test, "nats_crash", 1);
      // A later message comes through after it: the first one was not delivered twice.
      await s.publish(`${s.prefix}.crash`, "marker");
      const done = await successes(test, "nats_crash", 2);
      stopTrigger(test, "nats_crash");
      expect(done.map((x) => taskRun(x, "got").outputs?.value).sort()).toEqual(["marker", "precious"]);
      expect(executionsOf(test, "nats_crash")).toHaveLength(2);
    }));

  it("creates a key-value bucket, puts, gets (at revisions too) and deletes values", async () => {
    const bucket = `b${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
    const kv = (id: string, type: string, props: string) =>
      `  - id: ${id}\n    type: io.kestra.plugin.nats.kv.${type}\n    url: ${NATS_URL}\n${props
        .trim()
        .split("\n")
        .map((l) => `    ${l}`)
        .join("\n")}\n`;
    try {
      const run = await test.run(
        `id: nats_kv\nnamespace: company.messaging\ntasks:\n` +
          kv("create", "CreateBucket", `name: ${bucket}\nhistoryPerKey: 3\ndescription: settings`) +
          kv("put", "Put", `bucketName: ${bucket}\nvalues:\n  mode: fast\n  limits:\n    max: 10`) +
          kv("put2", "Put", `bucketName: ${bucket}\nvalues:\n  mode: slow`) +
          kv("get", "Get", `bucketName: ${bucket}\nkeys: [mode, limits, missing]`) +
          kv("old", "Get", `bucketName: ${bucket}\nkeyRevisions:\n  mode: "{{ outputs.put.revisions.mode }}"`) +
          kv("delete", "Delete", `bucketName: ${bucket}\nkeys: [mode]`) +
          kv("after", "Get", `bucketName: ${bucket}\nkeys: [mode, limits]`),
      );
      expect(errorText(test, run.id)).toBe("");
      expect(run.state.current).toBe("SUCCESS");
      const of = (id: string) => taskRun(run, id).outputs as Record<string, unknown>;
      expect(of("create")).toMatchObject({
        bucket,
        description: "settings",
        history: 3,
        entryCount: 0,
      });
      expect(Object.keys(of("put").revisions as object).sort()).toEqual(["limits", "mode"]);
      expect(of("get")).toEqual({ output: { mode: "slow", limits: { max: 10 } } });
      expect(of("old")).toEqual({ output: { mode: "fast" } });
      expect(of("delete")).toEqual({ deletedCount: 1 });
      expect(of("after")).toEqual({ output: { limits: { max: 10 } } });

      const missing = await test.run(
        taskFlow(
          "nats_kv_missing",
          "io.kestra.plugin.nats.kv.Get",
          `url: ${NATS_URL}\nbucketName: ${bucket}nope\nkeys: [a]`,
        ),
      );
      expect(missing.state.current).toBe("FAILED");
      expect(errorText(test, missing.id)).toContain(`NATS: key-value bucket '${bucket}nope' cannot be opened`);
    } finally {
      const { connect } = await import("nats");
      const nc = await connect({ servers: NATS_URL });
      await (await nc.jetstreamManager()).streams.delete(`KV_${bucket}`).catch(() => false);
      await nc.close();
    }
  });

  it("sends a request and outputs the reply; no responder leaves the response out", async () => {
    const subject = `req${Date.now().toString(36)}.quote`;
    const { connect } = await import("nats");
    const responder = await connect({ servers: NATS_URL });
    const sub = responder.subscribe(subject);
    void (async () => {
      for await (const m of sub) m.respond(`price for ${m.string()} (${m.headers?.get("who") ?? "-"})`);
    })();
    await responder.flush();
    try {
      const run = await test.run(
        taskFlow(
          "nats_request",
          "io.kestra.plugin.nats.core.Request",
          `url: ${NATS_URL}\nsubject: ${subject}\nfrom:\n  headers:\n    who: saker\n  data: A-1`,
        ),
      );
      expect(taskRun(run, "t").outputs).toEqual({ response: "price for A-1 (saker)" });
      const nobody = await test.run(
        taskFlow(
          "nats_request_nobody",
          "io.kestra.plugin.nats.core.Request",
          `url: ${NATS_URL}\nsubject: ${subject}.nobody\nfrom:\n  data: x\nrequestTimeout: PT1S`,
        ),
      );
      expect(nobody.state.current).toBe("SUCCESS");
      expect(taskRun(nobody, "t").outputs).toEqual({});
    } finally {
      await responder.close();
    }
  });

  it.runIf(existsSync(NATS_SERVER_BIN))("a listener whose server goes away fails with a clear error", async () => {
    const server = (await startJetStreamServer())!;
    try {
      const { connect } = await import("nats");
      const nc = await connect({ servers: server.url });
      const jsm = await nc.jetstreamManager();
      await jsm.streams.add({ name: "GONE", subjects: ["gone.>"] });
      let started = false;
      const listening = RealtimeTrigger.listen!(
        { url: server.url, subject: "gone.>", durableId: "gone", deliverPolicy: "All", batchSize: 10 },
        { signal: new AbortController().signal } as never,
        async () => {
          started = true;
        },
      );
      const outcome = listening.then(
        () => undefined,
        (error: unknown) => error as Error,
      );
      // Once the listener is waiting for messages (a pull request pending), stop the server under it.
      await eventually(
        async () => ((await jsm.consumers.info("GONE", "gone").catch(() => undefined))?.num_waiting ? true : undefined),
        10_000,
        "the listener to wait for messages",
      );
      await nc.close();
      await server.stop();
      expect((await outcome)?.message).toMatch(/^NATS: the connection to nats:\/\/127\.0\.0\.1:\d+ was lost/);
      expect(started).toBe(false);
    } finally {
      await server.stop();
    }
  });

  it.runIf(existsSync(NATS_SERVER_BIN))("refuses wrong credentials without writing them anywhere", async () => {
    const server = (await startAuthServer())!;
    try {
      const host = server.url.replace("nats://", "");
      const wrong = await test.run(
        taskFlow(
          "nats_wrong",
          "io.kestra.plugin.nats.core.Produce",
          `url: ${server.url}\nusername: user\npassword: wr0ngpassword\nsubject: x\nfrom:\n  data: x`,
        ),
      );
      expect(wrong.state.current).toBe("FAILED");
      expect(errorText(test, wrong.id)).toMatch(/NATS: nats:\/\/127\.0\.0\.1:\d+ refused the credentials/);
      const inUrl = await test.run(
        taskFlow(
          "nats_wrong_url",
          "io.kestra.plugin.nats.core.Produce",
          `url: nats://user:urlpassw0rd@${host}\nsubject: x\nfrom:\n  data: x`,
        ),
      );
      expect(inUrl.state.current).toBe("FAILED");
      const right = await test.run(
        taskFlow(
          "nats_right",
          "io.kestra.plugin.nats.core.Produce",
          `url: nats://user:s3cretpw@${host}\nsubject: x\nfrom:\n  data: x`,
        ),
      );
      expect(right.state.current).toBe("SUCCESS");
      const logs = allLogText(test);
      expect(logs).not.toContain("wr0ngpassword");
      expect(logs).not.toContain("urlpassw0rd");
      expect(JSON.stringify(inUrl)).not.toContain("urlpassw0rd");
    } finally {
      await server.stop();
    }
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
