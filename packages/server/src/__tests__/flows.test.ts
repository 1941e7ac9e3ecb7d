import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { json, postYaml, startTestApi, type TestApi } from "./testApi.ts";

let t: TestApi;
beforeAll(async () => {
  t = await startTestApi();
});
afterAll(() => t.close());

const hello = (message = "hello") => `id: hello
namespace: company.team
labels:
  env: prod
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: ${message}
`;

const INVALID = `id: broken
namespace: company.team
tasks:
  - id: ok
    type: io.kestra.plugin.core.log.Log
    message: fine
  - id: nope
    type: io.kestra.plugin.core.log.NoSuchTask
  - id: retrying
    type: io.kestra.plugin.core.log.Log
    message: hi
    retry:
      type: constant
      interval: PT1S
      maxAttempt: lots
`;

describe("flows", () => {
  it("creates a flow from YAML, with its source and revision 1, once", async () => {
    const created = await postYaml(`${t.api}/flows`, hello());
    expect(created.status).toBe(200);
    const flow = await json(created);
    expect(flow).toMatchObject({
      id: "hello",
      namespace: "company.team",
      revision: 1,
      disabled: false,
      deleted: false,
      source: hello(),
    });
    expect(flow.tasks).toEqual([expect.objectContaining({ id: "log", type: "io.kestra.plugin.core.log.Log" })]);
    const again = await postYaml(`${t.api}/flows`, hello());
    expect(again.status).toBe(409);
    expect(await json(again)).toMatchObject({ code: "FLOW_ALREADY_EXISTS" });
  });

  it("answers 422 for an invalid flow, listing every problem with its YAML path and line", async () => {
    const response = await postYaml(`${t.api}/flows`, INVALID);
    expect(response.status).toBe(422);
    const body = await json<{
      code: string;
      path: string;
      message: string;
      details: { issues: { path: string; line: number }[] };
    }>(response);
    expect(body.code).toBe("FLOW_INVALID");
    expect(body.path).toBe("tasks[1].type");
    const issues = body.details.issues;
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: "tasks[1].type", line: 8 }),
        expect.objectContaining({ path: "tasks[2].retry.maxAttempt", line: 15 }),
      ]),
    );
    expect(body.message).toContain("NoSuchTask");
    expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+/);
    expect((await fetch(`${t.api}/flows/company.team/broken`)).status).toBe(404);
  });

  it("answers 422 for unparsable YAML and 400 for an empty body", async () => {
    const bad = await postYaml(`${t.api}/flows`, "id: x\n  namespace: [oops\n");
    expect(bad.status).toBe(422);
    expect(await json(bad)).toMatchObject({ code: "YAML_INVALID" });
    const empty = await fetch(`${t.api}/flows`, {
      method: "POST",
      headers: { "Content-Type": "application/x-yaml" },
      body: "",
    });
    expect(empty.status).toBe(400);
  });

  it("updates a flow as a new revision, only when the source changed", async () => {
    const updated = await json(await postYaml(`${t.api}/flows/company.team/hello`, hello("hello again"), "PUT"));
    expect(updated).toMatchObject({ revision: 2, source: hello("hello again") });
    const same = await json(await postYaml(`${t.api}/flows/company.team/hello`, hello("hello again"), "PUT"));
    expect(same.revision).toBe(2);
    const renamed = await postYaml(
      `${t.api}/flows/company.team/hello`,
      hello().replace("id: hello", "id: other"),
      "PUT",
    );
    expect(renamed.status).toBe(422);
    expect(await json(renamed)).toMatchObject({ code: "FLOW_INVALID", path: "id" });
    expect(
      (await postYaml(`${t.api}/flows/company.team/missing`, hello().replace("id: hello", "id: missing"), "PUT"))
        .status,
    ).toBe(404);
  });

  it("gets a flow as JSON, with its source, at a revision, or as YAML", async () => {
    const latest = await json(await fetch(`${t.api}/flows/company.team/hello`));
    expect(latest).toMatchObject({ id: "hello", revision: 2, labels: [{ key: "env", value: "prod" }] });
    expect(latest.source).toBeUndefined();
    const withSource = await json(await fetch(`${t.api}/flows/company.team/hello?source=true&revision=1`));
    expect(withSource).toMatchObject({ revision: 1, source: hello() });
    const yaml = await fetch(`${t.api}/flows/company.team/hello`, { headers: { Accept: "application/x-yaml" } });
    expect(yaml.headers.get("content-type")).toContain("application/x-yaml");
    expect(await yaml.text()).toBe(hello("hello again"));
    const revisions = await json<{ revision: number; source: string }[]>(
      await fetch(`${t.api}/flows/company.team/hello/revisions`),
    );
    expect(revisions.map((r) => r.revision)).toEqual([1, 2]);
    expect((await fetch(`${t.api}/flows/company.team/hello?revision=9`)).status).toBe(404);
    expect((await fetch(`${t.api}/flows/company.team/hello?revision=zero`)).status).toBe(400);
  });

  it("lists, searches with filters and paging, and lists namespaces", async () => {
    for (const [ns, id] of [
      ["company.team", "a1"],
      ["company.team.sub", "b2"],
      ["companyx", "c3"],
    ] as const) {
      expect(
        (
          await postYaml(
            `${t.api}/flows`,
            `id: ${id}\nnamespace: ${ns}\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: m\n`,
          )
        ).status,
      ).toBe(200);
    }
    const inNamespace = await json<{ id: string }[]>(await fetch(`${t.api}/flows/company.team`));
    expect(inNamespace.map((f) => f.id).sort()).toEqual(["a1", "hello"]);
    const prefix = await json<{ results: { id: string }[]; total: number }>(
      await fetch(`${t.api}/flows/search?filters[namespace][PREFIX]=company.team&sort=id:desc`),
    );
    expect(prefix).toMatchObject({ total: 3 });
    expect(prefix.results.map((f) => f.id)).toEqual(["hello", "b2", "a1"]);
    const page = await json<{ results: { id: string }[]; total: number }>(
      await fetch(`${t.api}/flows/search?namespace=company&size=1&page=2&sort=id:asc`),
    );
    expect(page).toMatchObject({ total: 3, results: [{ id: "b2" }] });
    const byLabel = await json<{ results: { id: string }[] }>(await fetch(`${t.api}/flows/search?labels=env:prod`));
    expect(byLabel.results.map((f) => f.id)).toEqual(["hello"]);
    const q = await json<{ results: { id: string }[] }>(await fetch(`${t.api}/flows/search?q=c3`));
    expect(q.results.map((f) => f.id)).toEqual(["c3"]);
    const badFilter = await fetch(`${t.api}/flows/search?filters[colour][EQUALS]=red`);
    expect(badFilter.status).toBe(400);
    expect(await json(badFilter)).toMatchObject({ code: "SEARCH_INVALID", path: "filters[colour]" });
    expect(await json(await fetch(`${t.api}/flows/distinct-namespaces`))).toEqual([
      "company.team",
      "company.team.sub",
      "companyx",
    ]);
  });

  it("validates several documents, each with its problems and lines in the whole body", async () => {
    const body = `${hello()}---\n${INVALID}`;
    const results = await json<Record<string, any>[]>(await postYaml(`${t.api}/flows/validate`, body));
    expect(results).toHaveLength(2);
    expect(results[0]).toMatchObject({ index: 0, flow: "hello", namespace: "company.team" });
    expect(results[0]!.constraints).toBeUndefined();
    expect(results[1]).toMatchObject({ index: 1, flow: "broken", namespace: "company.team" });
    const offset = hello().split("\n").length;
    expect(results[1]!.constraints).toContain(`tasks[1].type`);
    expect(results[1]!.constraints).toContain(`(line ${8 + offset})`);
  });

  it("imports several flows at once, or none when one is invalid", async () => {
    const two = `id: bulk1\nnamespace: bulk\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: one\n---\nid: bulk2\nnamespace: bulk\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: two\n`;
    const saved = await json<{ id: string; revision: number }[]>(await postYaml(`${t.api}/flows/bulk`, two));
    expect(saved.map((f) => [f.id, f.revision])).toEqual([
      ["bulk1", 1],
      ["bulk2", 1],
    ]);
    const rejected = await postYaml(
      `${t.api}/flows/bulk`,
      `${two.replace("message: one", "message: changed")}---\n${INVALID}`,
    );
    expect(rejected.status).toBe(422);
    expect(await json(rejected)).toMatchObject({
      code: "FLOW_INVALID",
      details: { documents: [expect.objectContaining({ index: 2, flow: "broken" })] },
    });
    expect((await json(await fetch(`${t.api}/flows/bulk/bulk1`))).revision).toBe(1);
  });

  it("replaces a namespace's flows as Kestra's `flow namespace update` does (POST /flows/{namespace})", async () => {
    const flow = (id: string, namespace = "deploy.team") =>
      `id: ${id}\nnamespace: ${namespace}\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: ${id}\n`;
    expect((await postYaml(`${t.api}/flows`, flow("old"))).status).toBe(200);
    expect((await postYaml(`${t.api}/flows`, flow("child", "deploy.team.sub"))).status).toBe(200);
    const saved = await json<{ id: string }[]>(
      await postYaml(`${t.api}/flows/deploy.team`, `${flow("a")}---\n${flow("b")}`),
    );
    expect(saved.map((f) => f.id)).toEqual(["a", "b"]);
    const ids = async (namespace: string) =>
      (await json<{ id: string }[]>(await fetch(`${t.api}/flows/${namespace}`))).map((f) => f.id).sort();
    // the namespace's flows left out are deleted; its child namespaces are left alone
    expect(await ids("deploy.team")).toEqual(["a", "b"]);
    expect(await ids("deploy.team.sub")).toEqual(["child"]);
    // delete=false keeps them; a flow of another namespace or one given twice saves nothing
    expect((await postYaml(`${t.api}/flows/deploy.team?delete=false`, flow("c"))).status).toBe(200);
    expect(await ids("deploy.team")).toEqual(["a", "b", "c"]);
    const outside = await postYaml(`${t.api}/flows/deploy.team`, `${flow("d")}---\n${flow("x", "elsewhere")}`);
    expect(outside.status).toBe(422);
    expect((await json(outside)).message).toContain("Flow 'elsewhere/x' is not in namespace 'deploy.team'");
    const twice = await postYaml(`${t.api}/flows/deploy.team`, `${flow("d")}---\n${flow("d")}`);
    expect(twice.status).toBe(422);
    expect((await json(twice)).message).toContain("Flow 'deploy.team/d' is given twice");
    expect(await ids("deploy.team")).toEqual(["a", "b", "c"]);
  });

  it("disables and enables flows by ids and by query; a disabled flow cannot run", async () => {
    const disabled = await fetch(`${t.api}/flows/disable/by-ids`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify([{ namespace: "bulk", id: "bulk1" }]),
    });
    expect(await json(disabled)).toEqual({ count: 1 });
    const flow = await json(await fetch(`${t.api}/flows/bulk/bulk1?source=true`));
    expect(flow).toMatchObject({ disabled: true, revision: 2 });
    expect(flow.source).toContain("disabled: true");
    const run = await fetch(`${t.api}/executions/bulk/bulk1`, { method: "POST" });
    expect(run.status).toBe(409);
    expect(await json(run)).toMatchObject({ code: "FLOW_DISABLED" });
    expect(await json(await fetch(`${t.api}/flows/enable/by-query?namespace=bulk`, { method: "POST" }))).toEqual({
      count: 2,
    });
    expect(await json(await fetch(`${t.api}/flows/bulk/bulk1`))).toMatchObject({ disabled: false, revision: 3 });
    expect(
      (
        await fetch(`${t.api}/flows/disable/by-ids`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify([{ namespace: "bulk", id: "nope" }]),
        })
      ).status,
    ).toBe(404);
  });

  it("serves the same routes under the tenant prefix", async () => {
    const flow = await json(await fetch(`${t.url}/api/v1/main/flows/company.team/hello`));
    expect(flow).toMatchObject({ id: "hello", revision: 2 });
  });

  it("deletes a flow", async () => {
    expect((await fetch(`${t.api}/flows/companyx/c3`, { method: "DELETE" })).status).toBe(204);
    const gone = await fetch(`${t.api}/flows/companyx/c3`);
    expect(gone.status).toBe(404);
    expect(await json(gone)).toMatchObject({ code: "FLOW_NOT_FOUND", message: "Flow 'companyx/c3' not found" });
    expect((await fetch(`${t.api}/flows/companyx/c3?allowDeleted=true`)).status).toBe(200);
    expect((await fetch(`${t.api}/flows/companyx/c3`, { method: "DELETE" })).status).toBe(404);
  });

  it("returns one task of a flow, and the flow as the execution form reads it", async () => {
    expect((await postYaml(`${t.api}/flows`, hello("one task").replace("id: hello", "id: tasky"))).status).toBe(200);
    const task = await json(await fetch(`${t.api}/flows/company.team/tasky/tasks/log`));
    expect(task).toMatchObject({ id: "log", type: "io.kestra.plugin.core.log.Log", message: "one task" });
    const missing = await fetch(`${t.api}/flows/company.team/tasky/tasks/nope`);
    expect(missing.status).toBe(404);
    expect((await json(missing)).code).toBe("TASK_NOT_FOUND");
    const flow = await json(await fetch(`${t.api}/executions/flows/company.team/tasky`));
    expect(flow).toMatchObject({ id: "tasky", namespace: "company.team" });
    expect(flow.source).toBeUndefined();
  });
});
