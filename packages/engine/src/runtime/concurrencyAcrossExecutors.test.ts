/**
 * A flow's concurrency limit on a PostgreSQL cluster: two processes, each with an executor and a
 * worker, start (or restart) executions of the same flow at once. The limit holds across them:
 * never more executions RUNNING than the limit, and the queued ones all run in the end.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngineApi } from "../api/index.ts";
import type { PostgresBackend } from "../backend/postgres/postgresBackend.ts";
import type { Execution } from "../model/execution.ts";
import { serviceAvailable } from "../testing/services.ts";
import { openOnPostgres, type PostgresInstances, type TestInstance } from "../testing/testInstance.ts";

const up = await serviceAvailable("PostgreSQL", "127.0.0.1", 5432);

const LIMITED = `id: limited
namespace: limits
concurrency:
  limit: 1
  behavior: QUEUE
tasks:
  - id: nap
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT0.3S
`;

/** Fails at once while the KV entry `mode` is `fail`; restarted from there, it naps. */
const RESTARTED = `id: restarted
namespace: limits
concurrency:
  limit: 1
  behavior: QUEUE
tasks:
  - id: check
    type: io.kestra.plugin.core.execution.Fail
    condition: "{{ kv('mode') == 'fail' }}"
  - id: nap
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT0.3S
`;

/** The most executions of `flowId` seen RUNNING at once (read every 20 ms) while `during` runs. */
async function mostRunning(test: TestInstance, flowId: string, during: () => Promise<void>): Promise<number> {
  const pool = (test.instance.backend as PostgresBackend).pool;
  let most = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const { rows } = await pool.query<{ n: string }>(
        "SELECT count(*) AS n FROM executions WHERE flow_id = $1 AND state = 'RUNNING'",
        [flowId],
      );
      most = Math.max(most, Number(rows[0]!.n));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  try {
    await during();
  } finally {
    sampling = false;
    await sampler;
  }
  return most;
}

describe.skipIf(!up)("a concurrency limit across two executors", () => {
  let cluster: PostgresInstances;
  let a: TestInstance;
  let b: TestInstance;

  beforeAll(async () => {
    cluster = await openOnPostgres({}, {});
    [a, b] = cluster.instances as [TestInstance, TestInstance];
    await a.instance.deploy(LIMITED);
    await a.instance.deploy(RESTARTED);
  }, 60_000);
  afterAll(async () => {
    await cluster?.close();
  });

  it("never runs more than the limit at once, and runs every queued execution in the end", async () => {
    const most = await mostRunning(a, "limited", async () => {
      for (let round = 0; round < 3; round++) {
        // each process hands its own executions to its own executor, both at once
        const created = await Promise.all(
          [a, b, a, b].map((test) => test.instance.createExecution("limits", "limited")),
        );
        const ended = await Promise.all(created.map((x) => a.instance.waitForEnd(x.id, 30_000)));
        expect(ended.map((x) => x.state.current)).toEqual(["SUCCESS", "SUCCESS", "SUCCESS", "SUCCESS"]);
      }
    });
    expect(most).toBe(1);
  }, 120_000);

  it("holds for executions restarted after they failed, on both processes at once", async () => {
    const kv = createEngineApi(a.instance).kv.of("limits");
    await kv.set("mode", "fail");
    const failed: Execution[] = [];
    for (let i = 0; i < 6; i++) {
      const x = await a.instance.createExecution("limits", "restarted");
      failed.push(await a.instance.waitForEnd(x.id, 30_000));
    }
    expect(failed.map((x) => x.state.current)).toEqual(Array(6).fill("FAILED"));
    await kv.set("mode", "pass");
    const most = await mostRunning(a, "restarted", async () => {
      await Promise.all(failed.map((x, i) => (i % 2 ? b : a).instance.restart(x.id)));
      const ended = await Promise.all(failed.map((x) => a.instance.waitForEnd(x.id, 30_000)));
      expect(ended.map((x) => x.state.current)).toEqual(Array(6).fill("SUCCESS"));
    });
    expect(most).toBe(1);
  }, 120_000);
});
