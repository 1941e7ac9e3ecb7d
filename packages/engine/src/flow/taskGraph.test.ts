/**
 * The topology graph of Kestra's test flows, checked against the sizes and edges Kestra's own
 * FlowGraphTest asserts for the same flows; then execution graphs, subflow expansion and bad input.
 */
import { existsSync, readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { isSakerError } from "@saker/sdk";
import { describe, expect, it } from "vitest";
import { coreRegistry } from "../runtime/registryLoader.ts";
import type { Execution, TaskRun } from "../model/execution.ts";
import type { Flow } from "../model/flow.ts";
import { parseFlow } from "./parseFlow.ts";
import { buildTaskGraph, type GraphEdge, type TaskGraph, type TaskGraphOptions } from "./taskGraph.ts";

// Kestra's test flows, when the conformance suite sits beside the repository (../shared), or where
// SAKER_CONFORMANCE_DIR says (a worktree elsewhere).
const FLOWS = process.env.SAKER_CONFORMANCE_DIR
  ? pathToFileURL(`${process.env.SAKER_CONFORMANCE_DIR}/kestra/flows/`)
  : new URL("../../../../../shared/conformance/kestra/flows/", import.meta.url);
const registry = coreRegistry();

const flowFile = (name: string): Flow => parseFlow(readFileSync(new URL(name, FLOWS), "utf8"), { registry });
const graphOf = (flow: Flow, options: Partial<TaskGraphOptions> = {}): TaskGraph =>
  buildTaskGraph(flow, { registry, ...options });
const sizes = (g: TaskGraph) => [g.nodes.length, g.edges.length, g.clusters.length];
const full = (pattern: string) => new RegExp(`^(?:${pattern})$`);

function edge(g: TaskGraph, source: string, target = ".*"): GraphEdge {
  const found = g.edges.find((e) => full(source).test(e.source) && full(target).test(e.target));
  if (!found)
    throw new Error(
      `no edge ${source} -> ${target} in ${JSON.stringify(g.edges.map((e) => `${e.source} -> ${e.target}`))}`,
    );
  return found;
}

function cluster(g: TaskGraph, uid: string) {
  const found = g.clusters.find((c) => full(`cluster_${uid}`).test(c.cluster.uid));
  if (!found) throw new Error(`no cluster ${uid}`);
  return found;
}

/** Start and end dots of the flow's own (root) cluster. */
function rootDots(g: TaskGraph) {
  const direct = g.nodes.filter((n) => /^root\.[^.]*$/.test(n.uid));
  return {
    start: direct.find((n) => n.type.endsWith("GraphClusterRoot"))!.uid,
    end: direct.find((n) => n.type.endsWith("GraphClusterEnd"))!.uid,
  };
}

/** Every edge joins known nodes, every cluster lists known members: what the UI's layout needs. */
function expectConsistent(g: TaskGraph) {
  const uids = new Set(g.nodes.map((n) => n.uid));
  expect(uids.size).toBe(g.nodes.length);
  const clusterUids = new Set(g.clusters.map((c) => c.cluster.uid));
  for (const e of g.edges) {
    expect(uids.has(e.source), e.source).toBe(true);
    expect(uids.has(e.target), e.target).toBe(true);
  }
  for (const c of g.clusters) {
    for (const n of c.nodes) expect(uids.has(n) || clusterUids.has(n), n).toBe(true);
    expect(uids.has(c.start) && uids.has(c.end)).toBe(true);
  }
}

describe.runIf(existsSync(FLOWS))("the graph of Kestra's test flows (FlowGraphTest)", () => {
  it("simple: return.yaml", () => {
    const g = graphOf(flowFile("return.yaml"));
    expect(sizes(g)).toEqual([5, 4, 0]);
    expect(g.nodes[2]).toMatchObject({
      uid: "root.date",
      type: "io.kestra.core.models.hierarchies.GraphTask",
      relationType: "SEQUENTIAL",
      task: { id: "date" },
    });
    expect(g.nodes[2]!.values).toBeUndefined();
    expect(g.nodes[3]).toMatchObject({ task: { id: "task-id" }, relationType: "SEQUENTIAL" });
    expect(g.nodes[0]!.uid).toMatch(/^root\.root-[0-9A-Za-z]+$/);
    expect(edge(g, "root.date", "root.task-id").relation).toEqual({ relationType: "SEQUENTIAL" });
    expect(edge(g, rootDots(g).start, "root.date").relation).toEqual({});
    expectConsistent(g);
  });

  it("sequentialNested: sequential.yaml", () => {
    const g = graphOf(flowFile("sequential.yaml"));
    expect(sizes(g)).toEqual([19, 18, 3]);
    expect(edge(g, ".*1-3-2-1").target).toMatch(/1-3-2-2_end$/);
    expect(edge(g, ".*1-3-2-1").relation.relationType).toBe("SEQUENTIAL");
    expect(edge(g, ".*1-seq").target).toMatch(/1-1$/);
    expect(edge(g, ".*1-3-2_seq").target).toMatch(/1-3-2-1$/);
    expectConsistent(g);
  });

  it("errors: errors.yaml", () => {
    const g = graphOf(flowFile("errors.yaml"));
    expect(sizes(g)).toEqual([17, 17, 4]);
    const { start } = rootDots(g);
    expect(edge(g, start, ".*t2").relation.relationType).toBe("ERROR");
    expect(edge(g, start, ".*failed").relation.relationType).toBeUndefined();
    expect(g.nodes.find((n) => n.uid.endsWith(".t2"))).toMatchObject({ branchType: "ERROR", relationType: "ERROR" });
    expectConsistent(g);
  });

  it("parallel: parallel.yaml", () => {
    const g = graphOf(flowFile("parallel.yaml"));
    expect(sizes(g)).toEqual([12, 16, 1]);
    expect(edge(g, ".*parent", ".*t2").relation.relationType).toBe("PARALLEL");
    expect(edge(g, ".*parent", ".*t6").relation.relationType).toBe("PARALLEL");
    const end = cluster(g, "root\\.parent").end;
    expect(edge(g, ".*t1", end).source).toBe("root.parent.t1");
    expect(edge(g, ".*t4", end).source).toBe("root.parent.t4");
    expect(cluster(g, "root\\.parent")).toMatchObject({
      cluster: {
        type: "io.kestra.core.models.hierarchies.GraphCluster",
        relationType: "PARALLEL",
        taskNode: { uid: "root.parent" },
      },
      parents: [],
    });
    expectConsistent(g);
  });

  it("parallelNested: parallel-nested.yaml", () => {
    const g = graphOf(flowFile("parallel-nested.yaml"));
    expect(sizes(g)).toEqual([19, 23, 3]);
    expect(edge(g, ".*1_par", ".*1-4_end").relation.relationType).toBe("PARALLEL");
    expect(edge(g, ".*1_par", cluster(g, ".*1-3_par").start).relation.relationType).toBe("PARALLEL");
    expect(edge(g, ".*1-3-2_par", ".*1-3-2-1").relation.relationType).toBe("SEQUENTIAL");
    expectConsistent(g);
  });

  it("choice: switch.yaml", () => {
    const g = graphOf(flowFile("switch.yaml"));
    expect(sizes(g)).toEqual([17, 20, 3]);
    expect(edge(g, ".*parent-seq", ".*parent-seq\\.[^.]*").relation.relationType).toBe("CHOICE");
    expect(edge(g, ".*parent-seq", ".*parent-seq\\.t3\\.[^.]*").relation.value).toBe("THIRD");
    expect(edge(g, ".*parent-seq", ".*parent-seq\\.t1").relation).toEqual({ relationType: "CHOICE", value: "FIRST" });
    expect(edge(g, ".*parent-seq", ".*parent-seq\\.default").relation).toEqual({
      relationType: "CHOICE",
      value: "defaults",
    });
    expect(edge(g, ".*t2", ".*t2_sub").relation.relationType).toBe("SEQUENTIAL");
    expectConsistent(g);
  });

  it("each: each-sequential-nested.yaml", () => {
    const g = graphOf(flowFile("each-sequential-nested.yaml"));
    expect(sizes(g)).toEqual([13, 12, 2]);
    expect(edge(g, ".*1-1_return", cluster(g, ".*1-2_each").start).relation.relationType).toBe("DYNAMIC");
    expect(edge(g, ".*1-2_each", ".*1-2-1_return").relation.relationType).toBe("DYNAMIC");
    expectConsistent(g);
  });

  it("eachParallel: each-parallel-nested.yaml", () => {
    const g = graphOf(flowFile("each-parallel-nested.yaml"));
    expect(sizes(g)).toEqual([11, 10, 2]);
    expect(edge(g, ".*1_each", cluster(g, ".*2-1_seq").start).relation.relationType).toBe("DYNAMIC");
    expect(g.clusters[1]!.nodes).toHaveLength(5);
    expect(g.clusters[1]!.parents).toEqual([g.clusters[0]!.cluster.uid]);
    expectConsistent(g);
  });

  it("allFlowable: all-flowable.yaml", () => {
    const g = graphOf(flowFile("all-flowable.yaml"));
    expect(sizes(g)).toEqual([38, 42, 7]);
    expectConsistent(g);
  });

  it("trigger: trigger-flow-listener.yaml, with the trigger's state", () => {
    const flow = flowFile("trigger-flow-listener.yaml");
    const g = graphOf(flow, {
      triggers: new Map([[String(flow.triggers![0]!.id), { triggerId: flow.triggers![0]!.id, disabled: true }]]),
    });
    expect(sizes(g)).toEqual([6, 5, 1]);
    const trigger = g.nodes.find((n) => n.type === "io.kestra.core.models.hierarchies.GraphTrigger")!;
    expect(trigger).toMatchObject({
      uid: `root.Triggers.${flow.triggers![0]!.id}`,
      trigger: { disabled: true },
      triggerDeclaration: { type: flow.triggers![0]!.type },
    });
    expect(g.clusters[0]!.cluster).toEqual({
      uid: "cluster_root.Triggers",
      type: "io.kestra.core.models.hierarchies.GraphCluster",
    });
    expect(edge(g, g.clusters[0]!.end, rootDots(g).start)).toBeDefined();
    expectConsistent(g);
  });

  it("multipleTriggers: trigger-flow-listener-no-inputs.yaml", () => {
    const g = graphOf(flowFile("trigger-flow-listener-no-inputs.yaml"));
    expect(sizes(g)).toEqual([7, 7, 1]);
  });

  it("subflow: task-flow.yaml, then expanded into switch.yaml", () => {
    const flow = flowFile("task-flow.yaml");
    const g = graphOf(flow);
    expect(sizes(g)).toEqual([6, 5, 1]);
    expect(g.nodes.find((n) => n.uid === "root.launch")).toMatchObject({
      type: "io.kestra.core.models.hierarchies.SubflowGraphTask",
      relationType: "SEQUENTIAL",
    });

    const loaded: string[] = [];
    const expanded = graphOf(flow, {
      expandSubflows: ["root.launch"],
      loadSubflow(ref) {
        loaded.push(`${ref.namespace}/${ref.flowId}`);
        return { flow: flowFile("switch.yaml") };
      },
    });
    expect(loaded).toEqual(["io.kestra.tests/switch"]);
    expect(sizes(expanded)).toEqual([23, 26, 5]);
    const launch = cluster(expanded, "root\\.launch");
    expect(launch.cluster).toMatchObject({
      type: "io.kestra.core.models.hierarchies.SubflowGraphCluster",
      relationType: "SEQUENTIAL",
      taskNode: { uid: "root.launch" },
    });
    expect(expanded.nodes.find((n) => n.uid === "root.launch.parent-seq")).toMatchObject({
      relationType: "CHOICE",
      task: { type: "io.kestra.plugin.core.flow.Switch" },
    });
    expect(expanded.nodes.find((n) => n.uid === "root.Triggers.schedule")).toBeDefined();
    expect(expanded.nodes.find((n) => n.uid === "root.launch.Triggers.schedule")).toBeDefined();
    expectConsistent(expanded);
  });

  it("dynamicIdSubflow: a subflow named by expressions cannot be expanded from the flow alone", () => {
    const flow = flowFile("task-flow-dynamic.yaml");
    let caught: unknown;
    try {
      graphOf(flow, { expandSubflows: ["root.launch"], loadSubflow: () => ({ flow: flowFile("switch.yaml") }) });
    } catch (error) {
      caught = error;
    }
    expect(isSakerError(caught) && caught.code).toBe("SUBFLOW_DYNAMIC");
    expect((caught as Error).message).toBe(
      "Can't expand subflow task 'launch' because namespace and/or flowId contains dynamic values. This can only be viewed on an execution.",
    );
  });

  it("parallelWithExecution: the task runs are on their nodes", () => {
    const flow = flowFile("parallel.yaml");
    const runs: TaskRun[] = [
      run("p", "parent"),
      ...["t1", "t2", "t3", "t4", "t5", "t6"].map((t) => run(`r-${t}`, t, "p")),
      run("l", "last"),
    ];
    const g = graphOf(flow, { execution: execution(flow, runs) });
    expect(sizes(g)).toEqual([12, 16, 1]);
    expect(g.nodes.find((n) => n.uid === "root.parent.t1")).toMatchObject({
      taskRun: { id: "r-t1" },
      task: { id: "t1", type: "io.kestra.plugin.core.log.Log" },
    });
    // What an execution's graph shows of a task: id and type (no properties), no cluster task node.
    expect(Object.keys(g.nodes.find((n) => n.uid === "root.parent.t1")!.task as object).sort()).toEqual(["id", "type"]);
    expect(g.clusters[0]!.cluster.taskNode).toBeUndefined();
    expect(g.nodes.find((n) => n.uid === "root.parent")!.task).toMatchObject({
      tasks: [{ id: "t1" }, { id: "t2" }, { id: "t3" }, { id: "t4" }, { id: "t5" }, { id: "t6" }],
    });
  });

  it("eachWithExecution: one node per value, uids suffixed with the values", () => {
    const flow = flowFile("each-sequential.yaml");
    const values = ["value 1", "value 2", "value 3"];
    const runs: TaskRun[] = [
      run("e", "1_each"),
      ...values.flatMap((v, i) => [
        run(`a${i}`, "1-1", "e", v),
        run(`f${i}`, "failed", "e", v),
        run(`b${i}`, "1-2", `f${i}`, v),
      ]),
      run("z", "2_end"),
    ];
    const g = graphOf(flow, { execution: execution(flow, runs) });
    expect(sizes(g)).toEqual([21, 22, 4]);
    expect(edge(g, ".*1-1_value 1", ".*1-1_value 2").relation.value).toBe("value 2");
    expect(edge(g, ".*1-1_value 2", ".*1-1_value 3").relation.value).toBe("value 3");
    expect(g.nodes.find((n) => n.uid === "root.1_each.failed.1-2_value 1_value 1")).toMatchObject({
      values: ["value 1", "value 1"],
      taskRun: { id: "b0" },
    });
    expectConsistent(g);
  });
});

function run(id: string, taskId: string, parentTaskRunId?: string, value?: string): TaskRun {
  return {
    id,
    executionId: "x",
    namespace: "io.kestra.tests",
    flowId: "f",
    taskId,
    ...(parentTaskRunId ? { parentTaskRunId } : {}),
    ...(value !== undefined ? { value } : {}),
    outputs: null,
    state: { current: "SUCCESS", histories: [] },
  } as unknown as TaskRun;
}

function execution(flow: Flow, taskRunList: TaskRun[]): Execution {
  return {
    id: "x",
    namespace: flow.namespace,
    flowId: flow.id,
    flowRevision: 1,
    taskRunList,
    labels: [],
    state: { current: "SUCCESS", histories: [] },
    originalId: "x",
    deleted: false,
    metadata: { attemptNumber: 1, originalCreatedDate: "2024-01-01T00:00:00Z" },
  } as unknown as Execution;
}

describe("the graph of inline flows", () => {
  const parse = (yaml: string) => parseFlow(yaml, { registry });

  it("draws a flow's finally branch after its tasks and errors, through a finally dot", () => {
    const g = graphOf(
      parse(`id: f
namespace: t
tasks:
  - id: a
    type: io.kestra.plugin.core.log.Log
    message: a
errors:
  - id: e
    type: io.kestra.plugin.core.log.Log
    message: e
finally:
  - id: f1
    type: io.kestra.plugin.core.log.Log
    message: f1
  - id: f2
    type: io.kestra.plugin.core.log.Log
    message: f2
`),
    );
    const finallyDot = g.nodes.find((n) => n.type === "io.kestra.core.models.hierarchies.GraphClusterFinally")!;
    expect(finallyDot.uid).toMatch(/^root\.finally-/);
    expect(edge(g, "root.a", finallyDot.uid)).toBeDefined();
    expect(edge(g, "root.e", finallyDot.uid)).toBeDefined();
    expect(edge(g, finallyDot.uid, "root.f1").relation).toEqual({});
    expect(edge(g, "root.f1", "root.f2").relation).toEqual({ relationType: "FINALLY" });
    expect(edge(g, "root.f2", rootDots(g).end)).toBeDefined();
    expect(g.nodes.find((n) => n.uid === "root.f2")).toMatchObject({ branchType: "FINALLY", relationType: "FINALLY" });
    expectConsistent(g);
  });

  it("draws a Dag from its dependencies and a Pause without tasks as a task", () => {
    const g = graphOf(
      parse(`id: d
namespace: t
tasks:
  - id: wait
    type: io.kestra.plugin.core.flow.Pause
    delay: PT1S
  - id: dag
    type: io.kestra.plugin.core.flow.Dag
    tasks:
      - task:
          id: c
          type: io.kestra.plugin.core.log.Log
          message: c
        dependsOn: [a, b]
      - task:
          id: a
          type: io.kestra.plugin.core.log.Log
          message: a
      - task:
          id: b
          type: io.kestra.plugin.core.log.Log
          message: b
        dependsOn: [a]
`),
    );
    expect(g.nodes.find((n) => n.uid === "root.wait")).toMatchObject({
      type: "io.kestra.core.models.hierarchies.GraphTask",
    });
    expect(cluster(g, "root\\.dag").cluster.relationType).toBe("DYNAMIC");
    expect(edge(g, "root.dag", "root.dag.a").relation).toEqual({ relationType: "PARALLEL" });
    expect(edge(g, "root.dag.a", "root.dag.b")).toBeDefined();
    expect(edge(g, "root.dag.b", "root.dag.c")).toBeDefined();
    expect(edge(g, "root.dag.a", "root.dag.c")).toBeDefined();
    expect(edge(g, "root.dag.c", cluster(g, "root\\.dag").end)).toBeDefined();
    expect(g.edges.filter((e) => e.target === cluster(g, "root\\.dag").end)).toHaveLength(1);
    expectConsistent(g);
  });

  it("refuses to expand a subflow that does not exist, naming it and the task", () => {
    const flow = parse(`id: p
namespace: t
tasks:
  - id: call
    type: io.kestra.plugin.core.flow.Subflow
    namespace: t
    flowId: missing
`);
    expect(() =>
      graphOf(flow, {
        expandSubflows: ["root.call"],
        loadSubflow: () => {
          throw new Error("not found");
        },
      }),
    ).toThrow("not found");
    // A uid naming no Subflow task expands nothing.
    expect(sizes(graphOf(flow, { expandSubflows: ["root.nope"], loadSubflow: () => ({ flow }) }))).toEqual([3, 2, 0]);
  });
});

describe("the graph of a loop's execution", () => {
  it("keeps uids unique when a task ran several times under one parent without a value", () => {
    const flow = parseFlow(
      `id: loop
namespace: t
tasks:
  - id: until
    type: io.kestra.plugin.core.flow.LoopUntil
    condition: "{{ false }}"
    tasks:
      - id: step
        type: io.kestra.plugin.core.log.Log
        message: m
`,
      { registry },
    );
    const runs = [run("u", "until"), run("s1", "step", "u"), run("s2", "step", "u"), run("s3", "step", "u")];
    const g = graphOf(flow, { execution: execution(flow, runs) });
    const uids = g.nodes.map((n) => n.uid);
    expect(new Set(uids).size).toBe(uids.length);
    expect(uids.filter((u) => u === "root.until.step")).toHaveLength(1);
    expect(g.edges.every((e) => uids.includes(e.source) && uids.includes(e.target) && e.source !== e.target)).toBe(
      true,
    );
  });
});
