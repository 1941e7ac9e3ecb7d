#!/usr/bin/env node
// Messaging realtime benchmark: N messages (default 10,000) from publish to started execution
// through the NATS JetStream and Redis list realtime triggers of @saker/plugin-messaging, on the
// embedded engine (SQLite, local storage), next to the raw broker round trip of the same N
// messages (publish → consume, acknowledging each) in the same run. Each message carries its
// publish time: the latency of a message is its execution's creation time minus that (raw: the
// time it was received). Messages are published in one burst, so the median latency is mostly
// queueing; the rates (messages per second, first publish to last execution) compare best.
// Not a test. Takes about a minute on 2 cores: not in the quick set (npm run bench).
//   npm run build && node bench/messaging-realtime.bench.mjs
// Needs NATS with JetStream on 127.0.0.1:4222 and Redis on 127.0.0.1:6379. BENCH_MESSAGES to change N.
import { mkdtempSync, rmSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AckPolicy, connect } from "nats";
import { Redis } from "ioredis";
import messaging from "../plugins/messaging/dist/index.js";
import { loadConfig } from "../packages/engine/dist/runtime/config.js";
import { Instance } from "../packages/engine/dist/runtime/instance.js";
import { coreRegistry } from "../packages/engine/dist/runtime/registryLoader.js";
import { fmt, median, percentile } from "./lib/harness.mjs";

const N = Number(process.env.BENCH_MESSAGES ?? 10_000);
const NATS_URL = "nats://127.0.0.1:4222";
const REDIS_URL = "redis://127.0.0.1:6379/0";
const NAMESPACE = "bench.messaging";

/** Publishes N messages carrying their publish time, at most 500 awaiting their acknowledgement at once. */
async function publishTimestamps(js, subject) {
  for (let sent = 0; sent < N;) {
    const window = Math.min(500, N - sent);
    await Promise.all(Array.from({ length: window }, () => js.publish(subject, String(Date.now()))));
    sent += window;
  }
}

/** Rate, median and p95 of one run: `latencies` in ms, `totalMs` from the first publish to the last arrival. */
function summary(latencies, totalMs) {
  return { rate: (latencies.length / totalMs) * 1000, p50: median(latencies), p95: percentile(latencies, 95), totalMs };
}

async function waitUntil(probe, timeoutMs, what) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// --- raw round trips ---------------------------------------------------------------------------

async function rawNats() {
  const id = randomUUID().slice(0, 8);
  const nc = await connect({ servers: NATS_URL });
  const jsm = await nc.jetstreamManager();
  await jsm.streams.add({ name: `BENCHRAW${id}`, subjects: [`benchraw${id}.>`] });
  await jsm.consumers.add(`BENCHRAW${id}`, { durable_name: "raw", ack_policy: AckPolicy.Explicit });
  const js = nc.jetstream();
  const consumer = await js.consumers.get(`BENCHRAW${id}`, "raw");
  const latencies = [];
  const messages = await consumer.consume({ max_messages: 100 });
  const received = (async () => {
    for await (const m of messages) {
      latencies.push(Date.now() - Number(m.string()));
      m.ack();
      if (latencies.length === N) break;
    }
  })();
  const start = Date.now();
  await publishTimestamps(js, `benchraw${id}.x`);
  await received;
  const result = summary(latencies, Date.now() - start);
  await jsm.streams.delete(`BENCHRAW${id}`);
  await nc.close();
  return result;
}

async function rawRedis() {
  const key = `bench:raw:${randomUUID().slice(0, 8)}`;
  const producer = new Redis(REDIS_URL);
  const consumer = new Redis(REDIS_URL);
  const latencies = [];
  const received = (async () => {
    while (latencies.length < N) {
      const text = await consumer.blmove(key, `${key}:processing`, "RIGHT", "LEFT", 1);
      if (text === null) continue;
      latencies.push(Date.now() - Number(text));
      await consumer.lrem(`${key}:processing`, -1, text);
    }
  })();
  const start = Date.now();
  const pipeline = producer.pipeline();
  for (let i = 0; i < N; i++) pipeline.lpush(key, String(Date.now()));
  await pipeline.exec();
  await received;
  const result = summary(latencies, Date.now() - start);
  await producer.del(key, `${key}:processing`);
  producer.disconnect();
  consumer.disconnect();
  return result;
}

// --- through Saker -----------------------------------------------------------------------------

/** Deploys a flow with the trigger, waits for its listener, publishes N messages and waits for N executions. */
async function throughSaker(instance, flowId, trigger, publishAll) {
  await instance.deploy(`id: ${flowId}
namespace: ${NAMESPACE}
tasks:
  - id: got
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.data ?? trigger.value }}"
triggers:
  - id: watch
${trigger}
`);
  const tenantId = instance.config.tenantId;
  const count = () => instance.executions.search({ tenantId, namespace: NAMESPACE, flowId, size: 1 }).total;
  await waitUntil(() => instance.scheduler.realtime.size > 0, 10_000, "the listener");
  await new Promise((r) => setTimeout(r, 500));
  const start = Date.now();
  await publishAll();
  let lastReport = Date.now();
  await waitUntil(
    () => {
      const n = count();
      if (Date.now() - lastReport > 10_000) {
        lastReport = Date.now();
        process.stderr.write(`  … ${flowId}: ${n}/${N} executions after ${fmt((Date.now() - start) / 1000, 0)} s\n`);
      }
      return n >= N;
    },
    3_600_000,
    `${N} executions of ${flowId}`,
  );
  const totalMs = Date.now() - start;
  const executions = instance.executions.search({ tenantId, namespace: NAMESPACE, flowId, size: N }).results;
  const latencies = executions.map((x) => {
    const sent = Number(x.trigger?.variables?.data ?? x.trigger?.variables?.value);
    return new Date(x.state.histories[0].date).getTime() - sent;
  });
  instance.triggers.setDisabled(tenantId, { namespace: NAMESPACE, flowId, triggerId: "watch" }, true);
  await waitUntil(() => instance.scheduler.realtime.size === 0, 10_000, "the listener to stop");
  return summary(latencies, totalMs);
}

async function sakerNats(instance) {
  const id = randomUUID().slice(0, 8);
  const nc = await connect({ servers: NATS_URL });
  const jsm = await nc.jetstreamManager();
  await jsm.streams.add({ name: `BENCHSAKER${id}`, subjects: [`benchsaker${id}.>`] });
  const js = nc.jetstream();
  try {
    return await throughSaker(
      instance,
      "nats_realtime",
      `    type: io.kestra.plugin.nats.core.RealtimeTrigger\n    url: ${NATS_URL}\n    subject: benchsaker${id}.>\n    durableId: bench`,
      () => publishTimestamps(js, `benchsaker${id}.x`),
    );
  } finally {
    await jsm.streams.delete(`BENCHSAKER${id}`);
    await nc.close();
  }
}

async function sakerRedis(instance) {
  const key = `bench:saker:${randomUUID().slice(0, 8)}`;
  const producer = new Redis(REDIS_URL);
  try {
    return await throughSaker(
      instance,
      "redis_realtime",
      `    type: io.kestra.plugin.redis.list.RealtimeTrigger\n    url: ${REDIS_URL}\n    key: ${key}`,
      async () => {
        const pipeline = producer.pipeline();
        // RPUSH: the trigger pops from the head, so the oldest message comes first.
        for (let i = 0; i < N; i++) pipeline.rpush(key, String(Date.now()));
        await pipeline.exec();
      },
    );
  } finally {
    await producer.del(key);
    producer.disconnect();
  }
}

// --- run ---------------------------------------------------------------------------------------

const home = mkdtempSync(join(tmpdir(), "saker-bench-messaging-"));
const registry = coreRegistry();
registry.addPlugin({ name: "@saker/plugin-messaging", version: "1.0.0", core: false }, messaging);
const instance = await Instance.open(loadConfig({ env: {}, overrides: { home }, cwd: home }), {
  registry,
  scheduler: true,
});
try {
  const rows = [
    ["NATS JetStream", await rawNats(), await sakerNats(instance)],
    ["Redis list", await rawRedis(), await sakerRedis(instance)],
  ];
  console.log(
    `messaging realtime benchmark (${N.toLocaleString("en")} messages in one burst, embedded SQLite instance)`,
  );
  console.log("  broker          path                 msgs/s   latency p50   p95       total      rate ratio");
  for (const [broker, raw, saker] of rows) {
    const line = (path, r, ratio) =>
      `  ${broker.padEnd(15)} ${path.padEnd(20)} ${fmt(r.rate).padStart(7)}   ${`${fmt(r.p50)} ms`.padStart(11)}   ${`${fmt(r.p95)} ms`.padStart(9)} ${`${fmt(r.totalMs / 1000, 2)} s`.padStart(9)}  ${ratio}`;
    console.log(line("raw round trip", raw, ""));
    console.log(line("trigger→execution", saker, `raw is ${fmt(raw.rate / saker.rate, 1)}× faster`));
  }
} finally {
  await instance.close();
  rmSync(home, { recursive: true, force: true });
}
