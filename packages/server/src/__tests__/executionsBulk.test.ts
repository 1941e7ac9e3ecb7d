import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { json, postYaml, startTestApi, terminated, waitForExecution, type TestApi } from "./testApi.ts";

let t: TestApi;

const SLEEP = `id: sleepy
namespace: bulk.test
tasks:
  - id: sleep
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT60S
`;

const PAUSE = `id: gate
namespace: bulk.pause
tasks:
  - id: wait
    type: io.kestra.plugin.core.flow.Pause
  - id: after
    type: io.kestra.plugin.core.log.Log
    message: resumed
`;

const FLAKY = `id: flaky
namespace: bulk.flaky
tasks:
  - id: check
    type: io.saker.test.FailUntilFile
    path: ready.txt
`;

beforeAll(async () => {
  t = await startTestApi();
  for (const flow of [SLEEP, PAUSE, FLAKY]) expect((await postYaml(`${t.api}/flows`, flow)).status).toBe(200);
});
afterAll(() => t.close());

const start = async (namespace: string, id: string) =>
  (await json(await fetch(`${t.api}/executions/${namespace}/${id}`, { method: "POST" }))).id as string;
const send = (method: string, path: string, body?: unknown) =>
  fetch(`${t.api}${path}`, {
    method,
    ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
  });

describe("bulk actions on executions", () => {
  it("kill/by-ids is all or none, then kills; labels and delete by ids and by query", async () => {
    const a = await start("bulk.test", "sleepy");
    const b = await start("bulk.test", "sleepy");
    await waitForExecution(t.api, a, (x) => x.state.current === "RUNNING");
    await waitForExecution(t.api, b, (x) => x.state.current === "RUNNING");

    const refused = await send("DELETE", "/executions/kill/by-ids", [a, b, "no-such-id"]);
    expect(refused.status).toBe(400);
    const error = await json(refused);
    expect(error.code).toBe("BULK_INVALID");
    expect(error.details.invalids).toEqual([{ executionId: "no-such-id", message: "execution not found" }]);
    expect((await json(await fetch(`${t.api}/executions/${a}`))).state.current).toBe("RUNNING");

    expect(await json(await send("DELETE", "/executions/kill/by-ids", [a, b]))).toEqual({ count: 2 });
    for (const id of [a, b]) expect((await waitForExecution(t.api, id, terminated)).state.current).toBe("KILLED");

    // all or none: b does not carry a's correlation id, so a is not relabelled either
    const partial = await send("POST", "/executions/labels/by-ids", {
      executionsId: [a, b],
      executionLabels: [
        { key: "batch", value: "zero" },
        { key: "system.correlationId", value: a },
      ],
    });
    expect(partial.status).toBe(400);
    expect((await json(partial)).details.invalids).toEqual([
      { executionId: b, message: "system label system.correlationId can only be set by Saker itself" },
    ]);
    expect((await json(await fetch(`${t.api}/executions/${a}`))).labels).not.toContainEqual({
      key: "batch",
      value: "zero",
    });
    expect(
      await json(
        await send("POST", "/executions/labels/by-ids", {
          executionsId: [a, b],
          executionLabels: [{ key: "batch", value: "one" }],
        }),
      ),
    ).toEqual({ count: 2 });
    expect((await json(await fetch(`${t.api}/executions/${a}`))).labels).toContainEqual({ key: "batch", value: "one" });
    // by query, an execution that cannot take the labels (b lacks a's correlation id) is skipped
    expect(
      await json(
        await send("POST", "/executions/labels/by-query?namespace=bulk.test", [
          { key: "only", value: "a" },
          { key: "system.correlationId", value: a },
        ]),
      ),
    ).toEqual({ count: 1 });
    expect((await json(await fetch(`${t.api}/executions/${b}`))).labels).not.toContainEqual({
      key: "only",
      value: "a",
    });
    expect(
      await json(
        await send("POST", "/executions/labels/by-query?namespace=bulk.test", [{ key: "batch", value: "two" }]),
      ),
    ).toEqual({ count: 2 });
    expect((await json(await fetch(`${t.api}/executions/${b}`))).labels).toContainEqual({ key: "batch", value: "two" });

    expect(await json(await send("DELETE", "/executions/by-ids", [a]))).toEqual({ count: 1 });
    expect((await fetch(`${t.api}/executions/${a}`)).status).toBe(404);
    expect(await json(await send("DELETE", "/executions/by-query?namespace=bulk.test&labels=batch:two"))).toEqual({
      count: 1,
    });
    expect((await fetch(`${t.api}/executions/${b}`)).status).toBe(404);
  });

  it("resume/by-query resumes the paused executions", async () => {
    const ids = [await start("bulk.pause", "gate"), await start("bulk.pause", "gate")];
    for (const id of ids) await waitForExecution(t.api, id, (x) => x.state.current === "PAUSED");
    expect(await json(await send("POST", "/executions/resume/by-query?namespace=bulk.pause"))).toEqual({ count: 2 });
    for (const id of ids) expect((await waitForExecution(t.api, id, terminated)).state.current).toBe("SUCCESS");
    // nothing is paused any more: an empty bulk, and by ids a refusal naming the state
    expect(await json(await send("POST", "/executions/resume/by-query?namespace=bulk.pause"))).toEqual({ count: 0 });
    const refused = await send("POST", "/executions/resume/by-ids", [ids[0]]);
    expect(refused.status).toBe(400);
    expect(await json(refused)).toMatchObject({
      code: "BULK_INVALID",
      details: { invalids: [{ executionId: ids[0], message: "execution is SUCCESS, not PAUSED" }] },
    });
  });

  it("restart/by-ids restarts a failed execution in place; replay/by-ids starts a new one", async () => {
    const id = await start("bulk.flaky", "flaky");
    expect((await waitForExecution(t.api, id, terminated)).state.current).toBe("FAILED");
    const form = new FormData();
    form.append("fileContent", new Blob(["ok"]), "ready.txt");
    expect(
      (await fetch(`${t.api}/namespaces/bulk.flaky/files?path=/ready.txt`, { method: "POST", body: form })).status,
    ).toBeLessThan(300);
    expect(await json(await send("POST", "/executions/restart/by-ids", [id]))).toEqual({ count: 1 });
    expect(
      (await waitForExecution(t.api, id, (x) => terminated(x) && x.state.current !== "FAILED")).state.current,
    ).toBe("SUCCESS");

    expect(await json(await send("POST", "/executions/replay/by-ids", [id]))).toEqual({ count: 1 });
    const list = await json(await fetch(`${t.api}/executions?namespace=bulk.flaky&flowId=flaky`));
    expect(list.total).toBe(2);
  });

  it("GET /executions/namespaces and /executions/namespaces/{namespace}/flows list where executions are", async () => {
    const namespaces = await json<string[]>(await fetch(`${t.api}/executions/namespaces`));
    expect(namespaces).toEqual(expect.arrayContaining(["bulk.flaky", "bulk.pause"]));
    expect(await json(await fetch(`${t.api}/executions/namespaces/bulk.flaky/flows`))).toEqual(["flaky"]);
  });
});

describe("bulk deletion of flows", () => {
  it("delete/by-ids is all or none; delete/by-query deletes the matching flows", async () => {
    for (const id of ["one", "two", "three"])
      expect(
        (
          await postYaml(
            `${t.api}/flows`,
            `id: ${id}\nnamespace: bulk.flows\ntasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n`,
          )
        ).status,
      ).toBe(200);
    const refused = await send("DELETE", "/flows/delete/by-ids", [
      { namespace: "bulk.flows", id: "one" },
      { namespace: "bulk.flows", id: "missing" },
    ]);
    expect(refused.status).toBe(404);
    expect((await fetch(`${t.api}/flows/bulk.flows/one`)).status).toBe(200);
    expect(await json(await send("DELETE", "/flows/delete/by-ids", [{ namespace: "bulk.flows", id: "one" }]))).toEqual({
      count: 1,
    });
    expect((await fetch(`${t.api}/flows/bulk.flows/one`)).status).toBe(404);
    expect(await json(await send("DELETE", "/flows/delete/by-query?namespace=bulk.flows"))).toEqual({ count: 2 });
    expect((await json(await fetch(`${t.api}/flows/search?namespace=bulk.flows`))).total).toBe(0);
  });
});
