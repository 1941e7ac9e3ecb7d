/**
 * Requests that act on whatever a query selects take only the filters they know: an ignored one
 * would widen a delete, a kill or a disable to everything (a platform engineer's scripts send
 * Kestra's parameters).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { json, postYaml, startTestApi, terminated, waitForExecution, type TestApi } from "./testApi.ts";

let t: TestApi;

const CHILD = `id: child
namespace: guards.sub
tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: child
`;
const PARENT = `id: parent
namespace: guards.main
tasks:
  - id: sub
    type: io.kestra.plugin.core.flow.Subflow
    namespace: guards.sub
    flowId: child
`;
const scheduled = (namespace: string) => `id: daily
namespace: ${namespace}
tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: hi
triggers:
  - id: every_day
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 3 * * *"
`;

beforeAll(async () => {
  t = await startTestApi();
  for (const flow of [CHILD, PARENT, scheduled("guards.trig"), scheduled("guards.trig.other")])
    expect((await postYaml(`${t.api}/flows`, flow)).status).toBe(200);
});
afterAll(() => t.close());

const call = (method: string, path: string) => fetch(`${t.api}${path}`, { method });

async function runParent(): Promise<{ parent: string; child: string }> {
  const parent = (await json(await call("POST", "/executions/guards.main/parent"))).id as string;
  const done = await waitForExecution(t.api, parent, terminated);
  expect(done.state.current).toBe("SUCCESS");
  const child = (done.taskRunList as { outputs?: { executionId?: string } }[])[0]!.outputs!.executionId!;
  return { parent, child };
}

describe("executions by query", () => {
  it("triggerExecutionId and childFilter select the subflows of an execution, in searches and bulk actions", async () => {
    const first = await runParent();
    const second = await runParent();
    const ids = async (query: string) =>
      ((await json(await call("GET", `/executions/search?size=100&${query}`))).results as { id: string }[]).map(
        (x) => x.id,
      );
    expect(await ids(`triggerExecutionId=${first.parent}`)).toEqual([first.child]);
    const children = await ids("childFilter=CHILD&namespace=guards");
    expect(children.sort()).toEqual([first.child, second.child].sort());
    const mains = await ids("childFilter=MAIN&namespace=guards");
    expect(mains.sort()).toEqual([first.parent, second.parent].sort());
    expect(await ids(`filters[triggerExecutionId][EQUALS]=${second.parent}`)).toEqual([second.child]);
    expect((await call("GET", "/executions/search?childFilter=SOME")).status).toBe(400);
    // Kestra's yyyy-MM-dd'T'HH:mm[:ss][.SSS][XXX]: seconds and offset may be left out
    expect(await ids(`triggerExecutionId=${first.parent}&startDate=2000-01-01T00:00`)).toEqual([first.child]);
    expect(await ids(`triggerExecutionId=${first.parent}&endDate=2000-01-01T00:00`)).toEqual([]);

    // the delete takes the one child only
    expect(await json(await call("DELETE", `/executions/by-query?triggerExecutionId=${first.parent}`))).toEqual({
      count: 1,
    });
    expect((await call("GET", `/executions/${first.child}`)).status).toBe(404);
    for (const id of [first.parent, second.parent, second.child])
      expect((await call("GET", `/executions/${id}`)).status).toBe(200);
  });

  it("a bulk action with a parameter it does not know does nothing and says which", async () => {
    const { parent } = await runParent();
    const refused = await call("DELETE", `/executions/by-query?flowIdd=parent`);
    expect(refused.status).toBe(400);
    expect((await json(refused)).message).toContain("Unknown parameter 'flowIdd': nothing was done");
    expect((await call("POST", `/executions/labels/by-query?nonsense=1`)).status).toBe(400);
    expect((await call("GET", `/executions/${parent}`)).status).toBe(200);
    // what Kestra's clients send is taken: a bare `filters=`, replay's latestRevision
    const replayed = await call(
      "POST",
      `/executions/replay/by-query?filters=&latestRevision=false&triggerExecutionId=${parent}`,
    );
    expect(await json(replayed)).toEqual({ count: 1 });
  });
});

describe("triggers by query", () => {
  const namespaces = async (query: string) =>
    (
      (await json(await call("GET", `/triggers/search?size=100&${query}`))).results as {
        triggerContext: { namespace: string };
      }[]
    )
      .map((r) => r.triggerContext.namespace)
      .sort();

  it("filters[…] select in searches and bulk actions; namespace EQUALS leaves the namespaces below out", async () => {
    expect(await namespaces("filters[namespace][EQUALS]=guards.trig")).toEqual(["guards.trig"]);
    expect(await namespaces("filters[namespace][PREFIX]=guards.trig")).toEqual(["guards.trig", "guards.trig.other"]);
    expect(await namespaces("filters[flowId][EQUALS]=nothing")).toEqual([]);
    const disabled = await call(
      "POST",
      "/triggers/set-disabled/by-query?filters[namespace][EQUALS]=guards.trig&disabled=true",
    );
    expect(await json(disabled)).toEqual({ count: 1 });
    const states = (
      (await json(await call("GET", "/triggers/search?size=100&namespace=guards.trig"))).results as {
        triggerContext: { namespace: string; disabled?: boolean };
      }[]
    ).map((r) => `${r.triggerContext.namespace}:${r.triggerContext.disabled === true}`);
    expect(states.sort()).toEqual(["guards.trig.other:false", "guards.trig:true"]);
    expect(await json(await call("POST", "/triggers/unlock/by-query?filters[flowId][EQUALS]=nothing"))).toEqual({
      count: 0,
    });
  });

  it("a search sorts by namespace, flowId or triggerId; paging and a bare filters= are taken", async () => {
    expect(await namespaces("namespace=guards.trig&sort=namespace:desc&filters=")).toEqual([
      "guards.trig",
      "guards.trig.other",
    ]);
    const ordered = (
      (await json(await call("GET", "/triggers/search?namespace=guards.trig&sort=namespace:desc"))).results as {
        triggerContext: { namespace: string };
      }[]
    ).map((r) => r.triggerContext.namespace);
    expect(ordered).toEqual(["guards.trig.other", "guards.trig"]);
    expect((await call("POST", "/triggers/unlock/by-query?namespace=guards.none&page=1&size=25")).status).toBe(200);
  });

  it("an unknown filter, parameter or sort is refused, and nothing is done", async () => {
    for (const [method, path] of [
      ["GET", "/triggers/search?filters[bogus][EQUALS]=x"],
      ["GET", "/triggers/search?sort=bogus:asc"],
      ["POST", "/triggers/set-disabled/by-query?filters[state][EQUALS]=x&disabled=true"],
      ["POST", "/triggers/unlock/by-query?namespaec=guards"],
    ] as const)
      expect((await call(method, path)).status, path).toBe(400);
    expect(await namespaces("namespace=guards.trig.other")).toEqual(["guards.trig.other"]);
    const other = (await json(await call("GET", "/triggers/search?namespace=guards.trig.other"))).results[0];
    expect(other.triggerContext.disabled ?? false).toBe(false);
  });
});

describe("logs", () => {
  it("deleting an execution's logs with a filter it cannot apply is refused, and nothing is deleted", async () => {
    const { parent } = await runParent();
    const count = async () => ((await json(await call("GET", `/logs/${parent}`))) as unknown[]).length;
    const before = await count();
    expect(before).toBeGreaterThan(0);
    const refused = await call("DELETE", `/logs/${parent}?minLevel=ERROR`);
    expect(refused.status).toBe(400);
    expect(await count()).toBe(before);
    expect((await call("DELETE", `/logs/${parent}`)).status).toBe(204);
    expect(await count()).toBe(0);
  });
});
