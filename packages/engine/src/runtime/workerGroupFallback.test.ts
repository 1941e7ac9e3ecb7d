/**
 * Kestra's `workerGroup.fallback` on a PostgreSQL cluster: a task of a worker group that no live
 * worker serves fails (FAIL), is cancelled (CANCEL) or waits for a worker of the group (WAIT, the
 * default), decided by the liveness checks. The property is validated on both backends.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PostgresBackend } from "../backend/postgres/postgresBackend.ts";
import { createTestDatabase, type TestDatabase } from "../backend/postgres/testDatabase.ts";
import { serviceAvailable } from "../testing/services.ts";
import { eventually, openTestInstance, taskRun, type TestInstance } from "../testing/testInstance.ts";

const up = await serviceAvailable("PostgreSQL", "127.0.0.1", 5432);

const flow = (id: string, fallback?: string) => `id: ${id}
namespace: company.groups
tasks:
  - id: gpu
    type: io.kestra.plugin.core.log.Log
    message: on a GPU
    workerGroup:
      key: gpu${fallback ? `\n      fallback: ${fallback}` : ""}
`;

describe("workerGroup.fallback is validated", () => {
  it("accepts FAIL, WAIT and CANCEL and refuses anything else", async () => {
    const test = await openTestInstance({ executor: false, worker: false });
    try {
      for (const fallback of ["FAIL", "WAIT", "CANCEL"])
        expect(test.instance.flows.validate(flow(`f${fallback}`, fallback)).id).toBe(`f${fallback}`);
      expect(() => test.instance.flows.validate(flow("bad", "RETRY"))).toThrow(/fallback/);
    } finally {
      await test.close();
    }
  });
});

describe.skipIf(!up)("workerGroup.fallback on a PostgreSQL cluster", () => {
  let database: TestDatabase;
  let main: TestInstance;
  const overrides = () => ({
    database: { type: "postgres", url: database.url },
    server: { liveness: { interval: "PT1S", initialDelay: "PT1S" } },
  });

  beforeAll(async () => {
    database = await createTestDatabase();
    // an executor and a worker without a group: nobody serves the group `gpu`
    main = await openTestInstance({ overrides: overrides() });
    for (const [id, fallback] of [
      ["fails", "FAIL"],
      ["cancels", "CANCEL"],
      ["waits", "WAIT"],
      ["waitsByDefault", undefined],
    ] as const)
      await main.instance.deploy(flow(id, fallback));
  }, 60_000);
  afterAll(async () => {
    await main?.close();
    await database?.drop();
  });

  const queuedJobs = async (executionId: string) =>
    Number(
      (
        await (main.instance.backend as PostgresBackend).pool.query<{ n: string }>(
          "SELECT count(*) AS n FROM queue WHERE topic = 'worker' AND key = $1",
          [executionId],
        )
      ).rows[0]!.n,
    );

  it("fails or cancels the task runs of FAIL and CANCEL, and keeps WAIT's until a worker of the group starts", async () => {
    const waiting = await main.instance.createExecution("company.groups", "waits");
    const waitingByDefault = await main.instance.createExecution("company.groups", "waitsByDefault");
    await eventually(async () => ((await queuedJobs(waiting.id)) === 1 ? true : undefined), 20_000, "WAIT's job");
    await eventually(
      async () => ((await queuedJobs(waitingByDefault.id)) === 1 ? true : undefined),
      20_000,
      "the default's job",
    );

    const failing = await main.instance.createExecution("company.groups", "fails");
    const cancelled = await main.instance.createExecution("company.groups", "cancels");
    const failed = await main.instance.waitForSettled(failing.id, 30_000);
    expect(failed.state.current).toBe("FAILED");
    expect(taskRun(failed, "gpu").state.current).toBe("FAILED");
    const logs = await main.instance.backend.logs.find({ executionId: failing.id, minLevel: "ERROR" });
    expect(logs.map((l) => l.message)).toEqual([expect.stringContaining("No worker of worker group 'gpu' is alive")]);
    const ended = await main.instance.waitForSettled(cancelled.id, 30_000);
    expect(taskRun(ended, "gpu").state.current).toBe("CANCELLED");

    // the check that ended those saw the WAIT jobs too, and left them
    expect(await queuedJobs(waiting.id)).toBe(1);
    expect(await queuedJobs(waitingByDefault.id)).toBe(1);
    expect((await main.instance.backend.executions.status(waiting.id))?.state).toBe("RUNNING");

    // a worker of the group comes: the waiting task runs
    const gpu = await openTestInstance({
      home: main.home,
      overrides: { ...overrides(), server: { ...overrides().server, workerGroup: "gpu" } },
      executor: false,
    });
    try {
      expect((await main.instance.waitForSettled(waiting.id, 30_000)).state.current).toBe("SUCCESS");
      expect((await main.instance.waitForSettled(waitingByDefault.id, 30_000)).state.current).toBe("SUCCESS");
    } finally {
      await gpu.close();
    }
  }, 120_000);
});
