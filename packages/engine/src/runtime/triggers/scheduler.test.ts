import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { Execution } from "../../model/execution.ts";
import { eventually, openTestInstance, type TestInstance } from "../../testing/testInstance.ts";
import { changeBackfill, setTriggerDisabled, startBackfill } from "../../api/triggers.ts";
import { handleWebhook } from "../../api/webhooks.ts";

const opened: TestInstance[] = [];
afterEach(async () => {
  while (opened.length) await opened.pop()!.close();
});

async function open(options: Parameters<typeof openTestInstance>[0] = {}) {
  const t = await openTestInstance(options);
  opened.push(t);
  return t;
}

function executionsOf(t: TestInstance, namespace: string, flowId: string): Execution[] {
  return t.instance.executions.search({
    tenantId: t.instance.config.tenantId,
    namespace,
    flowId,
    size: 1000,
    sort: "asc",
  }).results;
}

const minuteFlow = (extra = "") => `id: every-minute
namespace: sched.tests
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ trigger.date }}"
triggers:
  - id: minute
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "* * * * *"
${extra}`;

const T0 = new Date("2026-03-02T10:00:30Z");
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

describe("Schedule", () => {
  it("starts one execution per due date with trigger.date, never twice", async () => {
    const t = await open();
    await t.instance.deploy(minuteFlow());
    await t.instance.scheduler.tick(T0);
    expect(executionsOf(t, "sched.tests", "every-minute")).toHaveLength(0);
    await t.instance.scheduler.tick(at(3));
    await t.instance.scheduler.tick(at(3));
    const executions = executionsOf(t, "sched.tests", "every-minute");
    expect(executions.map((x) => x.trigger?.variables?.date)).toEqual(
      ["2026-03-02T10:01:00Z", "2026-03-02T10:02:00Z", "2026-03-02T10:03:00Z"].map((d) =>
        expect.stringMatching(new RegExp(`^${d.slice(0, 16)}`)),
      ),
    );
    expect(
      executions.every(
        (x) => x.trigger?.id === "minute" && x.trigger.type === "io.kestra.plugin.core.trigger.Schedule",
      ),
    ).toBe(true);
    const ended = await t.instance.waitForEnd(executions[0]!.id, 10_000);
    expect(ended.state.current).toBe("SUCCESS");
  });

  it.each([
    ["ALL", 60],
    ["LAST", 1],
    ["NONE", 1],
  ] as const)(
    "recovers an hour of missed dates after a restart with recoverMissedSchedules %s (the date due now always runs)",
    async (policy, expected) => {
      const first = await openTestInstance();
      const home = first.home;
      await first.instance.deploy(minuteFlow(`    recoverMissedSchedules: ${policy}`));
      await first.instance.scheduler.tick(T0);
      await first.instance.close();
      const second = await open({ home });
      await second.instance.scheduler.tick(at(60));
      await second.instance.scheduler.tick(at(60));
      const executions = executionsOf(second, "sched.tests", "every-minute");
      expect(executions).toHaveLength(expected);
      expect(String(executions.at(-1)?.trigger?.variables?.date)).toMatch(/^2026-03-02T11:00:00/);
    },
  );

  it("renders the trigger's inputs and labels for each execution", async () => {
    const t = await open();
    await t.instance.deploy(`id: with-inputs
namespace: sched.tests
inputs:
  - id: day
    type: STRING
  - id: size
    type: INT
tasks:
  - id: ret
    type: io.kestra.plugin.core.debug.Return
    format: "{{ inputs.day }} {{ inputs.size }}"
triggers:
  - id: minute
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "* * * * *"
    inputs:
      day: "{{ trigger.date | date('yyyy-MM-dd') }}"
      size: 3
    labels:
      source: schedule
`);
    await t.instance.scheduler.tick(T0);
    await t.instance.scheduler.tick(at(1));
    const [x] = executionsOf(t, "sched.tests", "with-inputs");
    expect(x!.inputs).toEqual({ day: "2026-03-02", size: 3 });
    expect(x!.labels).toContainEqual({ key: "source", value: "schedule" });
    expect((await t.instance.waitForEnd(x!.id, 10_000)).taskRunList[0]?.outputs?.value).toBe("2026-03-02 3");
  });

  it("a backfill without an end stops where it was asked, never re-running later dates", async () => {
    const t = await open();
    await t.instance.deploy(minuteFlow());
    await t.instance.scheduler.tick(at(-0.5));
    const key = { namespace: "sched.tests", flowId: "every-minute", triggerId: "minute" };
    await startBackfill(t.instance, key, { start: "2026-03-02T09:57:00Z", paused: true }, at(-0.4));
    await t.instance.scheduler.tick(at(3));
    await changeBackfill(t.instance, key, "unpause");
    await t.instance.scheduler.tick(at(3.2));
    const dates = executionsOf(t, "sched.tests", "every-minute").map((x) =>
      String(x.trigger?.variables?.date).slice(11, 16),
    );
    expect(dates.sort()).toEqual(["09:57", "09:58", "09:59", "10:00", "10:01", "10:02", "10:03"]);
  });

  it("looks at a changed cron at once instead of waiting for the old next date", async () => {
    const t = await open();
    await t.instance.deploy(minuteFlow().replace('cron: "* * * * *"', 'cron: "0 0 1 1 *"'));
    await t.instance.scheduler.tick(T0);
    await t.instance.deploy(minuteFlow());
    await t.instance.scheduler.tick(at(2));
    expect(
      executionsOf(t, "sched.tests", "every-minute").map((x) => String(x.trigger?.variables?.date).slice(11, 16)),
    ).toEqual(["10:01", "10:02"]);
  });

  it("skips dates the conditions reject and honours a disabled trigger", async () => {
    const t = await open();
    await t.instance.deploy(`id: weekdays
namespace: sched.tests
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: hi
triggers:
  - id: daily
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 9 * * *"
    timezone: UTC
    conditions:
      - type: io.kestra.plugin.core.condition.Weekend
`);
    await t.instance.scheduler.tick(new Date("2026-03-02T00:00:00Z"));
    await t.instance.scheduler.tick(new Date("2026-03-09T00:00:00Z"));
    const dates = executionsOf(t, "sched.tests", "weekdays").map((x) =>
      String(x.trigger?.variables?.date).slice(0, 10),
    );
    expect(dates).toEqual(["2026-03-07", "2026-03-08"]);
    await setTriggerDisabled(t.instance, { namespace: "sched.tests", flowId: "weekdays", triggerId: "daily" }, true);
    await t.instance.scheduler.tick(new Date("2026-03-16T00:00:00Z"));
    expect(executionsOf(t, "sched.tests", "weekdays")).toHaveLength(2);
  });

  it("runs a backfill over a past range with its inputs and labels", async () => {
    const t = await open();
    await t.instance.deploy(minuteFlow());
    await t.instance.scheduler.tick(T0);
    t.instance.triggers.update(
      t.instance.config.tenantId,
      { namespace: "sched.tests", flowId: "every-minute", triggerId: "minute" },
      (s) => ({
        ...s,
        backfill: {
          start: "2026-03-01T00:00:00Z",
          end: "2026-03-01T00:04:00Z",
          currentDate: "2026-03-01T00:00:00Z",
          paused: false,
          labels: [{ key: "team", value: "data" }],
        },
      }),
    );
    await t.instance.scheduler.tick(at(0.2));
    const executions = executionsOf(t, "sched.tests", "every-minute");
    expect(executions).toHaveLength(5);
    expect(executions.every((x) => x.labels.some((l) => l.key === "team" && l.value === "data"))).toBe(true);
    expect(
      t.instance.triggers.get(t.instance.config.tenantId, {
        namespace: "sched.tests",
        flowId: "every-minute",
        triggerId: "minute",
      })?.backfill,
    ).toBeUndefined();
  });

  it("fires every second on the real clock when the scheduler runs", async () => {
    const t = await open({ scheduler: true });
    await t.instance.deploy(`id: every-second
namespace: sched.tests
tasks:
  - id: ret
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.date }}"
triggers:
  - id: second
    type: io.kestra.plugin.core.trigger.Schedule
    withSeconds: true
    cron: "* * * * * *"
`);
    const executions = await eventually(() => {
      const found = executionsOf(t, "sched.tests", "every-second").filter((x) => x.state.current === "SUCCESS");
      return found.length >= 2 ? found : undefined;
    });
    const dates = executions.map((x) => x.trigger?.variables?.date);
    expect(new Set(dates).size).toBe(dates.length);
  });
});

describe("Flow trigger", () => {
  it("starts the listener after the upstream flow succeeds, with inputs from its outputs", async () => {
    const t = await open({ scheduler: true });
    await t.instance.deploy(`id: listener
namespace: flow.tests
inputs:
  - id: from-parent
    type: STRING
tasks:
  - id: echo
    type: io.kestra.plugin.core.debug.Return
    format: "got {{ inputs['from-parent'] }} from {{ trigger.executionId }}"
triggers:
  - id: listen
    type: io.kestra.plugin.core.trigger.Flow
    inputs:
      from-parent: "{{ outputs.only.value }}"
    conditions:
      - type: io.kestra.plugin.core.condition.ExecutionStatus
        in: [SUCCESS]
      - type: io.kestra.plugin.core.condition.ExecutionFlow
        namespace: flow.tests
        flowId: upstream
`);
    const upstream = await t.run(`id: upstream
namespace: flow.tests
tasks:
  - id: only
    type: io.kestra.plugin.core.debug.Return
    format: value-{{ execution.id }}
`);
    expect(upstream.state.current).toBe("SUCCESS");
    const listener = await eventually(() =>
      executionsOf(t, "flow.tests", "listener").find((x) => x.state.current === "SUCCESS"),
    );
    expect(listener.inputs?.["from-parent"]).toBe(`value-${upstream.id}`);
    expect(listener.trigger?.variables).toMatchObject({
      executionId: upstream.id,
      flowId: "upstream",
      state: "SUCCESS",
    });
    expect(listener.taskRunList[0]?.outputs?.value).toBe(`got value-${upstream.id} from ${upstream.id}`);
    expect(executionsOf(t, "flow.tests", "listener")).toHaveLength(1);
  });

  it("does not fire for a state the conditions exclude", async () => {
    const t = await open({ scheduler: true });
    await t.instance.deploy(`id: on-failure
namespace: flow.tests
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: upstream failed
triggers:
  - id: listen
    type: io.kestra.plugin.core.trigger.Flow
    states: [FAILED]
`);
    await t.run(`id: fine
namespace: flow.tests
tasks:
  - id: ok
    type: io.kestra.plugin.core.debug.Return
    format: ok
`);
    await t.run(`id: broken
namespace: flow.tests
tasks:
  - id: fail
    type: io.kestra.plugin.core.execution.Fail
`);
    const fired = await eventually(() =>
      executionsOf(t, "flow.tests", "on-failure").find((x) => x.state.current === "SUCCESS"),
    );
    expect(fired.trigger?.variables?.flowId).toBe("broken");
    await new Promise((r) => setTimeout(r, 300));
    expect(executionsOf(t, "flow.tests", "on-failure")).toHaveLength(1);
  });
  it("fires on each state change its states list, not only at the end (RUNNING, PAUSED, RUNNING, SUCCESS)", async () => {
    const t = await open({ scheduler: true });
    await t.instance.deploy(`id: watcher
namespace: flow.tests
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ trigger.state }}"
triggers:
  - id: listen
    type: io.kestra.plugin.core.trigger.Flow
    states: [RUNNING, PAUSED, SUCCESS]
    conditions:
      - type: io.kestra.plugin.core.condition.ExecutionFlow
        namespace: flow.tests
        flowId: pausing
`);
    await t.instance.deploy(`id: pausing
namespace: flow.tests
tasks:
  - id: before
    type: io.kestra.plugin.core.log.Log
    message: starting
  - id: wait
    type: io.kestra.plugin.core.flow.Pause
  - id: after
    type: io.kestra.plugin.core.log.Log
    message: resumed
`);
    const created = await t.instance.createExecution("flow.tests", "pausing", {});
    await eventually(() => (executionsOf(t, "flow.tests", "watcher").length >= 2 ? true : undefined));
    await t.instance.resume(created.id);
    const upstream = await t.instance.waitForEnd(created.id, 10_000);
    expect(upstream.state.current).toBe("SUCCESS");
    const fired = await eventually(() => {
      const found = executionsOf(t, "flow.tests", "watcher");
      return found.length === 4 && found.every((x) => x.state.current === "SUCCESS") ? found : undefined;
    });
    expect(fired.map((x) => x.trigger?.variables?.state)).toEqual(["RUNNING", "PAUSED", "RUNNING", "SUCCESS"]);
    expect(fired.every((x) => x.trigger?.variables?.executionId === created.id)).toBe(true);
  });

  it("leaves a terminated-only listener alone while the upstream runs or pauses", async () => {
    const t = await open({ scheduler: true });
    await t.instance.deploy(`id: at-end
namespace: flow.tests
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ trigger.state }}"
triggers:
  - id: listen
    type: io.kestra.plugin.core.trigger.Flow
    conditions:
      - type: io.kestra.plugin.core.condition.ExecutionFlow
        namespace: flow.tests
        flowId: pausing
`);
    await t.instance.deploy(`id: pausing
namespace: flow.tests
tasks:
  - id: wait
    type: io.kestra.plugin.core.flow.Pause
`);
    const created = await t.instance.createExecution("flow.tests", "pausing", {});
    await eventually(() =>
      t.instance.executions.get(created.id)?.execution.state.current === "PAUSED" ? true : undefined,
    );
    await t.instance.resume(created.id);
    await t.instance.waitForEnd(created.id, 10_000);
    const fired = await eventually(() =>
      executionsOf(t, "flow.tests", "at-end").find((x) => x.state.current === "SUCCESS"),
    );
    expect(fired.trigger?.variables?.state).toBe("SUCCESS");
    await new Promise((r) => setTimeout(r, 300));
    expect(executionsOf(t, "flow.tests", "at-end")).toHaveLength(1);
  });

  it("starts a listener whose required input the trigger does not give, without that input", async () => {
    const t = await open({ scheduler: true });
    await t.instance.deploy(`id: needs-input
namespace: flow.tests
inputs:
  - id: from-parent
    type: STRING
  - id: with-default
    type: STRING
    defaults: fallback
tasks:
  - id: echo
    type: io.kestra.plugin.core.debug.Return
    format: "{{ inputs['with-default'] }}"
triggers:
  - id: listen
    type: io.kestra.plugin.core.trigger.Flow
    conditions:
      - type: io.kestra.plugin.core.condition.ExecutionFlow
        namespace: flow.tests
        flowId: upstream
`);
    const upstream = await t.run(`id: upstream
namespace: flow.tests
tasks:
  - id: only
    type: io.kestra.plugin.core.debug.Return
    format: done
`);
    const listener = await eventually(() =>
      executionsOf(t, "flow.tests", "needs-input").find((x) => x.state.current === "SUCCESS"),
    );
    expect(listener.trigger?.variables?.executionId).toBe(upstream.id);
    expect(listener.inputs).toEqual({ "with-default": "fallback" });
    expect(listener.taskRunList[0]?.outputs?.value).toBe("fallback");
    // started by hand, the same flow still refuses the missing input
    await expect(t.instance.createExecution("flow.tests", "needs-input", {})).rejects.toThrow(
      "Invalid input for `from-parent`, missing required input, but received `null`",
    );
  });
});

describe("stopAfter", () => {
  it("disables the trigger once an execution it started ends in a listed state", async () => {
    const t = await open({ scheduler: true });
    await t.instance.deploy(`id: stopper
namespace: sched.tests
tasks:
  - id: fail
    type: io.kestra.plugin.core.execution.Fail
triggers:
  - id: second
    type: io.kestra.plugin.core.trigger.Schedule
    withSeconds: true
    cron: "* * * * * *"
    stopAfter: [FAILED]
`);
    const key = { namespace: "sched.tests", flowId: "stopper", triggerId: "second" };
    await eventually(() => (t.instance.triggers.get(t.instance.config.tenantId, key)?.disabled ? true : undefined));
    const count = executionsOf(t, "sched.tests", "stopper").length;
    expect(count).toBeGreaterThanOrEqual(1);
    await new Promise((r) => setTimeout(r, 2500));
    expect(executionsOf(t, "sched.tests", "stopper")).toHaveLength(count);
  });
});

describe("Webhook", () => {
  const webhookFlow = `id: hook
namespace: hook.tests
tasks:
  - id: out
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger | json }}"
triggers:
  - id: webhook
    type: io.kestra.plugin.core.trigger.Webhook
    key: "{{ 'a-secret' ~ '-key' }}"
    conditions:
      - type: io.kestra.plugin.core.condition.Expression
        expression: "{{ trigger.body.hello == 'world' }}"
`;

  it("starts an execution with body, headers and parameters when the conditions hold", async () => {
    const t = await open();
    await t.instance.deploy(webhookFlow);
    const outcome = await handleWebhook(t.instance, "hook.tests", "hook", "a-secret-key", {
      body: '{"hello":"world"}',
      headers: { "x-test": "1" },
      query: "a=1&a=2",
    });
    expect(outcome.started).toBe(true);
    if (!outcome.started) return;
    const ended = await t.instance.waitForEnd(outcome.execution.id, 10_000);
    expect(ended.state.current).toBe("SUCCESS");
    expect(JSON.parse(String(ended.taskRunList[0]?.outputs?.value))).toEqual({
      body: { hello: "world" },
      headers: { "x-test": ["1"] },
      parameters: { a: ["1", "2"] },
    });
  });

  it("answers no execution when the conditions fail, and not found for a wrong key or flow", async () => {
    const t = await open();
    await t.instance.deploy(webhookFlow);
    expect(await handleWebhook(t.instance, "hook.tests", "hook", "a-secret-key", { body: '{"hello":"moon"}' })).toEqual(
      { started: false },
    );
    await expect(handleWebhook(t.instance, "hook.tests", "hook", "wrong", {})).rejects.toMatchObject({
      code: "WEBHOOK_NOT_FOUND",
    });
    await expect(handleWebhook(t.instance, "hook.tests", "nope", "a-secret-key", {})).rejects.toMatchObject({
      code: "WEBHOOK_NOT_FOUND",
    });
    expect(executionsOf(t, "hook.tests", "hook")).toHaveLength(0);
  });

  it("renders a key that reads a secret", async () => {
    const t = await open({ env: { SECRET_WEBHOOK_KEY: Buffer.from("s3cret-hook").toString("base64") } });
    await t.instance.deploy(`id: secret-hook
namespace: hook.tests
tasks:
  - id: out
    type: io.kestra.plugin.core.debug.Return
    format: ok
triggers:
  - id: webhook
    type: io.kestra.plugin.core.trigger.Webhook
    key: "{{ secret('WEBHOOK_KEY') }}"
`);
    expect((await handleWebhook(t.instance, "hook.tests", "secret-hook", "s3cret-hook", {})).started).toBe(true);
    await expect(
      handleWebhook(t.instance, "hook.tests", "secret-hook", "{{ secret('WEBHOOK_KEY') }}", {}),
    ).rejects.toMatchObject({ code: "WEBHOOK_NOT_FOUND" });
  });
});

describe("polling triggers", () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  it("a trigger disabled while a poll is in flight starts nothing and stays disabled", async () => {
    let calls = 0;
    let answer: (() => void) | undefined;
    server = createServer((_req, res) => {
      calls += 1;
      answer = () => res.end("ok");
    });
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    const t = await open({ scheduler: true });
    await t.instance.deploy(`id: slow-poll
namespace: poll.tests
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: polled
triggers:
  - id: http
    type: io.kestra.plugin.core.http.Trigger
    uri: http://127.0.0.1:${port}/slow
    interval: PT1S
`);
    await eventually(() => (answer ? true : undefined), 10_000, "the first poll");
    const key = { namespace: "poll.tests", flowId: "slow-poll", triggerId: "http" };
    await setTriggerDisabled(t.instance, key, true);
    answer!();
    await new Promise((r) => setTimeout(r, 2500));
    expect(t.instance.triggers.get(t.instance.config.tenantId, key)?.disabled).toBe(true);
    expect(executionsOf(t, "poll.tests", "slow-poll")).toHaveLength(0);
    expect(calls).toBe(1);
  });

  it("polls http.Trigger every interval and starts an execution per positive poll", async () => {
    let calls = 0;
    server = createServer((_req, res) => {
      calls += 1;
      res.writeHead(calls === 1 ? 503 : 200, { "content-type": "application/json" });
      res.end(JSON.stringify({ price: 100 }));
    });
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    const t = await open({ scheduler: true });
    await t.instance.deploy(`id: poller
namespace: poll.tests
tasks:
  - id: price
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.code }} {{ json(trigger.body).price }}"
triggers:
  - id: http
    type: io.kestra.plugin.core.http.Trigger
    uri: http://127.0.0.1:${port}/price
    interval: PT1S
    stopAfter: [SUCCESS]
`);
    const execution = await eventually(
      () => executionsOf(t, "poll.tests", "poller").find((x) => x.state.current === "SUCCESS"),
      15_000,
    );
    expect(execution.taskRunList[0]?.outputs?.value).toBe("200 100");
    expect(calls).toBeGreaterThanOrEqual(2);
    await eventually(() =>
      t.instance.triggers.get(t.instance.config.tenantId, {
        namespace: "poll.tests",
        flowId: "poller",
        triggerId: "http",
      })?.disabled
        ? true
        : undefined,
    );
  });
});
