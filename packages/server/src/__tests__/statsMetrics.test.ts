/**
 * The endpoints Kestra's UI reads for its dashboards and execution pages: /stats/*, /metrics/*,
 * input validation without an execution, the expression debugger, and the flow of the execution
 * form; against a real server, with Kestra's shapes and clear errors for bad requests.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { json, postYaml, startTestApi, terminated, waitForExecution, type TestApi } from "./testApi.ts";

let t: TestApi;
const TOKEN = "tok-3f9a7c21-secret";

const METRICS_FLOW = `id: measured
namespace: company.stats
tasks:
  - id: load
    type: io.saker.test.EmitMetrics
    count: 12
    millis: 250
  - id: say
    type: io.kestra.plugin.core.log.Log
    message: loaded
`;

const FAILING_FLOW = `id: broken
namespace: company.stats.sub
tasks:
  - id: fail
    type: io.kestra.plugin.core.execution.Fail
`;

const INPUTS_FLOW = `id: form
namespace: company.stats
inputs:
  - id: name
    type: STRING
  - id: count
    type: INT
    defaults: 2
    min: 1
  - id: password
    type: SECRET
    required: false
  - id: flag
    type: BOOLEAN
    defaults: false
  - id: extra
    type: STRING
    required: false
    dependsOn:
      inputs: [flag]
      condition: "{{ inputs.flag }}"
tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: "{{ inputs.name }}"
`;

const PAUSE_FLOW = `id: approval
namespace: company.stats
tasks:
  - id: wait
    type: io.kestra.plugin.core.flow.Pause
    onResume:
      - id: approved
        type: BOOLEAN
      - id: reason
        type: STRING
        defaults: none given
`;

const SECRET_FLOW = `id: secretive
namespace: company.stats
tasks:
  - id: token
    type: io.kestra.plugin.core.debug.Return
    format: "Bearer {{ secret('API_TOKEN') }}"
  - id: after
    type: io.kestra.plugin.core.log.Log
    message: done
`;

const post = (path: string, body: unknown) =>
  fetch(`${t.api}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
const form = (fields: Record<string, string>) => {
  const data = new FormData();
  for (const [k, v] of Object.entries(fields)) data.append(k, v);
  return data;
};

async function run(namespace: string, id: string): Promise<Record<string, any>> {
  const created = await json(await fetch(`${t.api}/executions/${namespace}/${id}`, { method: "POST" }));
  return waitForExecution(t.api, created.id, terminated);
}

/** Counts added up over the buckets (executions may straddle midnight). */
function sumCounts(list: Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const counts of list) for (const [k, v] of Object.entries(counts)) out[k] = (out[k] ?? 0) + v;
  return out;
}

let measured: Record<string, any>;
let broken: Record<string, any>;

beforeAll(async () => {
  t = await startTestApi({ env: { SECRET_API_TOKEN: Buffer.from(TOKEN).toString("base64") } });
  for (const flow of [METRICS_FLOW, FAILING_FLOW, INPUTS_FLOW, PAUSE_FLOW, SECRET_FLOW])
    expect((await postYaml(`${t.api}/flows`, flow)).status).toBe(200);
  measured = await run("company.stats", "measured");
  await run("company.stats", "measured");
  broken = await run("company.stats.sub", "broken");
}, 30_000);
afterAll(() => t.close());

describe("/stats", () => {
  const today = () => new Date().toISOString().slice(0, 10);

  it("counts today's executions per state, with durations in seconds, over the last 30 days by default", async () => {
    const response = await post("/stats/executions/daily", {});
    expect(response.status).toBe(200);
    const days = await json<Record<string, any>[]>(response);
    expect(days.length).toBeGreaterThanOrEqual(30);
    expect(days.every((d) => d.groupBy === "day")).toBe(true);
    expect(days.at(-1)!.startDate).toBe(`${today()}T00:00:00.000Z`);
    expect(days.every((d) => d.startDate.endsWith("T00:00:00.000Z"))).toBe(true);
    expect(sumCounts(days.map((d) => d.executionCounts))).toMatchObject({
      SUCCESS: 2,
      FAILED: 1,
      RUNNING: 0,
      CANCELLED: 0,
    });
    expect(days.reduce((n, d) => n + d.duration.count, 0)).toBe(3);
    const busy = days.find((d) => d.duration.count > 0)!;
    expect(busy.startDate).toBe(`${measured.state.startDate.slice(0, 10)}T00:00:00.000Z`);
    expect(busy.duration.avg).toMatch(/^PT[\d.]+S$/);
    const seconds = (iso: string) => Number(iso.slice(2, -1));
    expect(seconds(busy.duration.min)).toBeLessThanOrEqual(seconds(busy.duration.max));
    expect(days[0]!.duration).toEqual({ count: 0 });
    // The body may be left out altogether.
    for (const path of [
      "/stats/executions/daily",
      "/stats/summary",
      "/stats/logs/daily",
      "/stats/executions/daily/group-by-namespace",
    ]) {
      expect((await fetch(`${t.api}${path}`, { method: "POST" })).status, path).toBe(200);
    }
    expect(
      (
        await fetch(`${t.api}/stats/executions/daily`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: "{not json",
        })
      ).status,
    ).toBe(400);
  });

  it("filters by namespace, flow and state; the UI's single-value query strings are accepted", async () => {
    const count = async (body: Record<string, unknown>) =>
      (await json<Record<string, any>[]>(await post("/stats/executions/daily", body))).reduce(
        (n, d) => n + d.duration.count,
        0,
      );
    expect(await count({ namespace: "company.stats" })).toBe(3);
    expect(await count({ namespace: "company.stats", flowId: "measured" })).toBe(2);
    expect(await count({ state: "FAILED" })).toBe(1);
    expect(await count({ state: ["SUCCESS", "FAILED"], scope: "USER" })).toBe(3);
    expect(await count({ scope: ["SYSTEM"] })).toBe(0);
    expect(await count({ state: "SUCCESS,FAILED", scope: "USER,SYSTEM" })).toBe(3);
    const hours = await json<Record<string, any>[]>(
      await post("/stats/executions/daily", {
        startDate: new Date(Date.now() - 3 * 3_600_000).toISOString(),
        endDate: new Date().toISOString(),
      }),
    );
    expect(hours.every((d) => d.groupBy === "minute")).toBe(true);
  });

  it("groups by namespace and flow, by namespace only, counts per namespace, and gives each flow's latest execution", async () => {
    const byFlow = await json(
      await post("/stats/executions/daily/group-by-flow", { flows: [{ namespace: "company.stats", id: "measured" }] }),
    );
    expect(Object.keys(byFlow)).toEqual(["company.stats"]);
    expect(sumCounts(byFlow["company.stats"].measured.map((d: Record<string, any>) => d.executionCounts)).SUCCESS).toBe(
      2,
    );
    const byNamespace = await json(await post("/stats/executions/daily/group-by-flow", { namespaceOnly: true }));
    expect(Object.keys(byNamespace["company.stats.sub"])).toEqual(["*"]);
    const counts = await json(await post("/stats/executions/daily/group-by-namespace", {}));
    expect(counts["company.stats"]).toEqual({ counts: expect.objectContaining({ SUCCESS: 2, FAILED: 0 }), total: 2 });
    expect(counts["company.stats.sub"].total).toBe(1);
    const latest = await json<Record<string, any>[]>(
      await post("/stats/executions/latest/group-by-flow", {
        flows: [
          { namespace: "company.stats.sub", id: "broken" },
          { namespace: "company.stats", id: "form" },
        ],
      }),
    );
    expect(latest.map((x) => x.id)).toEqual([broken.id]);
    expect(latest[0]!.state.current).toBe("FAILED");
    expect(await json(await post("/stats/executions/latest/group-by-flow", {}))).toEqual([]);
  });

  it("counts log lines per level and the flows and triggers of a namespace", async () => {
    const logs = await json<Record<string, any>[]>(
      await post("/stats/logs/daily", { namespace: "company.stats", flowId: "measured" }),
    );
    const lines = (await json(await fetch(`${t.api}/logs/search?namespace=company.stats&flowId=measured&size=1000`)))
      .results as { level: string }[];
    const expected = Object.fromEntries(
      ["TRACE", "DEBUG", "INFO", "WARN", "ERROR"].map((level) => [
        level,
        lines.filter((l) => l.level === level).length,
      ]),
    );
    expect(expected.INFO).toBeGreaterThanOrEqual(2);
    expect(logs.at(-1)).toMatchObject({ timestamp: `${today()}T00:00:00.000Z`, groupBy: "day" });
    expect(sumCounts(logs.map((d) => d.counts))).toEqual(expected);
    const errorsOnly = sumCounts(
      (await json<Record<string, any>[]>(await post("/stats/logs/daily", { logLevel: "ERROR" }))).map((d) => d.counts),
    );
    expect(errorsOnly).toMatchObject({ DEBUG: 0, INFO: 0 });
    expect(errorsOnly.ERROR).toBeGreaterThanOrEqual(1);
    const withText = await json<Record<string, any>[]>(
      await post("/stats/logs/daily", { namespace: "company.stats", q: "loaded" }),
    );
    expect(sumCounts(withText.map((d) => d.counts)).INFO).toBe(2);
    expect(await json(await post("/stats/summary", { namespace: "company.stats" }))).toEqual({ flows: 4, triggers: 0 });
    expect(await json(await post("/stats/summary", {}))).toEqual({ flows: 5, triggers: 0 });
  });

  it("refuses bad dates, periods and states with a clear 400", async () => {
    const bad = async (path: string, body: unknown, expected: RegExp) => {
      const response = await post(path, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect((await json(response)).message).toMatch(expected);
    };
    await bad("/stats/executions/daily", { startDate: "yesterday" }, /startDate.*date-time/);
    await bad(
      "/stats/executions/daily",
      { startDate: "2026-01-02T00:00:00Z", endDate: "2026-01-01T00:00:00Z" },
      /Start date must be before End Date/,
    );
    await bad("/stats/logs/daily", { startDate: "1000-01-01T00:00:00Z" }, /longer than 100 years/);
    await bad("/stats/logs/daily", { logLevel: "LOUD" }, /logLevel/);
    await bad("/stats/executions/daily", { scope: "EVERYONE" }, /scope/);
    await bad("/stats/executions/latest/group-by-flow", { flows: [{ namespace: "x" }] }, /flows/);
    await bad("/stats/executions/daily", { timeRange: "a while" }, /timeRange/);
  });
});

describe("/metrics", () => {
  it("lists an execution's metrics, paged and sorted, with Kestra's fields", async () => {
    const page = await json(await fetch(`${t.api}/metrics/${measured.id}?sort=value:desc`));
    expect(page.total).toBe(2);
    expect(page.results[0]).toEqual({
      namespace: "company.stats",
      flowId: "measured",
      taskId: "load",
      executionId: measured.id,
      taskRunId: measured.taskRunList[0].id,
      type: "timer",
      name: "took",
      value: 250,
      timestamp: expect.any(String),
      deleted: false,
    });
    expect(page.results[1]).toMatchObject({ type: "counter", name: "rows", value: 12, tags: { source: "test" } });
    expect((await json(await fetch(`${t.api}/metrics/${measured.id}?taskId=say`))).total).toBe(0);
    expect(
      (await json(await fetch(`${t.api}/metrics/${measured.id}?taskRunId=${measured.taskRunList[0].id}&size=1`)))
        .results,
    ).toHaveLength(1);
  });

  it("gives the names and tasks of a flow's metrics, and aggregates per bucket", async () => {
    expect(await json(await fetch(`${t.api}/metrics/names/company.stats/measured`))).toEqual(["rows", "took"]);
    expect(await json(await fetch(`${t.api}/metrics/names/company.stats/measured/say`))).toEqual([]);
    expect(await json(await fetch(`${t.api}/metrics/tasks/company.stats/measured`))).toEqual(["load"]);
    const sum = await json(await fetch(`${t.api}/metrics/aggregates/company.stats/measured/rows`));
    expect(sum.groupBy).toBe("day");
    expect(sum.aggregations.reduce((n: number, a: { value: number }) => n + a.value, 0)).toBe(24);
    const named = sum.aggregations.filter((a: Record<string, unknown>) => a.name !== undefined);
    expect(named.every((a: Record<string, any>) => a.name === "rows" && a.date.endsWith("T00:00:00.000Z"))).toBe(true);
    expect(
      sum.aggregations
        .filter((a: Record<string, unknown>) => a.name === undefined)
        .every((a: Record<string, unknown>) => a.value === 0),
    ).toBe(true);
    const max = await json(await fetch(`${t.api}/metrics/aggregates/company.stats/measured/load/took?aggregation=max`));
    expect(Math.max(...max.aggregations.map((a: { value: number }) => a.value))).toBe(250);
  });

  it("keeps a tag holding a secret masked, in the answer and in the database", async () => {
    const flow = METRICS_FLOW.replace("id: measured", "id: tagged").replace(
      "millis: 250",
      "millis: 250\n    source: \"db at {{ secret('API_TOKEN') }}\"",
    );
    expect((await postYaml(`${t.api}/flows`, flow)).status).toBe(200);
    const x = await run("company.stats", "tagged");
    const text = await (await fetch(`${t.api}/metrics/${x.id}`)).text();
    expect(text).toContain("db at ");
    expect(text).not.toContain(TOKEN);
    const stored = (await t.test.instance.backend.metrics.byExecution(x.id)).map((m) => m.tags);
    expect(stored.length).toBeGreaterThan(0);
    expect(JSON.stringify(stored)).not.toContain(TOKEN);
    expect((await fetch(`${t.api}/flows/company.stats/tagged`, { method: "DELETE" })).status).toBe(204);
  });

  it("answers 404 for an unknown execution and 400 for a bad sort, aggregation or period", async () => {
    expect((await json(await fetch(`${t.api}/metrics/nope`))).code).toBe("EXECUTION_NOT_FOUND");
    const sort = await fetch(`${t.api}/metrics/${measured.id}?sort=colour:asc`);
    expect(sort.status).toBe(400);
    expect((await json(sort)).message).toContain("Invalid sort field 'colour'");
    expect((await fetch(`${t.api}/metrics/aggregates/company.stats/measured/rows?aggregation=median`)).status).toBe(
      400,
    );
    const period = await fetch(
      `${t.api}/metrics/aggregates/company.stats/measured/rows?startDate=2026-02-01T00:00:00Z&endDate=2026-01-01T00:00:00Z`,
    );
    expect(period.status).toBe(400);
    expect((await json(period)).message).toBe("Start date must be before End Date");
  });
});

describe("deleting an execution", () => {
  it("deletes its metrics by default, and keeps them with deleteMetrics=false", async () => {
    const kept = await run("company.stats", "measured");
    const gone = await run("company.stats", "measured");
    expect((await fetch(`${t.api}/executions/${kept.id}?deleteMetrics=false`, { method: "DELETE" })).status).toBe(204);
    expect((await fetch(`${t.api}/executions/${gone.id}`, { method: "DELETE" })).status).toBe(204);
    const metrics = t.test.instance.backend.metrics;
    expect((await metrics.byExecution(kept.id)).length).toBe(2);
    expect(await metrics.byExecution(gone.id)).toEqual([]);
  });
});

describe("input validation without an execution", () => {
  it("answers each input with its typed value, whether it is enabled, and its errors", async () => {
    const before = (await json(await fetch(`${t.api}/executions/search?namespace=company.stats&flowId=form`))).total;
    const response = await fetch(`${t.api}/executions/company.stats/form/validate`, {
      method: "POST",
      body: form({ name: "Ada", count: "0", password: "hunter2-pass" }),
    });
    expect(response.status).toBe(200);
    const result = await json(response);
    expect(result.id).toBe("form");
    expect(result.namespace).toBe("company.stats");
    const byId = Object.fromEntries(result.inputs.map((i: Record<string, any>) => [i.input.id, i]));
    expect(byId.name).toEqual({
      input: expect.objectContaining({ id: "name", type: "STRING" }),
      value: "Ada",
      enabled: true,
      errors: [],
    });
    expect(byId.count.enabled).toBe(true);
    expect(byId.count.errors[0].message).toMatch(/count/);
    expect(byId.password.value).toBe("******");
    expect(JSON.stringify(result)).not.toContain("hunter2-pass");
    expect(byId.flag.value).toBe(false);
    expect(byId.extra).toMatchObject({ enabled: false, errors: [] });
    // Nothing was created.
    expect((await json(await fetch(`${t.api}/executions/search?namespace=company.stats&flowId=form`))).total).toBe(
      before,
    );
  });

  it("reports a missing required input, and answers 404 for an unknown flow", async () => {
    const result = await json(
      await fetch(`${t.api}/executions/company.stats/form/validate`, { method: "POST", body: form({}) }),
    );
    expect(result.inputs.find((i: Record<string, any>) => i.input.id === "name").errors[0].message).toContain(
      "missing required input",
    );
    const missing = await fetch(`${t.api}/executions/company.stats/nothing/validate`, {
      method: "POST",
      body: form({}),
    });
    expect(missing.status).toBe(404);
    expect((await json(missing)).code).toBe("FLOW_NOT_FOUND");
    const labels = await fetch(`${t.api}/executions/company.stats/form/validate?labels=system.x:1`, {
      method: "POST",
      body: form({ name: "x" }),
    });
    expect(labels.status).toBe(400);
  });

  it("validates the inputs of a flow named 'resume' where no execution has its namespace as id", async () => {
    expect(
      (
        await postYaml(
          `${t.api}/flows`,
          "id: resume\nnamespace: company.actions\ninputs:\n  - id: n\n    type: INT\ntasks:\n  - id: hi\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n",
        )
      ).status,
    ).toBe(200);
    const response = await fetch(`${t.api}/executions/company.actions/resume/validate`, {
      method: "POST",
      body: form({ n: "3" }),
    });
    expect(response.status).toBe(200);
    expect(await json(response)).toMatchObject({
      id: "resume",
      namespace: "company.actions",
      inputs: [{ input: { id: "n" }, value: 3, enabled: true, errors: [] }],
    });
  });

  it("checks the onResume inputs of a paused execution without resuming it", async () => {
    const created = await json(await fetch(`${t.api}/executions/company.stats/approval`, { method: "POST" }));
    await waitForExecution(t.api, created.id, (x) => x.state.current === "PAUSED");
    const result = await json(
      await fetch(`${t.api}/executions/${created.id}/resume/validate`, { method: "POST", body: form({}) }),
    );
    expect(result).toMatchObject({ id: "approval", namespace: "company.stats" });
    const byId = Object.fromEntries(result.inputs.map((i: Record<string, any>) => [i.input.id, i]));
    expect(byId.approved.errors[0].message).toMatch(/`approved`, missing required input/);
    expect(byId.reason).toMatchObject({ value: "none given", errors: [] });
    expect((await json(await fetch(`${t.api}/executions/${created.id}`))).state.current).toBe("PAUSED");
    const notPaused = await fetch(`${t.api}/executions/${measured.id}/resume/validate`, {
      method: "POST",
      body: form({}),
    });
    expect(notPaused.status).toBe(409);
    expect((await fetch(`${t.api}/executions/nope/resume/validate`, { method: "POST", body: form({}) })).status).toBe(
      404,
    );
    await fetch(`${t.api}/executions/${created.id}/kill`, { method: "DELETE" });
  });
});

describe("expression debugging on a task run", () => {
  const evaluate = (executionId: string, taskRunId: string, expression: string) =>
    fetch(`${t.api}/executions/${executionId}/eval/${taskRunId}`, {
      method: "POST",
      headers: { "Content-Type": "text/plain" },
      body: expression,
    });

  it("renders in the context of the task run, and answers a render error with 200 and `error`", async () => {
    const runId = measured.taskRunList[1].id;
    expect(
      await json(await evaluate(measured.id, runId, "{{ task.id }} of {{ flow.id }} in {{ execution.id }}")),
    ).toEqual({ result: `say of measured in ${measured.id}` });
    const failed = await json(await evaluate(measured.id, runId, "{{ nothing.here }}"));
    expect(failed.result).toBeUndefined();
    expect(failed.error).toContain("nothing");
  });

  it("masks secrets, those an output holds and those the expression reads", async () => {
    const x = await run("company.stats", "secretive");
    const runId = x.taskRunList[1].id;
    const fromOutput = await evaluate(x.id, runId, "{{ outputs.token.value }}");
    const fromSecret = await evaluate(x.id, runId, "{{ secret('API_TOKEN') | upper | lower }}");
    for (const response of [fromOutput, fromSecret]) {
      const text = await response.text();
      expect(response.status).toBe(200);
      expect(text).not.toContain(TOKEN);
      expect(text).toContain("*");
    }
  });

  it("stops a runaway expression at the instance's time budget", async () => {
    const limited = await startTestApi({ overrides: { expressions: { evaluationTimeoutMs: 50 } } });
    try {
      expect((await postYaml(`${limited.api}/flows`, METRICS_FLOW)).status).toBe(200);
      const created = await json(await fetch(`${limited.api}/executions/company.stats/measured`, { method: "POST" }));
      const x = await waitForExecution(limited.api, created.id, terminated);
      const runaway = "{% macro f(n) %}{% if n < 40 %}{{ f(n + 1) }}{{ f(n + 1) }}{% endif %}{% endmacro %}{{ f(0) }}";
      const response = await fetch(`${limited.api}/executions/${x.id}/eval/${x.taskRunList[0].id}`, {
        method: "POST",
        headers: { "Content-Type": "text/plain" },
        body: runaway,
      });
      expect(response.status).toBe(200);
      expect((await json(response)).error).toContain("time budget of 50 ms");
    } finally {
      await limited.close();
    }
  });

  it("answers 404 for an unknown execution or task run, and 400 without an expression", async () => {
    expect((await json(await evaluate("nope", "x", "{{ 1 }}"))).code).toBe("EXECUTION_NOT_FOUND");
    expect((await json(await evaluate(measured.id, "nope", "{{ 1 }}"))).code).toBe("TASK_RUN_NOT_FOUND");
    expect((await evaluate(measured.id, measured.taskRunList[0].id, "")).status).toBe(400);
  });
});

describe("the flow of the execution form", () => {
  it("gives the latest revision or the one asked for, and 404 for an unknown flow or revision", async () => {
    expect(
      (
        await postYaml(
          `${t.api}/flows/company.stats/measured`,
          METRICS_FLOW.replace("message: loaded", "message: loaded again"),
          "PUT",
        )
      ).status,
    ).toBe(200);
    expect((await json(await fetch(`${t.api}/executions/flows/company.stats/measured`))).revision).toBe(2);
    expect((await json(await fetch(`${t.api}/executions/flows/company.stats/measured?revision=1`))).revision).toBe(1);
    expect((await fetch(`${t.api}/executions/flows/company.stats/measured?revision=9`)).status).toBe(404);
    expect((await fetch(`${t.api}/executions/flows/company.stats/nothing`)).status).toBe(404);
    expect((await fetch(`${t.api}/executions/flows/company.stats/measured?revision=first`)).status).toBe(400);
  });
});
