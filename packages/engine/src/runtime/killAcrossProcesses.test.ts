/**
 * A kill on a PostgreSQL cluster reaches the worker of another process by a notification, which
 * may be lost (a listener reconnecting): the worker also reads its running jobs' executions at
 * each of the notifier's polls, and stops the jobs of an execution being killed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngineApi } from "../api/index.ts";
import type { PostgresNotifier } from "../backend/postgres/postgresNotifier.ts";
import { serviceAvailable } from "../testing/services.ts";
import { eventually, openOnPostgres, type PostgresInstances, type TestInstance } from "../testing/testInstance.ts";

const up = await serviceAvailable("PostgreSQL", "127.0.0.1", 5432);

const SLEEPY = `id: sleepy
namespace: kills
tasks:
  - id: nap
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT60S
`;

describe.skipIf(!up)("a kill whose notification the worker of another process never hears", () => {
  let cluster: PostgresInstances;
  /** The executor's process (no worker) and the worker's (no executor). */
  let boss: TestInstance;
  let runner: TestInstance;

  beforeAll(async () => {
    cluster = await openOnPostgres({ worker: false }, { executor: false });
    [boss, runner] = cluster.instances as [TestInstance, TestInstance];
    await boss.instance.deploy(SLEEPY);
  }, 60_000);
  afterAll(async () => {
    await cluster?.close();
  });

  it("stops the task at the worker's next poll: the execution ends KILLED, not after the sleep", async () => {
    const api = createEngineApi(boss.instance);
    const { id } = await api.executions.create("kills", "sleepy");
    await eventually(
      async () => ((await api.executions.get(id)).taskRunList[0]?.state.current === "RUNNING" ? true : undefined),
      15_000,
      "the nap to run on the other process's worker",
    );
    // the worker's process hears nothing from now on, as when its listener missed a notification
    await (runner.instance.backend.notifier as PostgresNotifier).listener!.query("UNLISTEN *");
    const killedAt = Date.now();
    await api.executions.kill(id);
    const ended = await boss.instance.waitForEnd(id, 15_000);
    expect(ended.state.current).toBe("KILLED");
    expect(ended.taskRunList[0]!.state.current).toBe("KILLED");
    // a poll or two (1 s each, and the executor's own), far from the 60 s of the sleep
    expect(Date.now() - killedAt).toBeLessThan(10_000);
  });
});
