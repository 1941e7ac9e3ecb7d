/**
 * Triggers over HTTP only: a webhook call, a one-second schedule and a flow trigger each start
 * executions; the triggers API lists, disables and backfills.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "@saker/engine/testing";
import { json, postYaml, startTestApi, type TestApi } from "./testApi.ts";

let t: TestApi;
beforeAll(async () => {
  t = await startTestApi({ scheduler: true });
});
afterAll(async () => {
  await t.close();
});

type Json = Record<string, any>;

async function searchExecutions(namespace: string, flowId: string): Promise<Json[]> {
  const page = await json(await fetch(`${t.api}/executions/search?namespace=${namespace}&flowId=${flowId}&size=100`));
  return page.results as Json[];
}

async function ended(id: string): Promise<Json> {
  return eventually(async () => {
    const x = await json(await fetch(`${t.api}/executions/${id}`));
    return ["SUCCESS", "FAILED", "WARNING", "KILLED"].includes(x.state.current) ? x : undefined;
  });
}

describe("webhook", () => {
  beforeAll(async () => {
    const created = await postYaml(
      `${t.api}/flows`,
      `id: webhook
namespace: api.triggers
tasks:
  - id: out
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger | json }}"
triggers:
  - id: webhook
    type: io.kestra.plugin.core.trigger.Webhook
    key: a-secret-key
    conditions:
      - type: io.kestra.plugin.core.condition.Expression
        expression: "{{ trigger.body.hello is defined ? trigger.body.hello != 'moon' : true }}"
`,
    );
    expect(created.status).toBe(200);
  });

  it("starts an execution with the body, headers and parameters", async () => {
    const response = await fetch(
      `${t.api}/executions/webhook/api.triggers/webhook/a-secret-key?name=saker&name=kestra`,
      {
        method: "POST",
        headers: { "content-type": "application/json", "x-custom": "yes" },
        body: JSON.stringify({ hello: "world" }),
      },
    );
    expect(response.status).toBe(200);
    const execution = await json(response);
    expect(execution.trigger).toMatchObject({ id: "webhook", type: "io.kestra.plugin.core.trigger.Webhook" });
    const done = await ended(execution.id);
    expect(done.state.current).toBe("SUCCESS");
    const out = JSON.parse(done.taskRunList[0].outputs.value);
    expect(out.body).toEqual({ hello: "world" });
    expect(out.parameters).toEqual({ name: ["saker", "kestra"] });
    expect(out.headers["x-custom"]).toEqual(["yes"]);
  });

  it("takes any content type as text, and GET and PUT too", async () => {
    const xml = await fetch(`${t.api}/main/executions/webhook/api.triggers/webhook/a-secret-key`, {
      method: "PUT",
      headers: { "content-type": "application/xml" },
      body: "<a>1</a>",
    });
    expect(xml.status).toBe(200);
    expect(JSON.parse((await ended((await json(xml)).id)).taskRunList[0].outputs.value).body).toBe("<a>1</a>");
    const get = await fetch(`${t.api}/executions/webhook/api.triggers/webhook/a-secret-key`);
    expect(get.status).toBe(200);
  });

  it("answers 204 when the conditions fail and 404 for a wrong key or flow", async () => {
    const before = (await searchExecutions("api.triggers", "webhook")).length;
    const skipped = await fetch(`${t.api}/executions/webhook/api.triggers/webhook/a-secret-key`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"hello":"moon"}',
    });
    expect(skipped.status).toBe(204);
    const wrongKey = await fetch(`${t.api}/executions/webhook/api.triggers/webhook/nope`, { method: "POST" });
    expect(wrongKey.status).toBe(404);
    expect(await json(wrongKey)).toMatchObject({ code: "WEBHOOK_NOT_FOUND" });
    expect(
      (await fetch(`${t.api}/executions/webhook/api.triggers/missing/a-secret-key`, { method: "POST" })).status,
    ).toBe(404);
    expect(
      (await fetch(`${t.api}/executions/webhook/api.triggers/webhook/..%2F..%2Fflows`, { method: "POST" })).status,
    ).toBe(404);
    expect(await searchExecutions("api.triggers", "webhook")).toHaveLength(before);
  });

  it("still refuses unknown content types on other routes", async () => {
    const media = await fetch(`${t.api}/flows`, {
      method: "POST",
      headers: { "Content-Type": "image/png" },
      body: "x",
    });
    expect(media.status).toBe(415);
  });
});

describe("schedule and flow triggers", () => {
  it("a one-second schedule starts executions by itself; disabling it through the API stops them", async () => {
    expect(
      (
        await postYaml(
          `${t.api}/flows`,
          `id: every-second
namespace: api.schedule
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ trigger.date }}"
triggers:
  - id: tick
    type: io.kestra.plugin.core.trigger.Schedule
    withSeconds: true
    cron: "* * * * * *"
`,
        )
      ).status,
    ).toBe(200);
    await eventually(async () =>
      (await searchExecutions("api.schedule", "every-second")).filter((x) => x.state.current === "SUCCESS").length >= 2
        ? true
        : undefined,
    );
    const listed = await json(await fetch(`${t.api}/triggers/search?namespace=api.schedule`));
    expect(listed.results[0].triggerContext).toMatchObject({
      namespace: "api.schedule",
      flowId: "every-second",
      triggerId: "tick",
      disabled: false,
    });
    expect(listed.results[0].triggerContext.nextExecutionDate).toBeDefined();
    const disabled = await fetch(`${t.api}/triggers`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ namespace: "api.schedule", flowId: "every-second", triggerId: "tick", disabled: true }),
    });
    expect(await json(disabled)).toMatchObject({ disabled: true });
    await new Promise((r) => setTimeout(r, 1200));
    const count = (await searchExecutions("api.schedule", "every-second")).length;
    await new Promise((r) => setTimeout(r, 2000));
    expect(await searchExecutions("api.schedule", "every-second")).toHaveLength(count);
  });

  it("backfills a schedule over a past range", async () => {
    await postYaml(
      `${t.api}/flows`,
      `id: hourly
namespace: api.schedule
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ trigger.date }}"
triggers:
  - id: hourly
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 * * * *"
`,
    );
    const bad = await fetch(`${t.api}/triggers`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        namespace: "api.schedule",
        flowId: "hourly",
        triggerId: "hourly",
        backfill: { start: "not a date" },
      }),
    });
    expect(bad.status).toBe(400);
    const started = await fetch(`${t.api}/triggers`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        namespace: "api.schedule",
        flowId: "hourly",
        triggerId: "hourly",
        backfill: {
          start: "2026-01-01T00:00:00Z",
          end: "2026-01-01T03:00:00Z",
          labels: [{ key: "why", value: "backfill" }],
        },
      }),
    });
    expect(started.status).toBe(200);
    const executions = await eventually(async () => {
      const found = await searchExecutions("api.schedule", "hourly");
      return found.length >= 4 ? found : undefined;
    });
    expect(executions.map((x) => x.trigger.variables.date).sort()).toEqual(
      ["2026-01-01T00", "2026-01-01T01", "2026-01-01T02", "2026-01-01T03"].map((h) =>
        expect.stringContaining(h.slice(0, 13)),
      ),
    );
    expect(executions.every((x) => x.labels.some((l: Json) => l.key === "why" && l.value === "backfill"))).toBe(true);
    const missing = await fetch(`${t.api}/triggers/backfill/pause`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ namespace: "api.schedule", flowId: "hourly", triggerId: "hourly" }),
    });
    expect(missing.status).toBe(404);
  });

  it("unlocks triggers and changes backfills in bulk, by list and by query, skipping those that cannot take it", async () => {
    await postYaml(
      `${t.api}/flows`,
      `id: nightly
namespace: api.bulktriggers
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ trigger.date }}"
triggers:
  - id: nightly
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 2 * * *"
`,
    );
    const key = { namespace: "api.bulktriggers", flowId: "nightly", triggerId: "nightly" };
    const post = (path: string, body?: unknown) =>
      fetch(`${t.api}${path}`, {
        method: "POST",
        ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
      });
    const started = await fetch(`${t.api}/triggers`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        ...key,
        backfill: { start: "2020-01-01T00:00:00Z", end: "2020-01-05T00:00:00Z", paused: true },
      }),
    });
    expect(started.status).toBe(200);
    expect(await json(await post("/triggers/backfill/pause/by-query?namespace=api.bulktriggers"))).toEqual({
      count: 1,
    });
    expect(
      await json(await post("/triggers/backfill/delete/by-triggers", [key, { ...key, triggerId: "missing" }])),
    ).toEqual({ count: 1 });
    expect((await json(await fetch(`${t.api}/triggers/api.bulktriggers/nightly`))).results[0].backfill).toBeUndefined();
    expect(await json(await post("/triggers/backfill/unpause/by-triggers", [key]))).toEqual({ count: 0 });
    expect(await json(await post("/triggers/unlock/by-query?namespace=api.bulktriggers"))).toEqual({ count: 1 });
    expect(await json(await post("/triggers/unlock/by-triggers", [key]))).toEqual({ count: 1 });
  });

  it("a flow trigger fires when another flow ends", async () => {
    await postYaml(
      `${t.api}/flows`,
      `id: listener
namespace: api.flow
tasks:
  - id: echo
    type: io.kestra.plugin.core.debug.Return
    format: "after {{ trigger.flowId }} {{ trigger.state }}"
triggers:
  - id: on-upstream
    type: io.kestra.plugin.core.trigger.Flow
    conditions:
      - type: io.kestra.plugin.core.condition.ExecutionFlow
        namespace: api.flow
        flowId: upstream
`,
    );
    await postYaml(
      `${t.api}/flows`,
      `id: upstream
namespace: api.flow
tasks:
  - id: hello
    type: io.kestra.plugin.core.debug.Return
    format: hello
`,
    );
    const created = await json(await fetch(`${t.api}/executions/api.flow/upstream`, { method: "POST" }));
    expect((await ended(created.id)).state.current).toBe("SUCCESS");
    const found = await eventually(async () =>
      (await searchExecutions("api.flow", "listener")).find((x) => x.state.current === "SUCCESS"),
    );
    // Search items leave the outputs out; the execution itself has them.
    expect(found.taskRunList[0].outputs).toBeUndefined();
    const listener = await json(await fetch(`${t.api}/executions/${found.id}`));
    expect(listener.taskRunList[0].outputs.value).toBe("after upstream SUCCESS");
    expect(listener.trigger.variables.executionId).toBe(created.id);
  });

  it("enables and disables in bulk, unlocks, and answers 404 for an unknown trigger", async () => {
    await postYaml(
      `${t.api}/flows`,
      `id: bulk
namespace: api.bulk
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: hi
triggers:
  - id: daily
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 9 * * *"
  - id: hook
    type: io.kestra.plugin.core.trigger.Webhook
    key: bulk-key
`,
    );
    const byQuery = await fetch(`${t.api}/triggers/set-disabled/by-query?namespace=api.bulk&disabled=true`, {
      method: "POST",
    });
    expect(await json(byQuery)).toEqual({ count: 2 });
    const listed = await json(await fetch(`${t.api}/triggers/api.bulk/bulk`));
    expect(listed.results.map((r: Json) => [r.triggerId, r.disabled])).toEqual([
      ["daily", true],
      ["hook", true],
    ]);
    expect((await fetch(`${t.api}/executions/webhook/api.bulk/bulk/bulk-key`, { method: "POST" })).status).toBe(404);
    const byList = await fetch(`${t.api}/triggers/set-disabled/by-triggers`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        triggers: [{ namespace: "api.bulk", flowId: "bulk", triggerId: "hook" }],
        disabled: false,
      }),
    });
    expect(await json(byList)).toEqual({ count: 1 });
    expect((await fetch(`${t.api}/executions/webhook/api.bulk/bulk/bulk-key`, { method: "POST" })).status).toBe(200);
    expect((await fetch(`${t.api}/triggers/api.bulk/bulk/daily/unlock`, { method: "POST" })).status).toBe(200);
    const unknown = await fetch(`${t.api}/triggers/api.bulk/bulk/nope/unlock`, { method: "POST" });
    expect(unknown.status).toBe(404);
    expect(await json(unknown)).toMatchObject({ code: "TRIGGER_NOT_FOUND" });
    const badBody = await fetch(`${t.api}/triggers`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ namespace: "api.bulk" }),
    });
    expect(badBody.status).toBe(400);
  });
});
