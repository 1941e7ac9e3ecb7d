import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { json, postYaml, startTestApi, terminated, waitForExecution, type TestApi } from "./testApi.ts";

let t: TestApi;
beforeAll(async () => {
  t = await startTestApi();
});
afterAll(() => t.close());

const H = "io.kestra.core.models.hierarchies.";

const PARALLEL = `id: par
namespace: graph.test
tasks:
  - id: parent
    type: io.kestra.plugin.core.flow.Parallel
    tasks:
      - id: t1
        type: io.kestra.plugin.core.log.Log
        message: one
      - id: t2
        type: io.kestra.plugin.core.log.Log
        message: two
  - id: last
    type: io.kestra.plugin.core.log.Log
    message: last
triggers:
  - id: hourly
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 * * * *"
`;

const EACH = `id: each
namespace: graph.test
tasks:
  - id: loop
    type: io.kestra.plugin.core.flow.ForEach
    values: ["a", "b"]
    tasks:
      - id: say
        type: io.kestra.plugin.core.log.Log
        message: "{{ taskrun.value }}"
`;

const CALLER = `id: caller
namespace: graph.test
tasks:
  - id: call
    type: io.kestra.plugin.core.flow.Subflow
    namespace: graph.test
    flowId: par
`;

type Graph = {
  nodes: Record<string, any>[];
  edges: { source: string; target: string; relation: Record<string, string> }[];
  clusters: Record<string, any>[];
};

describe("topology graphs", () => {
  it("draws a stored flow: task nodes, its Parallel cluster, the triggers cluster with the trigger's state", async () => {
    expect((await postYaml(`${t.api}/flows`, PARALLEL)).status).toBe(200);
    const response = await fetch(`${t.api}/flows/graph.test/par/graph`);
    expect(response.status).toBe(200);
    const g = await json<Graph>(response);
    expect(g.nodes.find((n) => n.uid === "root.parent.t1")).toMatchObject({
      type: `${H}GraphTask`,
      relationType: "PARALLEL",
      task: { id: "t1", message: "one" },
    });
    expect(g.edges).toContainEqual({
      source: "root.parent",
      target: "root.parent.t2",
      relation: { relationType: "PARALLEL" },
    });
    expect(g.clusters.map((c) => c.cluster.uid)).toEqual(["cluster_root.Triggers", "cluster_root.parent"]);
    expect(g.clusters[1]).toMatchObject({
      cluster: { type: `${H}GraphCluster`, relationType: "PARALLEL", taskNode: { uid: "root.parent" } },
      parents: [],
    });
    expect(g.nodes.find((n) => n.uid === "root.Triggers.hourly")).toMatchObject({
      type: `${H}GraphTrigger`,
      triggerDeclaration: { id: "hourly", type: "io.kestra.plugin.core.trigger.Schedule" },
      trigger: { namespace: "graph.test", flowId: "par", triggerId: "hourly" },
    });
    // The same under the tenant prefix, and for an explicit revision.
    expect(
      (await json<Graph>(await fetch(`${t.url}/api/v1/main/flows/graph.test/par/graph?revision=1`))).nodes,
    ).toHaveLength(g.nodes.length);
  });

  it("answers 404 for an unknown flow or revision, and 400 for a bad revision", async () => {
    const missing = await fetch(`${t.api}/flows/graph.test/nope/graph`);
    expect(missing.status).toBe(404);
    expect(await json(missing)).toMatchObject({ code: "FLOW_NOT_FOUND", message: "Flow 'graph.test/nope' not found" });
    expect((await fetch(`${t.api}/flows/graph.test/par/graph?revision=7`)).status).toBe(404);
    expect((await fetch(`${t.api}/flows/graph.test/par/graph?revision=x`)).status).toBe(400);
  });

  it("draws a flow's YAML sent with POST /flows/graph, without saving it", async () => {
    const response = await postYaml(`${t.api}/flows/graph`, EACH.replace("id: each", "id: draft"));
    expect(response.status).toBe(200);
    const g = await json<Graph>(response);
    expect(g.clusters[0]).toMatchObject({ cluster: { uid: "cluster_root.loop", relationType: "DYNAMIC" } });
    expect(g.edges).toContainEqual({
      source: "root.loop",
      target: "root.loop.say",
      relation: { relationType: "DYNAMIC" },
    });
    expect((await fetch(`${t.api}/flows/graph.test/draft`)).status).toBe(404);
  });

  it("answers 422 naming the YAML path for an invalid flow or unparsable YAML", async () => {
    const invalid = await postYaml(
      `${t.api}/flows/graph`,
      `id: bad\nnamespace: graph.test\ntasks:\n  - id: x\n    type: io.kestra.plugin.core.log.Nope\n`,
    );
    expect(invalid.status).toBe(422);
    expect(await json(invalid)).toMatchObject({ code: "FLOW_INVALID", path: "tasks[0].type" });
    const unparsable = await postYaml(`${t.api}/flows/graph`, "id: x\n  namespace: [oops\n");
    expect(unparsable.status).toBe(422);
    expect(await json(unparsable)).toMatchObject({ code: "YAML_INVALID" });
  });

  it("expands a Subflow task into the subflow's own graph, and answers 404 for a missing subflow", async () => {
    expect((await postYaml(`${t.api}/flows`, CALLER)).status).toBe(200);
    const plain = await json<Graph>(await fetch(`${t.api}/flows/graph.test/caller/graph`));
    expect(plain.nodes.find((n) => n.uid === "root.call")).toMatchObject({ type: `${H}SubflowGraphTask` });
    const expanded = await json<Graph>(await fetch(`${t.api}/flows/graph.test/caller/graph?subflows=root.call`));
    expect(expanded.clusters.find((c) => c.cluster.uid === "cluster_root.call")).toMatchObject({
      cluster: { type: `${H}SubflowGraphCluster`, taskNode: { uid: "root.call" } },
    });
    expect(expanded.nodes.map((n) => n.uid)).toEqual(
      expect.arrayContaining(["root.call", "root.call.parent.t1", "root.call.last", "root.call.Triggers.hourly"]),
    );

    const missing = await postYaml(
      `${t.api}/flows/graph?subflows=root.call`,
      CALLER.replace("flowId: par", "flowId: ghost"),
    );
    expect(missing.status).toBe(404);
    expect(await json(missing)).toMatchObject({
      code: "FLOW_NOT_FOUND",
      message: "Unable to find subflow 'graph.test/ghost' for task 'call'",
    });
    const dynamic = await postYaml(
      `${t.api}/flows/graph?subflows=root.call`,
      CALLER.replace("flowId: par", 'flowId: "{{ inputs.f }}"'),
    );
    expect(dynamic.status).toBe(422);
    expect(await json(dynamic)).toMatchObject({ code: "SUBFLOW_DYNAMIC" });
  });

  it("draws an execution: one node per task run, carrying it; only ids and types of tasks", async () => {
    expect((await postYaml(`${t.api}/flows`, EACH)).status).toBe(200);
    const started = await json(await fetch(`${t.api}/executions/graph.test/each`, { method: "POST" }));
    const done = await waitForExecution(t.api, started.id, terminated);
    expect(done.state.current).toBe("SUCCESS");
    const response = await fetch(`${t.api}/executions/${started.id}/graph`);
    expect(response.status).toBe(200);
    const g = await json<Graph>(response);
    const says = g.nodes.filter((n) => n.task?.id === "say");
    expect(says.map((n) => n.uid).sort()).toEqual(["root.loop.say_a", "root.loop.say_b"]);
    expect(says.map((n) => n.values)).toEqual(expect.arrayContaining([["a"], ["b"]]));
    for (const n of says)
      expect(n.taskRun).toMatchObject({ taskId: "say", executionId: started.id, state: { current: "SUCCESS" } });
    expect(says[0]!.task).toEqual({ id: "say", type: "io.kestra.plugin.core.log.Log" });
    expect(g.clusters[0]!.cluster.taskNode).toBeUndefined();
    expect(
      g.edges
        .filter((e) => e.target.startsWith("root.loop.say_"))
        .map((e) => e.relation.value)
        .sort(),
    ).toEqual(["a", "b"]);

    const missing = await fetch(`${t.api}/executions/nope/graph`);
    expect(missing.status).toBe(404);
    expect(await json(missing)).toMatchObject({ code: "EXECUTION_NOT_FOUND" });
  });
});

describe("execution graphs with subflows", () => {
  it("expands a Subflow named by an expression into the flow its child execution ran", async () => {
    const dynamic = `id: dyncaller
namespace: graph.test
inputs:
  - id: target
    type: STRING
tasks:
  - id: call
    type: io.kestra.plugin.core.flow.Subflow
    namespace: graph.test
    flowId: "{{ inputs.target }}"
`;
    expect((await postYaml(`${t.api}/flows`, dynamic)).status).toBe(200);
    const started = await json(
      await fetch(`${t.api}/executions/graph.test/dyncaller`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ target: "each" }),
      }),
    );
    expect((await waitForExecution(t.api, started.id, terminated)).state.current).toBe("SUCCESS");
    const plain = await json<Graph>(await fetch(`${t.api}/executions/${started.id}/graph`));
    expect(plain.nodes.find((n) => n.uid === "root.call")).toMatchObject({
      type: `${H}SubflowGraphTask`,
      task: { id: "call", subflowId: { namespace: "graph.test", flowId: "{{ inputs.target }}" } },
      taskRun: { taskId: "call" },
    });
    const expanded = await json<Graph>(await fetch(`${t.api}/executions/${started.id}/graph?subflows=root.call`));
    expect(expanded.clusters.find((c) => c.cluster.uid === "cluster_root.call")?.cluster.type).toBe(
      `${H}SubflowGraphCluster`,
    );
    expect(expanded.nodes.map((n) => n.uid)).toEqual(expect.arrayContaining(["root.call.loop", "root.call.loop.say"]));
    // From the flow alone, the subflow cannot be known.
    const fromFlow = await fetch(`${t.api}/flows/graph.test/dyncaller/graph?subflows=root.call`);
    expect(fromFlow.status).toBe(422);
  });
});

describe("flow dependencies", () => {
  const LISTENER = `id: listener
namespace: graph.deps
tasks:
  - id: t
    type: io.kestra.plugin.core.log.Log
    message: m
triggers:
  - id: after
    type: io.kestra.plugin.core.trigger.Flow
    conditions:
      - type: io.kestra.plugin.core.condition.ExecutionFlow
        namespace: graph.test
        flowId: caller
`;
  const edgeList = (g: Record<string, any>): string[] =>
    (g as { edges: { source: string; target: string; relation: string }[] }).edges
      .map((e) => `${e.source} -${e.relation}-> ${e.target}`)
      .sort();

  it("lists the Subflow and Flow trigger relations of a flow, its sources only with destinationOnly", async () => {
    expect((await postYaml(`${t.api}/flows`, LISTENER)).status).toBe(200);
    const response = await fetch(`${t.api}/flows/graph.test/caller/dependencies`);
    expect(response.status).toBe(200);
    const g = await json(response);
    expect(edgeList(g)).toEqual([
      "graph.test_caller -FLOW_TASK-> graph.test_par",
      "graph.test_caller -FLOW_TRIGGER-> graph.deps_listener",
    ]);
    expect(g.nodes).toContainEqual({ uid: "graph.deps_listener", namespace: "graph.deps", id: "listener" });
    expect(
      edgeList(await json(await fetch(`${t.api}/flows/graph.test/par/dependencies?destinationOnly=true`))),
    ).toEqual(["graph.test_caller -FLOW_TASK-> graph.test_par"]);
    expect(
      edgeList(await json(await fetch(`${t.api}/flows/graph.deps/listener/dependencies?expandAll=true`))),
    ).toHaveLength(2);
  });

  it("lists a namespace's relations and all its flows; 404 for an unknown flow, 400 for a bad flag", async () => {
    const ns = await json(await fetch(`${t.api}/namespaces/graph.test/dependencies`));
    expect(ns.nodes.map((n: { uid: string }) => n.uid).sort()).toEqual([
      "graph.deps_listener",
      "graph.test_caller",
      "graph.test_dyncaller",
      "graph.test_each",
      "graph.test_par",
    ]);
    expect(await json(await fetch(`${t.api}/namespaces/nowhere/dependencies`))).toEqual({ nodes: [], edges: [] });
    const missing = await fetch(`${t.api}/flows/graph.test/ghost/dependencies`);
    expect(missing.status).toBe(404);
    expect(await json(missing)).toMatchObject({ code: "FLOW_NOT_FOUND" });
    expect((await fetch(`${t.api}/flows/graph.test/par/dependencies?destinationOnly=yes`)).status).toBe(400);
  });
});
