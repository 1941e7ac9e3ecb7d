/**
 * An executor working through a backlog handed over in memory (a burst created by its own
 * process) still claims the rows other processes queued on the shared database meanwhile, and
 * steps them in the order they were queued: not after everything handed over later.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NOTIFY } from "../backend/notifier.ts";
import type { Execution } from "../model/execution.ts";
import { serviceAvailable } from "../testing/services.ts";
import { logTaskItems, openCluster, type TestCluster } from "../testing/testInstance.ts";

const up = await serviceAvailable("PostgreSQL", "127.0.0.1", 5432);

describe.skipIf(!up)("an executor's backlog on PostgreSQL", () => {
  let cluster: TestCluster | undefined;

  beforeAll(async () => {
    cluster = await openCluster({ executor: { fetchLimit: 5 } });
  }, 60_000);
  afterAll(async () => {
    await cluster?.close();
  });

  it("steps an execution queued by another process ahead of most of the burst handed over after it", async () => {
    const { runner, api } = cluster!;
    const { instance } = runner;
    const { flow } = await instance.deploy(`id: backlog\nnamespace: unit.backlog\ntasks:\n${logTaskItems(1)}`);
    const ended: string[] = [];
    const off = instance.backend.notifier.on(NOTIFY.executionEnd, (x) => {
      if ((x as Execution).flowId === "backlog") ended.push((x as Execution).id);
    });
    try {
      const start = (n: number) =>
        Promise.all(Array.from({ length: n }, () => instance.createExecution(flow.namespace, flow.id)));
      const before = await start(100);
      // queued by the other process (a row, not handed over), then a second burst of this one's
      const queued = await api.instance.createExecution(flow.namespace, flow.id);
      const after = await start(100);
      for (const x of [...before, queued, ...after])
        expect((await instance.waitForEnd(x.id, 30_000)).state.current).toBe("SUCCESS");
      const at = ended.indexOf(queued.id);
      expect(at).toBeGreaterThanOrEqual(0);
      const endedAfterIt = new Set(ended.slice(at + 1));
      // claimed while the backlog lasted and stepped in queue order: ahead of most of the second burst
      expect(after.filter((x) => endedAfterIt.has(x.id)).length).toBeGreaterThan(50);
    } finally {
      off();
    }
  }, 60_000);
});
