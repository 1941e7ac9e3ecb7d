/**
 * Expressions that never end or blow up (jq loops, catastrophic regexes, huge ranges and strings)
 * must fail their task with a clear error, or answer at once, while the server keeps answering:
 * a real `saker server local` on loopback, probed with `/health` while each attack is in flight,
 * and the real `saker render`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../integration/cli.ts";
import { json, postYaml, terminated, waitForExecution } from "../../packages/server/src/__tests__/testApi.ts";
import { startServerProcess, whileProbing, type ServerProcess } from "./serverProcess.ts";

const work = mkdtempSync(join(tmpdir(), "saker-expr-budget-"));
/** The server's jq budget: short, so that a never-ending jq fails within the test. */
const JQ_TIMEOUT_MS = 3000;
const ENV = { SAKER_HOME: join(work, "home"), SAKER_EXPRESSIONS_JQ_TIMEOUT_MS: String(JQ_TIMEOUT_MS) };
/** A request the server should answer at once; generous, so that only a blocked event loop misses it. */
const PROBE_TIMEOUT_MS = 5000;

let server: ServerProcess;
let api = "";

beforeAll(async () => {
  server = await startServerProcess(ENV.SAKER_HOME, ENV);
  api = server.api;
}, 90_000);

afterAll(async () => {
  await server?.kill();
  rmSync(work, { recursive: true, force: true });
});

async function call(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${api}${path}`, { ...init, signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
}

/** `/health` answers while `work` runs, and no turn of the server's event loop holds the CPU for long. */
const whileHealthy = <T>(work: () => Promise<T>) => whileProbing(server, work);

let flowCount = 0;

/** Deploys a flow with one Return task whose `format` is `template`, runs it and waits for its end. */
async function runReturn(template: string, extra = ""): Promise<{ execution: Record<string, any>; logs: string[] }> {
  const id = `attack${++flowCount}`;
  const yaml = `id: ${id}\nnamespace: security.expressions\ntasks:\n  - id: render\n    type: io.kestra.plugin.core.debug.Return\n${extra}    format: ${JSON.stringify(template)}\n`;
  const created = await postYaml(`${api}/flows`, yaml);
  expect(created.status, await created.clone().text()).toBe(200);
  const started = await json<{ id: string }>(await call(`/executions/security.expressions/${id}`, { method: "POST" }));
  const execution = await finished(started.id);
  const logs = ((await (await call(`/logs/${started.id}`)).json()) as { message: string }[]).map((l) => l.message);
  return { execution, logs };
}

const finished = (executionId: string) => waitForExecution(api, executionId, terminated, 60_000);

function expectFailed(run: { execution: Record<string, any>; logs: string[] }, message: string): void {
  expect(run.execution.state.current).toBe("FAILED");
  expect(run.execution.taskRunList[0].state.current).toBe("FAILED");
  expect(run.logs.join("\n")).toContain(message);
}

describe("a task's expressions run under a budget, the server keeps answering", () => {
  it("jq that never ends ('def f: f; f') fails the task, naming the budget and the property", async () => {
    const { result, answered } = await whileHealthy(() => runReturn("{{ 1 | jq('def f: f; f') }}"));
    expectFailed(
      result,
      `format: jq 'def f: f; f' did not finish within its time budget of ${JQ_TIMEOUT_MS} ms (expressions.jqTimeoutMs) and was stopped`,
    );
    expect(answered).toBeGreaterThan(2);
  }, 60_000);

  it("jq last(range(1e10)) with a task timeout of PT1S: the timeout bounds the rendering", async () => {
    const { result } = await whileHealthy(() => runReturn("{{ 1 | jq('last(range(1e10))') }}", "    timeout: PT1S\n"));
    expectFailed(result, "Timeout after");
  }, 60_000);

  it("the kill endpoint answers and stops a task stuck in jq", async () => {
    const id = "killme";
    const yaml = `id: ${id}\nnamespace: security.expressions\ntasks:\n  - id: render\n    type: io.kestra.plugin.core.debug.Return\n    format: "{{ 1 | jq('def f: f; f') }}"\n`;
    await postYaml(`${api}/flows`, yaml);
    const started = await json<{ id: string }>(
      await call(`/executions/security.expressions/${id}`, { method: "POST" }),
    );
    await waitForExecution(api, started.id, (x) => x.taskRunList?.length > 0);
    const killed = await call(`/executions/${started.id}/kill`, { method: "DELETE" });
    expect(killed.status).toBe(202);
    expect((await finished(started.id)).state.current).toBe("KILLED");
  }, 60_000);

  it("a catastrophic regex in replace(regexp=true) answers at once, with the right result", async () => {
    const { result } = await whileHealthy(() =>
      runReturn("{{ 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!' | replace({'^(a+)+$': 'x'}, regexp=true) }}"),
    );
    expect(result.execution.state.current).toBe("SUCCESS");
    expect(result.execution.taskRunList[0].outputs.value).toBe("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!");
  }, 60_000);

  it("a backreference, which the linear-time engine refuses, fails the task clearly", async () => {
    const run = await runReturn("{{ 'abab' | replace({'(ab)\\1': 'x'}, regexp=true) }}");
    expectFailed(
      run,
      "format: The regular expression '(ab)\\1' uses syntax the linear-time regex engine (RE2) does not support",
    );
  }, 60_000);

  it.each([
    ["a huge range", "{{ range(1, 1000000000) | length }}", "a range of 1000000000 items exceeds the limit of 100000"],
    [
      "a string blow-up",
      "{% set s = 'aaaaaaaaaa' %}{% for i in range(1, 40) %}{% set s = s ~ s %}{% endfor %}{{ s }}",
      "a string exceeds 10000000 characters",
    ],
    [
      "an exponential macro",
      "{% macro f(n) %}{% if n < 40 %}{{ f(n + 1) }}{{ f(n + 1) }}{% endif %}{% endmacro %}{{ f(0) }}",
      "the expression ran longer than its time budget of 100 ms",
    ],
  ])(
    "%s fails the task fast, naming the property",
    async (_name, template, message) => {
      const { result } = await whileHealthy(() => runReturn(template));
      expectFailed(result, `format: ${message}`);
    },
    60_000,
  );
});

describe("API REGEX filters run in linear time", () => {
  it("answers a catastrophic REGEX filter, and other requests are not stalled", async () => {
    // An execution whose flow id a backtracking engine would take minutes to reject.
    const victim = await runReturn("ok");
    expect(victim.execution.state.current).toBe("SUCCESS");
    const id = `${"a".repeat(40)}-x`;
    const yaml = `id: ${id}\nnamespace: security.expressions\ntasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n`;
    expect((await postYaml(`${api}/flows`, yaml)).status).toBe(200);
    const started = await json<{ id: string }>(
      await call(`/executions/security.expressions/${id}`, { method: "POST" }),
    );
    await finished(started.id);
    const pattern = encodeURIComponent("^(a+)+$");
    const { result } = await whileHealthy(async () => {
      const [search, flows, other] = await Promise.all([
        call(`/executions/search?filters[flowId][REGEX]=${pattern}`),
        call(`/flows/search?filters[id][REGEX]=${pattern}`),
        call(`/executions/${started.id}`),
      ]);
      return { search, flows, other };
    });
    expect(result.search.status).toBe(200);
    expect(((await result.search.json()) as { results: unknown[] }).results).toEqual([]);
    expect(result.flows.status).toBe(200);
    expect(result.other.status).toBe(200);
    const matching = await call(`/executions/search?filters[flowId][REGEX]=${encodeURIComponent("^(a+)+-x$")}`);
    expect(((await matching.json()) as { results: { flowId: string }[] }).results.map((e) => e.flowId)).toEqual([id]);
    const refused = await call(`/executions/search?filters[flowId][REGEX]=${encodeURIComponent("(a)\\1")}`);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain("does not support");
  }, 60_000);
});

describe("saker render ends with a clear error", () => {
  const render = (template: string) => runCli(["render", "--", template], { env: ENV, timeoutMs: 60_000 });

  it.each([
    ["{{ 1 | jq('def f: f; f') }}", `did not finish within its time budget of ${JQ_TIMEOUT_MS} ms`],
    ["{{ 1 | jq('last(range(1e10))') }}", `did not finish within its time budget of ${JQ_TIMEOUT_MS} ms`],
    ["{{ range(1, 1000000000) | length }}", "exceeds the limit of 100000"],
    [
      "{% set s = 'aaaaaaaaaa' %}{% for i in range(1, 40) %}{% set s = s ~ s %}{% endfor %}{{ s }}",
      "a string exceeds 10000000 characters",
    ],
    ["{{ 'abab' | replace({'(ab)\\1': 'x'}, regexp=true) }}", "does not support"],
  ])(
    "%s",
    async (template, message) => {
      const result = await render(template);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain(message);
    },
    60_000,
  );

  it("answers the catastrophic regex at once", async () => {
    const result = await render("{{ 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!' | replace({'^(a+)+$': 'x'}, regexp=true) }}");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!");
  }, 60_000);
});
