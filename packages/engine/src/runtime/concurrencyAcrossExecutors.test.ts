/**
 * A flow's concurrency limit on a PostgreSQL cluster: two processes, each with an executor and a
 * worker, start executions of the same flow at once, each handing its own to its own executor.
 * The limit holds across them: never more executions RUNNING than the limit, and the queued ones
 * all run in the end.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PostgresBackend } from "../backend/postgres/postgresBackend.ts";
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

describe.skipIf(!up)("a concurrency limit across two executors", () => {
  let cluster: PostgresInstances;
  let a: TestInstance;
  let b: TestInstance;

  beforeAll(async () => {
    cluster = await openOnPostgres({}, {});
    [a, b] = cluster.instances as [TestInstance, TestInstance];
    await a.instance.deploy(LIMITED);
  }, 60_000);
  afterAll(async () => {
    await cluster?.close();
  });

  it("never runs more than the limit at once, and runs every queued execution in the end", async () => {
    const pool = (a.instance.backend as PostgresBackend).pool;
    let most = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const { rows } = await pool.query<{ n: string }>(
          "SELECT count(*) AS n FROM executions WHERE flow_id = 'limited' AND state = 'RUNNING'",
        );
        most = Math.max(most, Number(rows[0]!.n));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    try {
      for (let round = 0; round < 3; round++) {
        // each process hands its own executions to its own executor, both at once
        const created = await Promise.all(
          [a, b, a, b].map((test) => test.instance.createExecution("limits", "limited")),
        );
        const ended = await Promise.all(created.map((x) => a.instance.waitForEnd(x.id, 30_000)));
        expect(ended.map((x) => x.state.current)).toEqual(["SUCCESS", "SUCCESS", "SUCCESS", "SUCCESS"]);
      }
    } finally {
      sampling = false;
      await sampler;
    }
    expect(most).toBe(1);
  }, 120_000);
});
