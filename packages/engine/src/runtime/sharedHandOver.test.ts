/**
 * The executor's in-memory hand-over to the worker of its process on a shared database
 * (PostgreSQL): a job of a worker group the local worker does not serve is queued for a worker of
 * that group, never run here.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { PostgresBackend } from "../backend/postgres/postgresBackend.ts";
import { openTestInstance, type TestInstance, testBackend } from "../testing/testInstance.ts";

let test: TestInstance | undefined;
afterEach(async () => {
  await test?.close();
  test = undefined;
});

const FLOW = `id: grouped
namespace: unit.handover
tasks:
  - id: here
    type: io.kestra.plugin.core.debug.Return
    format: "here"
  - id: gpu
    type: io.kestra.plugin.core.debug.Return
    format: "on a GPU"
    workerGroup:
      key: gpu
`;

describe.skipIf(testBackend() !== "postgres")("the hand-over to this process's worker on a shared database", () => {
  it("queues a job of a worker group this process's worker is not in", async () => {
    test = await openTestInstance();
    const { instance } = test;
    const { flow } = await instance.deploy(FLOW);
    const created = await instance.createExecution(flow.namespace, flow.id);
    const pool = (instance.backend as PostgresBackend).pool;
    const queued = async () =>
      (
        await pool.query<{ claimed_by: string | null }>(
          "SELECT claimed_by FROM queue WHERE topic = 'worker' AND key = $1",
          [created.id],
        )
      ).rows;
    // the ungrouped task ran here (its job's row, claimed by this process, may show for as long as
    // it runs past its step's commit); the grouped one waits in the queue, claimed by nobody
    const ranHere = async () =>
      (await instance.getExecution(created.id)).taskRunList.find((r) => r.taskId === "here")?.state.current ===
      "SUCCESS";
    const deadline = Date.now() + 20_000;
    while (!((await ranHere()) && (await queued()).length > 0) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(await queued()).toEqual([{ claimed_by: null }]);
    const running = await instance.getExecution(created.id);
    expect(running.state.current).toBe("RUNNING");
    expect(running.taskRunList.map((r) => [r.taskId, r.state.current])).toEqual([
      ["here", "SUCCESS"],
      ["gpu", "CREATED"],
    ]);
  });
});
