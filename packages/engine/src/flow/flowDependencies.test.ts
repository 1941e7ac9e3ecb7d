/** Flow dependencies (Kestra's flow topology) among Kestra's own test flows, and inline ones. */
import { existsSync, readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { coreRegistry } from "../runtime/registryLoader.ts";
import { flowDependencies, flowRelations, namespaceDependencies, type DependencyGraph } from "./flowDependencies.ts";
import { compileFlowGraph } from "./flowGraph.ts";
import { parseFlow } from "./parseFlow.ts";

// Kestra's test flows, beside the repository (../shared) or where SAKER_CONFORMANCE_DIR says.
const FLOWS = process.env.SAKER_CONFORMANCE_DIR
  ? pathToFileURL(`${process.env.SAKER_CONFORMANCE_DIR}/kestra/flows/`)
  : new URL("../../../../../shared/conformance/kestra/flows/", import.meta.url);
const registry = coreRegistry();
const compile = (source: string) => compileFlowGraph(parseFlow(source, { registry }), registry);
const edges = (g: DependencyGraph) => g.edges.map((e) => `${e.source} -${e.relation}-> ${e.target}`).sort();

describe.runIf(existsSync(FLOWS))("dependencies among Kestra's test flows", () => {
  const names = [
    "subflow-parent",
    "subflow-child",
    "subflow-grand-child",
    "trigger-flow",
    "trigger-flow-listener",
    "trigger-flow-listener-namespace-condition",
    "flow-trigger-preconditions-flow-a",
    "flow-trigger-preconditions-flow-b",
    "flow-trigger-preconditions-flow-listen",
    "return",
  ];
  const relations = flowRelations(names.map((n) => compile(readFileSync(new URL(`${n}.yaml`, FLOWS), "utf8"))));
  const T = "io.kestra.tests";

  it("links Subflow tasks to the flows they start, in both directions unless destinationOnly", () => {
    const child = flowDependencies(relations, { namespace: T, id: "subflow-child" });
    expect(edges(child)).toEqual([
      `${T}_subflow-child -FLOW_TASK-> ${T}_subflow-grand-child`,
      `${T}_subflow-parent -FLOW_TASK-> ${T}_subflow-child`,
    ]);
    expect(child.nodes).toContainEqual({ uid: `${T}_subflow-parent`, namespace: T, id: "subflow-parent" });
    expect(
      edges(flowDependencies(relations, { namespace: T, id: "subflow-child" }, { destinationOnly: true })),
    ).toEqual([`${T}_subflow-parent -FLOW_TASK-> ${T}_subflow-child`]);
    expect(edges(flowDependencies(relations, { namespace: T, id: "subflow-parent" }))).toHaveLength(1);
    expect(
      edges(flowDependencies(relations, { namespace: T, id: "subflow-parent" }, { expandAll: true })),
    ).toHaveLength(2);
    expect(flowDependencies(relations, { namespace: T, id: "return" })).toEqual({ nodes: [], edges: [] });
  });

  it("links a flow to the Flow triggers that listen to it: by ExecutionFlow, ExecutionNamespace and preconditions", () => {
    const trigger = flowDependencies(relations, { namespace: `${T}.trigger`, id: "trigger-flow" });
    expect(edges(trigger)).toEqual(
      expect.arrayContaining([
        `${T}.trigger_trigger-flow -FLOW_TRIGGER-> ${T}.trigger_trigger-flow-listener`,
        `${T}.trigger_trigger-flow -FLOW_TRIGGER-> ${T}.trigger_trigger-flow-listener-namespace-condition`,
      ]),
    );
    const listen = flowDependencies(
      relations,
      { namespace: `${T}.trigger.preconditions`, id: "flow-trigger-preconditions-flow-listen" },
      { destinationOnly: true },
    );
    expect(listen.edges.map((e) => e.source).sort()).toEqual([
      `${T}.trigger.preconditions_flow-trigger-preconditions-flow-a`,
      `${T}.trigger.preconditions_flow-trigger-preconditions-flow-b`,
    ]);
    // ExecutionFlow names another flow: the subflow flows do not trigger trigger-flow-listener.
    expect(edges(flowDependencies(relations, { namespace: T, id: "subflow-parent" })).join()).not.toContain(
      "FLOW_TRIGGER",
    );
  });

  it("lists a namespace's relations and every flow of it", () => {
    const g = namespaceDependencies(relations, T, [
      { namespace: T, id: "return" },
      { namespace: T, id: "subflow-parent" },
    ]);
    expect(g.nodes.map((n) => n.uid)).toContain(`${T}_return`);
    expect(edges(g)).toEqual([
      `${T}_subflow-child -FLOW_TASK-> ${T}_subflow-grand-child`,
      `${T}_subflow-parent -FLOW_TASK-> ${T}_subflow-child`,
    ]);
  });
});

describe("dependencies of inline flows", () => {
  it("links a ForEachItem to its subflow and ignores subflows named by expressions", () => {
    const relations = flowRelations([
      compile(
        `id: batch\nnamespace: a\ntasks:\n  - id: each\n    type: io.kestra.plugin.core.flow.ForEachItem\n    items: "{{ inputs.f }}"\n    namespace: b\n    flowId: worker\n`,
      ),
      compile(
        `id: worker\nnamespace: b\ntasks:\n  - id: dyn\n    type: io.kestra.plugin.core.flow.Subflow\n    namespace: a\n    flowId: "{{ inputs.x }}"\n`,
      ),
    ]);
    expect(
      edges({
        nodes: [],
        edges: relations.map((r) => ({ source: r.source.uid, target: r.destination.uid, relation: r.relation })),
      }),
    ).toEqual(["a_batch -FLOW_TASK-> b_worker"]);
  });

  it("a Flow trigger without conditions listens to every flow; a Not excludes the flow it names", () => {
    const up = compile(
      `id: up\nnamespace: a\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: m\n`,
    );
    const any = compile(
      `id: any\nnamespace: z\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: m\ntriggers:\n  - id: f\n    type: io.kestra.plugin.core.trigger.Flow\n`,
    );
    const notUp = compile(
      `id: notup\nnamespace: z\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: m\ntriggers:\n  - id: f\n    type: io.kestra.plugin.core.trigger.Flow\n    conditions:\n      - type: io.kestra.plugin.core.condition.Not\n        conditions:\n          - type: io.kestra.plugin.core.condition.ExecutionFlow\n            namespace: a\n            flowId: up\n`,
    );
    const relations = flowRelations([up, any, notUp]);
    const fromUp = relations.filter((r) => r.source.uid === "a_up").map((r) => r.destination.uid);
    expect(fromUp).toEqual(["z_any"]);
  });
});
