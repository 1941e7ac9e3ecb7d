import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { LocalNotifier, NOTIFY } from "../backend/notifier.ts";
import type { Execution } from "../model/execution.ts";
import { InstanceEventsFacade } from "../runtime/instanceEvents.ts";
import {
  openOnPostgres,
  openTestInstance,
  type PostgresInstances,
  type TestInstance,
} from "../testing/testInstance.ts";
import { createEngineApi, type EngineApi } from "./index.ts";
import { ExecutionWaiters } from "../runtime/executionWaiters.ts";
import type { PostgresBackend } from "../backend/postgres/postgresBackend.ts";
import { serviceAvailable } from "../testing/services.ts";

const postgresUp = await serviceAvailable("PostgreSQL", "127.0.0.1", 5432);

describe("ExecutionWaiters", () => {
  it("calls only the waiters of the notified execution, and leaves the bus once the last stops", () => {
    const notifier = new LocalNotifier();
    const events = new InstanceEventsFacade(notifier);
    const waiters = new ExecutionWaiters(events);
    const heard: string[] = [];
    const stopA1 = waiters.watch("a", (x) => heard.push(`a1:${x.state.current}`));
    const stopA2 = waiters.watch("a", (x) => heard.push(`a2:${x.state.current}`));
    const stopB = waiters.watch("b", (x) => heard.push(`b:${x.state.current}`));
    expect(waiters.size).toBe(3);
    expect(events.listenerCount("execution")).toBe(1);
    notifier.notify(NOTIFY.execution, { id: "a", state: { current: "RUNNING" } });
    notifier.notify(NOTIFY.execution, { id: "c", state: { current: "RUNNING" } });
    expect(heard).toEqual(["a1:RUNNING", "a2:RUNNING"]);
    stopA1();
    stopA1(); // a second stop changes nothing
    notifier.notify(NOTIFY.execution, { id: "a", state: { current: "SUCCESS" } } as Execution);
    expect(heard).toEqual(["a1:RUNNING", "a2:RUNNING", "a2:SUCCESS"]);
    expect(waiters.size).toBe(2);
    stopA2();
    stopB();
    expect(waiters.size).toBe(0);
    expect(events.listenerCount("execution")).toBe(0);
  });

  it("lets a waiter stop from its own call without skipping the others", () => {
    const notifier = new LocalNotifier();
    const waiters = new ExecutionWaiters(new InstanceEventsFacade(notifier));
    const heard: string[] = [];
    const stop1 = waiters.watch("a", () => {
      heard.push("1");
      stop1();
    });
    waiters.watch("a", () => heard.push("2"));
    notifier.notify(NOTIFY.execution, { id: "a" });
    notifier.notify(NOTIFY.execution, { id: "a" });
    expect(heard).toEqual(["1", "2", "2"]);
  });
});

describe("executions.untilSettledOrAborted on a real instance", () => {
  let test: TestInstance;
  let api: EngineApi;

  beforeAll(async () => {
    test = await openTestInstance();
    api = createEngineApi(test.instance);
    await test.instance.deploy(
      "id: slow\nnamespace: waits\ntasks:\n  - id: sleep\n    type: io.kestra.plugin.core.flow.Sleep\n    duration: PT60S\n",
    );
    await test.instance.deploy(
      'id: quick\nnamespace: waits\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.debug.Return\n    format: "1"\n  - id: b\n    type: io.kestra.plugin.core.debug.Return\n    format: "2"\n',
    );
    await test.instance.deploy(
      "id: paused\nnamespace: waits\ntasks:\n  - id: wait\n    type: io.kestra.plugin.core.flow.Pause\n",
    );
  });
  afterAll(async () => {
    await test?.close();
  });

  it("resolves with the ended execution and removes its waiter", async () => {
    const created = await api.executions.create("waits", "quick");
    const ended = api.executions.settledOrAborted(created.id, new AbortController().signal);
    expect(api.executions.waiters.size).toBe(1);
    expect((await ended).state.current).toBe("SUCCESS");
    expect(api.executions.waiters.size).toBe(0);
    expect(test.instance.events.listenerCount("execution")).toBe(0);
  });

  it("is settled by the notified end: the state is read when the wait starts, not again at the end", async () => {
    const reads = vi.spyOn(api.executions, "status");
    try {
      const created = await api.executions.create("waits", "quick");
      const ends = test.instance.events.listenerCount("execution:end");
      const waiting = api.executions.untilSettledOrAborted(created.id, new AbortController().signal);
      expect(test.instance.events.listenerCount("execution:end")).toBe(ends + 1);
      await waiting;
      expect((await api.executions.status(created.id))?.finished).toBe(true);
      // one read when the wait started, and the one above
      expect(reads.mock.calls.filter(([id]) => id === created.id)).toHaveLength(2);
      expect(test.instance.events.listenerCount("execution:end")).toBe(ends);
    } finally {
      reads.mockRestore();
    }
  });

  it("resolves on a pause", async () => {
    const created = await api.executions.create("waits", "paused");
    const settled = await api.executions.settledOrAborted(created.id, new AbortController().signal);
    expect(settled.state.current).toBe("PAUSED");
    expect(api.executions.waiters.size).toBe(0);
    await api.executions.kill(created.id);
  });

  it("gives up when the signal aborts (the client went away) and removes its waiter", async () => {
    const created = await api.executions.create("waits", "slow");
    const abort = new AbortController();
    const waiting = api.executions.settledOrAborted(created.id, abort.signal);
    // the execution runs on: several notifications reach the waiter without settling it
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(api.executions.waiters.size).toBe(1);
    abort.abort();
    const asItIs = await waiting;
    expect(asItIs.state.current).toBe("RUNNING");
    expect(api.executions.waiters.size).toBe(0);
    expect(test.instance.events.listenerCount("execution")).toBe(0);
    await api.executions.kill(created.id);
  });

  it("answers EXECUTION_NOT_FOUND for an unknown execution, leaving no waiter", async () => {
    await expect(api.executions.untilSettledOrAborted("nope", new AbortController().signal)).rejects.toMatchObject({
      code: "EXECUTION_NOT_FOUND",
    });
    expect(api.executions.waiters.size).toBe(0);
  });
});

describe("instance.waitForEnd and waitForSettled on a real instance", () => {
  let test: TestInstance;

  beforeAll(async () => {
    test = await openTestInstance();
    test.instance.deploy(
      'id: quick\nnamespace: waits\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.debug.Return\n    format: "1"\n',
    );
  });
  afterAll(async () => {
    await test?.close();
  });

  it("many waits share one listener, and none is left once they resolve", async () => {
    const events = test.instance.events;
    const before = { end: events.listenerCount("execution:end"), change: events.listenerCount("execution") };
    const ids = [];
    for (let i = 0; i < 50; i++) ids.push((await test.instance.createExecution("waits", "quick")).id);
    const ends = ids.map((id) => test.instance.waitForEnd(id, 30_000));
    const settled = ids.map((id) => test.instance.waitForSettled(id, 30_000));
    expect(events.listenerCount("execution:end")).toBeLessThanOrEqual(before.end + 1);
    expect(events.listenerCount("execution")).toBeLessThanOrEqual(before.change + 1);
    const ended = await Promise.all(ends);
    expect(ended.map((x) => x.id)).toEqual(ids);
    expect(ended.every((x) => x.state.current === "SUCCESS")).toBe(true);
    expect((await Promise.all(settled)).every((x) => x.state.current === "SUCCESS")).toBe(true);
    expect(events.listenerCount("execution:end")).toBe(before.end);
    expect(events.listenerCount("execution")).toBe(before.change);
  });

  it("a wait that times out names where the execution stands and leaves no listener", async () => {
    const events = test.instance.events;
    const before = events.listenerCount("execution:end");
    await expect(test.instance.waitForEnd("no-such-execution", 50)).rejects.toMatchObject({ code: "TIMEOUT" });
    expect(events.listenerCount("execution:end")).toBe(before);
  });
});

describe.skipIf(!postgresUp)("a wait on PostgreSQL whose end notification never comes", () => {
  let cluster: PostgresInstances;
  let test: TestInstance;
  let api: EngineApi;

  beforeAll(async () => {
    // a webserver's process: no executor, no worker; what runs, another process runs
    cluster = await openOnPostgres({ executor: false, worker: false });
    test = cluster.instances[0]!;
    api = createEngineApi(test.instance);
    await test.instance.deploy(
      'id: elsewhere\nnamespace: waits\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.debug.Return\n    format: "1"\n',
    );
  }, 60_000);
  afterAll(async () => {
    await cluster?.close();
  });

  /** Ends an execution as another process would, its notification lost on the way. */
  const endedUntold = (id: string, state: string, finished: boolean) =>
    (test.instance.backend as PostgresBackend).pool.query(
      "UPDATE executions SET state = $2, finished = $3 WHERE id = $1",
      [id, state, finished],
    );

  it("a ?wait=true request is answered by the notifier's poll: an end heard of by no one", async () => {
    expect(test.instance.backend.notifier.pollMs).toBe(1000);
    const created = await api.executions.create("waits", "elsewhere");
    const waiting = api.executions.untilSettledOrAborted(created.id, new AbortController().signal);
    let settled = false;
    void waiting.then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(settled).toBe(false);
    await endedUntold(created.id, "SUCCESS", true);
    await waiting;
    expect(api.executions.waiters.size).toBe(0);
  });

  it("a pause made elsewhere settles the wait too", async () => {
    const created = await api.executions.create("waits", "elsewhere");
    const waiting = api.executions.untilSettledOrAborted(created.id, new AbortController().signal);
    await endedUntold(created.id, "PAUSED", false);
    await waiting;
    expect(api.executions.waiters.size).toBe(0);
  });
});
