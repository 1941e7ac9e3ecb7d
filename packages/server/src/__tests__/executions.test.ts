import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { json, postYaml, readEvents, startTestApi, terminated, waitForExecution, type TestApi } from "./testApi.ts";

let t: TestApi;

const INPUTS_FLOW = `id: inputs
namespace: company.team
inputs:
  - id: name
    type: STRING
  - id: count
    type: INT
    defaults: 2
  - id: data
    type: FILE
tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: "Hello {{ inputs.name }}, count {{ inputs.count }}"
  - id: write
    type: io.saker.test.WriteFile
    name: report.csv
    content: "a,b\\n1,{{ inputs.name }}\\n2,x\\n3,y"
`;

const SLEEP_FLOW = `id: sleepy
namespace: company.team
tasks:
  - id: sleep
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT60S
`;

const PAUSE_FLOW = `id: approval
namespace: company.team
tasks:
  - id: wait
    type: io.kestra.plugin.core.flow.Pause
    onResume:
      - id: approved
        type: BOOLEAN
      - id: reason
        type: STRING
        defaults: none given
  - id: after
    type: io.kestra.plugin.core.log.Log
    message: "approved={{ outputs.wait.onResume.approved }} reason={{ outputs.wait.onResume.reason }}"
`;

const SLOW_FLOW = `id: slow
namespace: company.team
tasks:
  - id: one
    type: io.kestra.plugin.core.log.Log
    message: step one
  - id: pause
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT0.5S
  - id: two
    type: io.kestra.plugin.core.log.Log
    message: step two
`;

const FLAKY_FLOW = `id: flaky
namespace: company.team
tasks:
  - id: first
    type: io.kestra.plugin.core.log.Log
    message: first
  - id: check
    type: io.saker.test.FailUntilFile
    path: ready.txt
`;

beforeAll(async () => {
  t = await startTestApi();
  for (const flow of [INPUTS_FLOW, SLEEP_FLOW, PAUSE_FLOW, FLAKY_FLOW, SLOW_FLOW])
    expect((await postYaml(`${t.api}/flows`, flow)).status).toBe(200);
});
afterAll(() => t.close());

function form(fields: Record<string, string | Blob>, files: Record<string, [Blob, string]> = {}): FormData {
  const data = new FormData();
  for (const [k, v] of Object.entries(fields)) data.append(k, v);
  for (const [k, [blob, name]] of Object.entries(files)) data.append(k, blob, name);
  return data;
}

async function runInputs(name = "Ada", labels = ""): Promise<Record<string, any>> {
  const body = form({ name }, { data: [new Blob(["file content"]), "data.txt"] });
  const response = await fetch(`${t.api}/executions/company.team/inputs${labels}`, { method: "POST", body });
  expect(response.status, await response.clone().text()).toBe(200);
  return json(response);
}

describe("running a flow over HTTP", () => {
  let execution: Record<string, any>;

  it("creates an execution from multipart inputs, a FILE input as a file part", async () => {
    execution = await runInputs("Ada", "?labels=team:data&labels=run:1");
    expect(execution).toMatchObject({
      namespace: "company.team",
      flowId: "inputs",
      flowRevision: 1,
      state: { current: "CREATED" },
    });
    expect(execution.inputs).toMatchObject({ name: "Ada", count: 2 });
    expect(execution.inputs.data).toMatch(
      new RegExp(`^kestra:///company/team/inputs/executions/${execution.id}/inputs/data/data.txt$`),
    );
    expect(execution.labels).toEqual(
      expect.arrayContaining([
        { key: "team", value: "data" },
        { key: "run", value: "1" },
      ]),
    );
  });

  it("follows it as server-sent events: progress with the execution, then end, then the stream closes", async () => {
    const { status, contentType, events } = await readEvents(`${t.api}/executions/${execution.id}/follow`);
    expect(status).toBe(200);
    expect(contentType).toContain("text/event-stream");
    expect(events.slice(0, -1).every((e) => e.id === "progress")).toBe(true);
    const end = events[events.length - 1]!;
    expect(end.id).toBe("end");
    const final = JSON.parse(end.data);
    expect(final).toMatchObject({ id: execution.id, state: { current: "SUCCESS" } });
    expect(final.taskRunList.map((r: { taskId: string }) => r.taskId)).toEqual(["hello", "write"]);
    execution = final;
  });

  it("streams a running execution's changes and logs live, and closes both streams at the end", async () => {
    const x = await json(await fetch(`${t.api}/executions/company.team/slow`, { method: "POST" }));
    const [followed, logs] = await Promise.all([
      readEvents(`${t.api}/executions/${x.id}/follow`),
      readEvents(`${t.api}/logs/${x.id}/follow`),
    ]);
    const states = followed.events.map((e) => [e.id, JSON.parse(e.data).state.current]);
    expect(states[0]![0]).toBe("progress");
    expect(states).toContainEqual(["progress", "RUNNING"]);
    expect(states[states.length - 1]).toEqual(["end", "SUCCESS"]);
    expect(followed.events.filter((e) => e.id === "end")).toHaveLength(1);
    const messages = logs.events.map((e) => JSON.parse(e.data).message as string);
    expect(logs.events.every((e) => e.id === "progress")).toBe(true);
    expect(messages.indexOf("step one")).toBeGreaterThanOrEqual(0);
    expect(messages.indexOf("step two")).toBeGreaterThan(messages.indexOf("step one"));
    expect(new Set(logs.events.map((e) => e.data)).size).toBe(logs.events.length);
  });

  it("gives the flow revision it ran, and takes the older creation path", async () => {
    expect(await json(await fetch(`${t.api}/executions/${execution.id}/flow`))).toMatchObject({
      id: "inputs",
      namespace: "company.team",
      revision: 1,
      source: INPUTS_FLOW,
    });
    const legacy = await fetch(`${t.api}/executions/trigger/company.team/slow`, { method: "POST" });
    expect(await json(legacy)).toMatchObject({ flowId: "slow", state: { current: "CREATED" } });
  });

  it("gives one end event for an execution already finished", async () => {
    const { events } = await readEvents(`${t.api}/executions/${execution.id}/follow`);
    expect(events.map((e) => e.id)).toEqual(["end"]);
  });

  it("reads its logs: by execution, by task, as text, and followed", async () => {
    const logs = await json<{ message: string; taskId: string; level: string }[]>(
      await fetch(`${t.api}/logs/${execution.id}`),
    );
    expect(logs).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ taskId: "hello", level: "INFO", message: "Hello Ada, count 2" }),
      ]),
    );
    const byTask = await json<{ taskId: string }[]>(await fetch(`${t.api}/logs/${execution.id}?taskId=write`));
    expect(byTask.every((l) => l.taskId === "write")).toBe(true);
    expect(await json(await fetch(`${t.api}/logs/${execution.id}?minLevel=ERROR`))).toEqual([]);
    const text = await fetch(`${t.api}/logs/${execution.id}/download`);
    expect(text.headers.get("content-type")).toContain("text/plain");
    expect(await text.text()).toMatch(/^\d{4}-\d\d-\d\dT[^ ]+ INFO Hello Ada, count 2$/m);
    const followed = await readEvents(`${t.api}/logs/${execution.id}/follow`);
    expect(followed.events.map((e) => JSON.parse(e.data).message)).toContain("Hello Ada, count 2");
    const search = await json<{ results: { message: string }[]; total: number }>(
      await fetch(`${t.api}/logs/search?q=count%202&namespace=company`),
    );
    expect(search.total).toBeGreaterThanOrEqual(1);
    expect((await fetch(`${t.api}/logs/nope-nope`)).status).toBe(404);
  });

  it("downloads, previews and sizes its output and input files", async () => {
    const uri = execution.taskRunList.find((r: { taskId: string }) => r.taskId === "write").outputs.uri as string;
    const file = await fetch(`${t.api}/executions/${execution.id}/file?path=${encodeURIComponent(uri)}`);
    expect(file.status).toBe(200);
    expect(file.headers.get("content-disposition")).toMatch(/attachment; filename=".*report\.csv"/);
    expect(await file.text()).toBe("a,b\n1,Ada\n2,x\n3,y");
    const preview = await json(
      await fetch(`${t.api}/executions/${execution.id}/file/preview?path=${encodeURIComponent(uri)}&maxRows=2`),
    );
    expect(preview).toMatchObject({ extension: "csv", type: "TEXT", content: "a,b\n1,Ada", truncated: true });
    expect(
      await json(await fetch(`${t.api}/executions/${execution.id}/file/metas?path=${encodeURIComponent(uri)}`)),
    ).toEqual({ size: 17 });
    const input = await fetch(
      `${t.api}/executions/${execution.id}/file?path=${encodeURIComponent(execution.inputs.data)}`,
    );
    expect(await input.text()).toBe("file content");
  });

  it("refuses files of other executions, traversal and unknown files", async () => {
    const other = await runInputs("Bob");
    await waitForExecution(t.api, other.id, terminated);
    const theirs = encodeURIComponent(other.inputs.data);
    const denied = await fetch(`${t.api}/executions/${execution.id}/file?path=${theirs}`);
    expect(denied.status).toBe(403);
    expect(await json(denied)).toMatchObject({ code: "FILE_ACCESS_DENIED" });
    const prefix = `kestra:///company/team/inputs/executions/${execution.id}`;
    for (const path of [
      `${prefix}/../${other.id}/inputs/data/data.txt`,
      `${prefix}/%2e%2e/${other.id}/inputs/data/data.txt`,
      `${prefix}/%252e%252e/${other.id}/inputs/data/data.txt`,
      `${prefix}\\..\\${other.id}\\inputs\\data\\data.txt`,
      `${prefix}/inputs/data/data.txt\u0000.png`,
      `/etc/passwd`,
      `file:///etc/passwd`,
    ]) {
      const response = await fetch(`${t.api}/executions/${execution.id}/file?path=${encodeURIComponent(path)}`);
      expect(response.status, path).toBe(400);
      expect((await json(response)).code).toBe("PATH_INVALID");
    }
    const raw = await fetch(
      `${t.api}/executions/${execution.id}/file?path=${prefix}/%2e%2e/${other.id}/inputs/data/data.txt`,
    );
    expect(raw.status).toBe(400);
    expect(
      (await fetch(`${t.api}/executions/${execution.id}/file?path=${encodeURIComponent(`${prefix}/nothing.txt`)}`))
        .status,
    ).toBe(404);
    expect((await fetch(`${t.api}/executions/nope/file?path=${encodeURIComponent(`${prefix}/x`)}`)).status).toBe(404);
  });

  it("searches executions with filters, paging and the older parameters", async () => {
    const byFlow = await json<{ results: { id: string; flowId: string }[]; total: number }>(
      await fetch(`${t.api}/executions/search?filters[flowId][EQUALS]=inputs&filters[state][IN]=SUCCESS`),
    );
    expect(byFlow.total).toBe(2);
    expect(byFlow.results.every((x) => x.flowId === "inputs")).toBe(true);
    const byLabel = await json<{ results: { id: string }[] }>(
      await fetch(`${t.api}/executions/search?labels=team:data`),
    );
    expect(byLabel.results.map((x) => x.id)).toEqual([execution.id]);
    const paged = await json<{ results: unknown[]; total: number }>(
      await fetch(`${t.api}/executions/search?namespace=company&size=1&page=1&sort=state.startDate:asc`),
    );
    expect(paged.results).toHaveLength(1);
    expect((paged.results[0] as { id: string }).id).toBe(execution.id);
    const ofFlow = await json<{ total: number }>(
      await fetch(`${t.api}/executions?namespace=company.team&flowId=inputs`),
    );
    expect(ofFlow.total).toBe(2);
    expect((await fetch(`${t.api}/executions/search?size=0`)).status).toBe(400);
  });

  it("changes the labels of a terminated execution", async () => {
    const updated = await json(
      await fetch(`${t.api}/executions/${execution.id}/labels`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify([
          { key: "run", value: "2" },
          { key: "reviewed", value: "yes" },
        ]),
      }),
    );
    expect(updated.labels).toEqual(
      expect.arrayContaining([
        { key: "run", value: "2" },
        { key: "reviewed", value: "yes" },
        { key: "team", value: "data" },
      ]),
    );
    expect((await json(await fetch(`${t.api}/executions/${execution.id}`))).labels).toEqual(updated.labels);
    const system = await fetch(`${t.api}/executions/${execution.id}/labels`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify([{ key: "system.readOnly", value: "true" }]),
    });
    expect(system.status).toBe(400);
  });

  it("takes inputs as a JSON object or URL-encoded fields too", async () => {
    const fromJson = await json(
      await fetch(`${t.api}/executions/company.team/approval`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ ignored: 1 }),
      }),
    );
    expect(fromJson.state).toMatchObject({ current: "CREATED" });
    const flow =
      "id: typed\nnamespace: company.team\ninputs:\n  - id: n\n    type: INT\n  - id: tags\n    type: ARRAY\n    itemType: STRING\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: m\n";
    expect((await postYaml(`${t.api}/flows`, flow)).status).toBe(200);
    const fromJsonTyped = await json(
      await fetch(`${t.api}/executions/company.team/typed`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ n: 5, tags: ["a", "b"] }),
      }),
    );
    expect(fromJsonTyped.inputs).toEqual({ n: 5, tags: ["a", "b"] });
    const fromForm = await json(
      await fetch(`${t.api}/executions/company.team/typed`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: "n=7&tags=%5B%22c%22%5D",
      }),
    );
    expect(fromForm.inputs).toEqual({ n: 7, tags: ["c"] });
    const single = await json(
      await fetch(`${t.api}/executions/company.team/typed`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ n: "8", tags: ["only"] }),
      }),
    );
    expect(single.inputs).toEqual({ n: 8, tags: ["only"] });
  });

  it("waits for the end with wait=true", async () => {
    const response = await fetch(`${t.api}/executions/company.team/inputs?wait=true`, {
      method: "POST",
      body: form({ name: "Wait" }, { data: [new Blob(["x"]), "x.txt"] }),
    });
    expect(await json(response)).toMatchObject({ state: { current: "SUCCESS" } });
  });

  it("stops waiting when the client of a wait=true request goes away", async () => {
    const sleepyIds = async () =>
      (
        (await json(await fetch(`${t.api}/executions/search?filters[flowId][EQUALS]=sleepy&size=100`))).results as {
          id: string;
        }[]
      ).map((x) => x.id);
    const earlier = new Set(await sleepyIds());
    const events = t.test.instance.events;
    const before = events.listenerCount("execution");
    const client = new AbortController();
    const request = fetch(`${t.api}/executions/company.team/sleepy?wait=true`, {
      method: "POST",
      signal: client.signal,
    }).catch((error: unknown) => error);
    // one listener for all waiting requests, there from the moment one waits
    for (let i = 0; i < 100 && events.listenerCount("execution") === before; i++) await sleep(20);
    expect(events.listenerCount("execution")).toBe(before + 1);
    client.abort();
    expect(await request).toMatchObject({ name: "AbortError" });
    for (let i = 0; i < 100 && events.listenerCount("execution") > before; i++) await sleep(20);
    expect(events.listenerCount("execution")).toBe(before);
    for (const id of await sleepyIds())
      if (!earlier.has(id)) await fetch(`${t.api}/executions/${id}/kill`, { method: "DELETE" });
  });
});

describe("errors when creating executions", () => {
  it("answers 404 for an unknown flow, 422 listing every invalid input, 400 for system labels", async () => {
    const unknown = await fetch(`${t.api}/executions/company.team/nope`, { method: "POST" });
    expect(unknown.status).toBe(404);
    expect(await json(unknown)).toMatchObject({ code: "FLOW_NOT_FOUND" });
    const invalid = await fetch(`${t.api}/executions/company.team/inputs`, {
      method: "POST",
      body: form({ count: "many" }),
    });
    expect(invalid.status).toBe(422);
    const body = await json<{ code: string; message: string; details: { errors: string[] } }>(invalid);
    expect(body.code).toBe("INPUT_INVALID");
    expect(body.details.errors).toEqual(
      expect.arrayContaining([
        expect.stringContaining("`name`, missing required input"),
        expect.stringContaining("`count`"),
        expect.stringContaining("`data`"),
      ]),
    );
    const system = await fetch(`${t.api}/executions/company.team/inputs?labels=system.readOnly:true`, {
      method: "POST",
    });
    expect(system.status).toBe(400);
    expect((await fetch(`${t.api}/executions/nope`)).status).toBe(404);
  });
});

describe("acting on executions", () => {
  it("kills a sleeping execution (202), then refuses to kill it again (409)", async () => {
    const x = await json(await fetch(`${t.api}/executions/company.team/sleepy`, { method: "POST" }));
    await waitForExecution(t.api, String(x.id), (e) =>
      e.taskRunList?.some((r: { state: { current: string } }) => r.state.current === "RUNNING"),
    );
    const kill = await fetch(`${t.api}/executions/${x.id}/kill`, { method: "DELETE" });
    expect(kill.status).toBe(202);
    const killed = await waitForExecution(t.api, String(x.id), terminated, 10_000);
    expect(killed.state.current).toBe("KILLED");
    const again = await fetch(`${t.api}/executions/${x.id}/kill`, { method: "DELETE" });
    expect(again.status).toBe(409);
    expect(await json(again)).toMatchObject({ code: "EXECUTION_FINISHED" });
    expect((await fetch(`${t.api}/executions/nope/kill`, { method: "DELETE" })).status).toBe(404);
  });

  it("resumes a paused execution with onResume inputs validated against the Pause task", async () => {
    const x = await json(await fetch(`${t.api}/executions/company.team/approval`, { method: "POST" }));
    await waitForExecution(t.api, String(x.id), (e) => e.state.current === "PAUSED");
    const invalid = await fetch(`${t.api}/executions/${x.id}/resume`, {
      method: "POST",
      body: form({ reason: "forgot approved" }),
    });
    expect(invalid.status).toBe(422);
    expect(await json(invalid)).toMatchObject({
      code: "INPUT_INVALID",
      message: expect.stringContaining("`approved`, missing required input"),
    });
    expect((await json(await fetch(`${t.api}/executions/${x.id}`))).state.current).toBe("PAUSED");
    const resumed = await fetch(`${t.api}/executions/${x.id}/resume`, {
      method: "POST",
      body: form({ approved: "true" }),
    });
    expect(resumed.status).toBe(204);
    const done = await waitForExecution(t.api, String(x.id), terminated);
    expect(done.state.current).toBe("SUCCESS");
    expect(done.taskRunList[0].outputs).toEqual({ onResume: { approved: true, reason: "none given" } });
    const logs = await json<{ message: string }[]>(await fetch(`${t.api}/logs/${x.id}?taskId=after`));
    expect(logs.map((l) => l.message)).toContain("approved=true reason=none given");
    const notPaused = await fetch(`${t.api}/executions/${x.id}/resume`, { method: "POST" });
    expect(notPaused.status).toBe(409);
  });

  it("restarts a failed execution, same id, once the cause is fixed", async () => {
    const x = await json(await fetch(`${t.api}/executions/company.team/flaky`, { method: "POST" }));
    const failed = await waitForExecution(t.api, String(x.id), terminated);
    expect(failed.state.current).toBe("FAILED");
    const upload = new FormData();
    upload.append("fileContent", new Blob(["ok"]), "ready.txt");
    expect(
      (await fetch(`${t.api}/namespaces/company.team/files?path=/ready.txt`, { method: "POST", body: upload })).status,
    ).toBe(200);
    const restart = await fetch(`${t.api}/executions/${x.id}/restart`, { method: "POST" });
    expect(restart.status).toBe(200);
    expect(await json(restart)).toMatchObject({
      id: x.id,
      state: { current: "RESTARTED" },
      metadata: { attemptNumber: 2 },
    });
    const final = await waitForExecution(t.api, String(x.id), terminated);
    expect(final.state.current).toBe("SUCCESS");
    expect(final.id).toBe(x.id);
    expect(final.state.histories.map((h: { state: string }) => h.state)).toContain("RESTARTED");
    const again = await fetch(`${t.api}/executions/${x.id}/restart`, { method: "POST" });
    expect(again.status).toBe(409);
  });

  it("starts a flow named like an action (restart, pause) where no execution has that id", async () => {
    // what the action answers for the SUCCESS execution of that flow: its own refusal, not a start
    const ACTED_ON_SUCCESS: Record<string, { status: number; code: string }> = {
      restart: { status: 409, code: "EXECUTION_NOT_RESTARTABLE" },
      pause: { status: 501, code: "NOT_IMPLEMENTED" },
    };
    for (const action of ["restart", "pause"]) {
      expect(
        (
          await postYaml(
            `${t.api}/flows`,
            `id: ${action}\nnamespace: company.actions\ntasks:\n  - id: hi\n    type: io.kestra.plugin.core.debug.Return\n    format: ${action}d\n`,
          )
        ).status,
      ).toBe(200);
      const created = await fetch(`${t.api}/executions/company.actions/${action}?wait=true`, { method: "POST" });
      const body = await json(created);
      expect(created.status, JSON.stringify(body)).toBe(200);
      expect(body).toMatchObject({ namespace: "company.actions", flowId: action, state: { current: "SUCCESS" } });
      // the action itself still applies to an execution id
      const acted = await fetch(`${t.api}/executions/${body.id}/${action}`, { method: "POST" });
      expect({ status: acted.status, code: (await json(acted)).code }).toEqual(ACTED_ON_SUCCESS[action]);
    }
  });

  it("replays an execution as a new one, from scratch or from a task run", async () => {
    const source = await waitForExecution(
      t.api,
      String((await json(await fetch(`${t.api}/executions/company.team/flaky`, { method: "POST" }))).id),
      terminated,
    );
    const replay = await json(await fetch(`${t.api}/executions/${source.id}/replay`, { method: "POST" }));
    expect(replay.id).not.toBe(source.id);
    expect(replay).toMatchObject({ parentId: source.id, originalId: source.originalId });
    expect((await waitForExecution(t.api, String(replay.id), terminated)).state.current).toBe("SUCCESS");
    const checkRun = source.taskRunList.find((r: { taskId: string }) => r.taskId === "check");
    const fromTask = await json(
      await fetch(`${t.api}/executions/${source.id}/replay?taskRunId=${checkRun.id}`, { method: "POST" }),
    );
    expect(fromTask).toMatchObject({ parentId: source.id });
    const done = await waitForExecution(t.api, String(fromTask.id), terminated);
    expect(done.taskRunList.map((r: { taskId: string }) => r.taskId)).toEqual(["first", "check"]);
    const unknownTask = await fetch(`${t.api}/executions/${source.id}/replay?taskRunId=nope`, { method: "POST" });
    expect(unknownTask.status).toBe(404);
  });

  it("deletes a finished execution with its logs", async () => {
    const x = await waitForExecution(
      t.api,
      String((await json(await fetch(`${t.api}/executions/company.team/flaky`, { method: "POST" }))).id),
      terminated,
    );
    expect((await json<unknown[]>(await fetch(`${t.api}/logs/${x.id}`))).length).toBeGreaterThan(0);
    expect((await fetch(`${t.api}/executions/${x.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await fetch(`${t.api}/executions/${x.id}`)).status).toBe(404);
    expect((await fetch(`${t.api}/logs/${x.id}`)).status).toBe(404);
  });

  it("deletes the logs of an execution, and of a flow", async () => {
    const a = await waitForExecution(
      t.api,
      String((await json(await fetch(`${t.api}/executions/company.team/flaky`, { method: "POST" }))).id),
      terminated,
    );
    const b = await waitForExecution(
      t.api,
      String((await json(await fetch(`${t.api}/executions/company.team/flaky`, { method: "POST" }))).id),
      terminated,
    );
    expect((await fetch(`${t.api}/logs/${a.id}`, { method: "DELETE" })).status).toBe(204);
    expect(await json(await fetch(`${t.api}/logs/${a.id}`))).toEqual([]);
    expect((await json<unknown[]>(await fetch(`${t.api}/logs/${b.id}`))).length).toBeGreaterThan(0);
    expect((await fetch(`${t.api}/logs/company.team/flaky`, { method: "DELETE" })).status).toBe(204);
    expect(await json(await fetch(`${t.api}/logs/${b.id}`))).toEqual([]);
    expect(
      (await json<{ total: number }>(await fetch(`${t.api}/logs/search?filters[flowId][EQUALS]=inputs`))).total,
    ).toBeGreaterThan(0);
  });
});

describe("Kestra 1.x inputs over HTTP", () => {
  const FLOW = `id: kestra1
namespace: company.team
inputs:
  - id: note
    type: STRING
    required: false
    prefill: a suggestion
  - id: env
    type: FORM
    inputs:
      - id: region
        type: SELECT
        expression: "{{ ['eu', 'us'] }}"
      - id: data
        type: FILE
        defaults: nsfile:///in.csv
        allowedFileExtensions: [csv]
tasks:
  - id: show
    type: io.kestra.plugin.core.debug.Return
    format: "{{ inputs.note ?? 'none' }} {{ inputs.env.region }} {{ read(inputs.env.data) }} {{ flow.tenantId }}"
`;

  it("takes FORM inputs as dotted multipart fields, never applies prefill, reads nsfile:// defaults", async () => {
    expect((await postYaml(`${t.api}/flows`, FLOW)).status).toBe(200);
    const nsfile = new FormData();
    nsfile.append("fileContent", new Blob(["a,b"]), "file");
    expect(
      (
        await fetch(`${t.api}/namespaces/company.team/files?path=${encodeURIComponent("/in.csv")}`, {
          method: "POST",
          body: nsfile,
        })
      ).status,
    ).toBeLessThan(300);
    const created = await fetch(`${t.api}/executions/company.team/kestra1`, {
      method: "POST",
      body: form({ "env.region": "us" }),
    });
    expect(created.status, await created.clone().text()).toBe(200);
    const x = await json(created);
    expect(x.inputs).toEqual({ note: null, env: { region: "us", data: "kestra:///company/team/_files/in.csv" } });
    const done = await waitForExecution(t.api, String(x.id), terminated);
    expect(done.state.current).toBe("SUCCESS");
    expect(done.taskRunList[0].outputs.value).toBe("none us a,b main");
  });

  it("answers 422 for a value outside the expression's list and a FILE of another namespace", async () => {
    const invalid = await fetch(`${t.api}/executions/company.team/kestra1`, {
      method: "POST",
      body: form({ "env.region": "mars", "env.data": "nsfile://other/in.csv" }),
    });
    expect(invalid.status).toBe(422);
    const body = await json<{ details: { errors: string[] } }>(invalid);
    expect(body.details.errors).toEqual([
      "Invalid input for `env.region`, it must match the values `[eu, us]`, but received `mars`",
      expect.stringContaining("Invalid input for `env.data`, 'nsfile://other/in.csv' is a file of namespace 'other'"),
    ]);
  });
});
