// The two workloads of bench/peers.bench.mjs on each job queue. Lives in bench/peers/ so that
// its imports resolve to bench/peers/node_modules (installed on demand, never by the root npm ci).
//   burst: `burst` one-step jobs submitted at once; ms until the last one's handler has returned.
//   chain: `chain` dependent steps, each enqueued when the previous one finishes; ms until the last.
// The burst's CPU time is measured too: this process's and its server's (redis-server, postgres).
// Every queue gets 8 concurrent handlers, Saker's default worker concurrency on this machine.
// Each run uses fresh queue names / a fresh schema, removed at the end.

import { cpuMeter } from "../lib/cpu.mjs";

export const CONCURRENCY = 8;
const REDIS = { host: "127.0.0.1", port: 6379, maxRetriesPerRequest: null };
const PG = process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** Resolves once `n` calls of the returned `tick` have happened. */
function countdown(n) {
  let left = n;
  let done;
  const finished = new Promise((resolve) => (done = resolve));
  return {
    finished,
    tick() {
      if (--left === 0) done();
    },
  };
}

const tag = () => `${process.pid}_${Math.random().toString(36).slice(2, 8)}`;

/** BullMQ on Redis: addBulk for the burst; a FlowProducer tree `chain` deep for the chain. */
export async function bullmq({ burst, chain }) {
  const { Queue, Worker, FlowProducer } = await import("bullmq");
  const name = `saker-bench-${tag()}`;
  const queue = new Queue(name, { connection: REDIS });
  let counter;
  const worker = new Worker(name, async (job) => ({ value: job.data.i }), {
    connection: REDIS,
    concurrency: CONCURRENCY,
  });
  worker.on("completed", () => counter?.tick());
  await worker.waitUntilReady();
  const flows = new FlowProducer({ connection: REDIS });
  try {
    counter = countdown(burst);
    const cpu = cpuMeter("redis-server");
    let t0 = performance.now();
    await queue.addBulk(Array.from({ length: burst }, (_, i) => ({ name: "one", data: { i } })));
    await counter.finished;
    const burstMs = performance.now() - t0;
    const burstCpu = cpu();

    // The root is the last step: BullMQ moves a parent to the wait list once its child completes.
    let tree = { name: "step", queueName: name, data: { i: chain - 1 } };
    for (let i = chain - 2; i >= 0; i--) tree = { name: "step", queueName: name, data: { i }, children: [tree] };
    counter = countdown(chain);
    t0 = performance.now();
    await flows.add(tree);
    await counter.finished;
    const chainMs = performance.now() - t0;
    return { burstMs, chainMs, burstCpu };
  } finally {
    await worker.close();
    await flows.close();
    await queue.obliterate({ force: true });
    await queue.close();
  }
}

/**
 * pg-boss on PostgreSQL, in its own schema. pg-boss polls (0.5 s at the least); each handler
 * wakes its own worker again (`notifyWorker`) after a full batch so that a backlog is drained
 * without waiting, and the chain's handler wakes the workers after sending the next step.
 * The burst is fetched in batches of 25 (1 for the chain).
 */
export async function pgboss({ burst, chain }) {
  const { default: PgBoss } = await import("pg-boss");
  const schema = `pgboss_bench_${tag()}`;
  const boss = new PgBoss({ connectionString: PG, schema, max: CONCURRENCY + 2, supervise: false, schedule: false });
  boss.on("error", (error) => process.stderr.write(`pg-boss: ${error.message}\n`));
  await boss.start();
  try {
    await boss.createQueue("burst");
    await boss.createQueue("step");
    const counter = countdown(burst);
    const batchSize = 25;
    const ids = [];
    for (let w = 0; w < CONCURRENCY; w++) {
      const id = await boss.work("burst", { batchSize, pollingIntervalSeconds: 0.5 }, async (jobs) => {
        for (let i = 0; i < jobs.length; i++) counter.tick();
        if (jobs.length === batchSize) boss.notifyWorker(id);
        return jobs.map((j) => ({ value: j.data.i }));
      });
      ids.push(id);
    }
    const cpu = cpuMeter("postgres");
    let t0 = performance.now();
    await boss.insert(Array.from({ length: burst }, (_, i) => ({ name: "burst", data: { i } })));
    for (const id of ids) boss.notifyWorker(id);
    await counter.finished;
    const burstMs = performance.now() - t0;
    const burstCpu = cpu();

    const steps = countdown(chain);
    const stepWorkers = [];
    for (let w = 0; w < CONCURRENCY; w++)
      stepWorkers.push(
        await boss.work("step", { batchSize: 1, pollingIntervalSeconds: 0.5 }, async ([job]) => {
          const i = job.data.i;
          if (i + 1 < chain) {
            await boss.send("step", { i: i + 1 });
            for (const id of stepWorkers) boss.notifyWorker(id);
          }
          steps.tick();
          return { value: i };
        }),
      );
    t0 = performance.now();
    await boss.send("step", { i: 0 });
    for (const id of stepWorkers) boss.notifyWorker(id);
    await steps.finished;
    const chainMs = performance.now() - t0;
    return { burstMs, chainMs, burstCpu };
  } finally {
    await boss.stop({ graceful: false, wait: true, timeout: 2000 }).catch(() => undefined);
    await dropSchema(schema);
  }
}

/** graphile-worker on PostgreSQL (LISTEN/NOTIFY), in its own schema. */
export async function graphile({ burst, chain }) {
  const { run, makeWorkerUtils } = await import("graphile-worker");
  const schema = `gw_bench_${tag()}`;
  let counter;
  let utils;
  const runner = await run({
    connectionString: PG,
    schema,
    concurrency: CONCURRENCY,
    noHandleSignals: true,
    pollInterval: 2000,
    logger: quietLogger(await import("graphile-worker")),
    taskList: {
      one: async (payload) => {
        counter.tick();
        return { value: payload.i };
      },
      step: async (payload, helpers) => {
        if (payload.i + 1 < chain) await helpers.addJob("step", { i: payload.i + 1 });
        counter.tick();
      },
    },
  });
  try {
    utils = await makeWorkerUtils({ connectionString: PG, schema });
    counter = countdown(burst);
    const cpu = cpuMeter("postgres");
    let t0 = performance.now();
    await utils.addJobs(Array.from({ length: burst }, (_, i) => ({ identifier: "one", payload: { i } })));
    await counter.finished;
    const burstMs = performance.now() - t0;
    const burstCpu = cpu();

    counter = countdown(chain);
    t0 = performance.now();
    await utils.addJob("step", { i: 0 });
    await counter.finished;
    const chainMs = performance.now() - t0;
    return { burstMs, chainMs, burstCpu };
  } finally {
    await runner.stop();
    await utils?.release();
    await dropSchema(schema);
  }
}

function quietLogger({ Logger }) {
  return new Logger(() => (level, message) => {
    if (level === "error") process.stderr.write(`graphile-worker: ${message}\n`);
  });
}

async function dropSchema(schema) {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: PG });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

export const PEERS = { bullmq, pgboss, graphile };
