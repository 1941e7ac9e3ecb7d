/**
 * Reading an execution's logs, streamed a page at a time (`GET /logs/{id}`, `/download`,
 * `/follow`): the answer is byte for byte what building the whole array and showing it with
 * `secretGuard.display` gave, secrets masked in every line of a large answer, filters applied.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StoredLog } from "@saker/engine";
import { json, readEvents, startTestApi, waitForExecution, type TestApi } from "./testApi.ts";

const TOKEN = "tok-4f9a-very-secret-value";
const FLOW = `id: quiet
namespace: company.logs
tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: hello
`;

let t: TestApi;
let executionId: string;
/** More lines than three pages of the store's reading (2,000 a page). */
const LINES = 5_100;

/** The answer as it was built before streaming: every entry read, shown, serialised at once. */
async function expectedJson(filter: (l: StoredLog) => boolean = () => true): Promise<string> {
  const logs = (await t.test.instance.backend.logs.find({ executionId })).filter(filter);
  const entries = logs.map(({ seq: _seq, ...entry }) => entry);
  return JSON.stringify(t.test.instance.secretGuard.display(entries));
}

beforeAll(async () => {
  t = await startTestApi({ env: { SECRET_API_TOKEN: Buffer.from(TOKEN).toString("base64") } });
  const created = await fetch(`${t.api}/flows`, {
    method: "POST",
    headers: { "Content-Type": "application/x-yaml" },
    body: FLOW,
  });
  expect(created.status).toBe(200);
  const started = await json<{ id: string }>(await fetch(`${t.api}/executions/company.logs/quiet`, { method: "POST" }));
  executionId = started.id;
  await waitForExecution(t.api, executionId, (x) => x.state.current === "SUCCESS");
  // lines written as a task that bypassed the worker's masking would have: the API masks them
  const guard = t.test.instance.secretGuard;
  const sealed = guard.seal({ v: `sealed ${TOKEN}` }).v;
  expect(sealed.startsWith("saker-sealed:")).toBe(true);
  const entries = Array.from({ length: LINES }, (_, i) => ({
    ...(i % 7 === 3 ? { tenantId: "acme" } : i % 7 === 4 ? { tenantId: "main" } : {}),
    ...(i % 13 === 0 ? { triggerId: "schedule" } : {}),
    namespace: "company.logs",
    flowId: "quiet",
    executionId,
    ...(i % 5 !== 0 ? { taskId: `task${i % 3}`, taskRunId: `run${i % 4}` } : {}),
    ...(i % 2 === 0 ? { attemptNumber: i % 3 } : {}),
    ...(i % 11 === 0 ? { thread: "worker-1" } : {}),
    level: (["TRACE", "DEBUG", "INFO", "WARN", "ERROR"] as const)[i % 5]!,
    message:
      i % 97 === 0
        ? `token ${TOKEN} and its base64 ${Buffer.from(TOKEN).toString("base64")}`
        : i % 101 === 0
          ? sealed
          : i === 4_444
            ? `quotes " back\\slash\nnew line \u2028 é ${JSON.stringify({ token: TOKEN })}`
            : `line ${i}`,
    timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, i)).toISOString(),
  }));
  await t.test.instance.backend.logs.append(entries);
}, 60_000);

afterAll(async () => {
  await t?.close();
});

describe("GET /logs/{executionId}", () => {
  it("streams the same JSON text as before, every line's secret masked", async () => {
    const response = await fetch(`${t.api}/logs/${executionId}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    const text = await response.text();
    expect(text).toBe(await expectedJson());
    const lines = JSON.parse(text) as { message: string }[];
    expect(lines.length).toBeGreaterThan(LINES);
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(Buffer.from(TOKEN).toString("base64"));
    expect(text).not.toContain("saker-sealed:");
    expect(lines.filter((l) => l.message.startsWith("token **masked*"))).toHaveLength(Math.ceil(LINES / 97));
    expect(lines.filter((l) => l.message.startsWith("sealed **masked*")).length).toBeGreaterThan(40);
  });

  it("applies minLevel, taskId, taskRunId and attempt, alone and together", async () => {
    const cases: [string, (l: StoredLog) => boolean][] = [
      ["minLevel=WARN", (l) => l.level === "WARN" || l.level === "ERROR"],
      ["taskId=task1", (l) => l.taskId === "task1"],
      ["taskRunId=run2", (l) => l.taskRunId === "run2"],
      ["attempt=0", (l) => l.attemptNumber === 0],
      [
        "minLevel=INFO&taskId=task2&taskRunId=run3&attempt=1",
        (l) =>
          ["INFO", "WARN", "ERROR"].includes(l.level) &&
          l.taskId === "task2" &&
          l.taskRunId === "run3" &&
          l.attemptNumber === 1,
      ],
      ["taskId=none", () => false],
    ];
    for (const [params, filter] of cases) {
      const text = await (await fetch(`${t.api}/logs/${executionId}?${params}`)).text();
      expect(text, params).toBe(await expectedJson(filter));
    }
    expect(await (await fetch(`${t.api}/logs/${executionId}?taskId=none`)).text()).toBe("[]");
  });

  it("is a 404 for an unknown execution, a 400 for a bad parameter", async () => {
    const unknown = await fetch(`${t.api}/logs/no-such-execution`);
    expect(unknown.status).toBe(404);
    expect((await json<{ code: string }>(unknown)).code).toBe("EXECUTION_NOT_FOUND");
    expect((await fetch(`${t.api}/logs/${executionId}?minLevel=LOUD`)).status).toBe(400);
    expect((await fetch(`${t.api}/logs/${executionId}?attempt=-1`)).status).toBe(400);
  });
});

describe("the other ways to read them", () => {
  it("downloads them as text, masked, as before", async () => {
    const masker = t.test.instance.secretGuard.masker();
    const expected = (await t.test.instance.backend.logs.find({ executionId, minLevel: "INFO" }))
      .map((l) => `${l.timestamp} ${l.level} ${masker.mask(l.message)}`)
      .join("\n");
    const response = await fetch(`${t.api}/logs/${executionId}/download?minLevel=INFO`);
    expect(response.headers.get("content-disposition")).toContain(`${executionId}.log`);
    const text = await response.text();
    expect(text).toBe(expected);
    expect(text).not.toContain(TOKEN);
  });

  it("follows them: each entry an event, as `display` showed it, then the stream closes", async () => {
    const { events } = await readEvents(`${t.api}/logs/${executionId}/follow?minLevel=DEBUG`);
    const expected = JSON.parse(await expectedJson((l) => l.level !== "TRACE")) as unknown[];
    expect(events.map((e) => e.id)).toEqual(expected.map(() => "progress"));
    expect(events.map((e) => JSON.parse(e.data) as unknown)).toEqual(expected);
    expect(events.some((e) => e.data.includes(TOKEN) || e.data.includes("saker-sealed:"))).toBe(false);
  });

  it("follows the finished execution with one end event, its stored JSON shown as GET shows it", async () => {
    const { events } = await readEvents(`${t.api}/executions/${executionId}/follow`);
    expect(events.map((e) => e.id)).toEqual(["end"]);
    const got = await (await fetch(`${t.api}/executions/${executionId}`)).text();
    expect(events[0]!.data).toBe(got);
    expect((await fetch(`${t.api}/executions/nope-nope/follow`)).status).toBe(404);
  });
});
