/**
 * Which flows depend on which (Kestra's flow topology): a flow that starts another with a Subflow
 * task (or ForEachItem) is its source through `FLOW_TASK`; a flow whose executions start another
 * through its Flow trigger is its source through `FLOW_TRIGGER`. As in Kestra, a Flow trigger
 * listens to a flow when its conditions that name flows or namespaces (ExecutionFlow,
 * ExecutionNamespace, inside Not/Or/MultipleCondition too) accept it and its `preconditions.flows`
 * (if any) list it; conditions on dates, states, labels or expressions do not filter.
 */
import type { FlowGraph } from "./flowGraph.ts";
import type { Flow, PluginNode } from "../model/flow.ts";

export type FlowRelation = "FLOW_TASK" | "FLOW_TRIGGER";

export interface DependencyNode {
  uid: string;
  namespace: string;
  id: string;
}

export interface DependencyEdge {
  source: string;
  target: string;
  relation: FlowRelation;
}

export interface DependencyGraph {
  nodes: DependencyNode[];
  edges: DependencyEdge[];
}

export interface DependencyRelation {
  source: DependencyNode;
  destination: DependencyNode;
  relation: FlowRelation;
}

const CONDITION = "io.kestra.plugin.core.condition.";
const FLOW_TRIGGER = "io.kestra.plugin.core.trigger.Flow";

/** Kestra's uid of a flow without revision. */
export const dependencyNode = (flow: { namespace: string; id: string }): DependencyNode => ({
  uid: `${flow.namespace}_${flow.id}`,
  namespace: flow.namespace,
  id: flow.id,
});

/** The flows `graph`'s tasks start (Subflow tasks and ForEachItem's, with literal ids). */
function calledFlows(graph: FlowGraph): Set<string> {
  const called = new Set<string>();
  for (const task of graph.allTasks()) {
    let definition;
    try {
      definition = graph.typeOf(task).definition;
    } catch {
      continue;
    }
    if (definition.kind !== "executor" || !definition.onSubflowEnded) continue;
    if (typeof task.namespace === "string" && typeof task.flowId === "string")
      called.add(`${task.namespace}/${task.flowId}`);
  }
  return called;
}

/** Whether a condition lets executions of `parent` through (undefined: it does not look at flows). */
function conditionAccepts(condition: PluginNode, parent: Flow): boolean | undefined {
  const type = condition.type;
  if (type === `${CONDITION}ExecutionFlow`)
    return condition.namespace === parent.namespace && condition.flowId === parent.id;
  if (type === `${CONDITION}ExecutionNamespace`) {
    const namespace = String(condition.namespace ?? "");
    const comparison = condition.comparison ?? (condition.prefix === true ? "PREFIX" : "EQUALS");
    if (comparison === "PREFIX") return parent.namespace.startsWith(namespace);
    if (comparison === "SUFFIX") return parent.namespace.endsWith(namespace);
    return parent.namespace === namespace;
  }
  if (type === `${CONDITION}MultipleCondition`)
    return anyAccepts(Object.values((condition.conditions ?? {}) as Record<string, PluginNode>), parent);
  if (type === `${CONDITION}Or`) return anyAccepts((condition.conditions ?? []) as PluginNode[], parent);
  if (type === `${CONDITION}Not`) {
    const inner = ((condition.conditions ?? []) as PluginNode[])
      .map((c) => conditionAccepts(c, parent))
      .filter((r) => r !== undefined);
    return inner.length === 0 ? undefined : !inner.some(Boolean);
  }
  return undefined;
}

function anyAccepts(conditions: readonly PluginNode[], parent: Flow): boolean | undefined {
  const results = conditions.map((c) => conditionAccepts(c, parent)).filter((r) => r !== undefined);
  return results.length === 0 ? undefined : results.some(Boolean);
}

function triggerListensTo(trigger: PluginNode, parent: Flow): boolean {
  const conditions = (trigger.conditions ?? []) as PluginNode[];
  if (!conditions.every((c) => conditionAccepts(c, parent) !== false)) return false;
  const flows = (trigger.preconditions as { flows?: { namespace?: string; flowId?: string }[] } | undefined)?.flows;
  return (
    !flows ||
    flows.length === 0 ||
    flows.some((f) => f.namespace === parent.namespace && (f.flowId === undefined || f.flowId === parent.id))
  );
}

/** Every relation between the given flows (the latest revision of each, deleted ones left out). */
export function flowRelations(graphs: readonly FlowGraph[]): DependencyRelation[] {
  const relations: DependencyRelation[] = [];
  const calls = new Map(graphs.map((g) => [g, calledFlows(g)]));
  for (const parent of graphs) {
    for (const child of graphs) {
      if (parent === child || (parent.flow.namespace === child.flow.namespace && parent.flow.id === child.flow.id))
        continue;
      let relation: FlowRelation | undefined;
      if (calls.get(parent)!.has(`${child.flow.namespace}/${child.flow.id}`)) relation = "FLOW_TASK";
      else if ((child.flow.triggers ?? []).some((t) => t.type === FLOW_TRIGGER && triggerListensTo(t, parent.flow)))
        relation = "FLOW_TRIGGER";
      if (relation)
        relations.push({ source: dependencyNode(parent.flow), destination: dependencyNode(child.flow), relation });
    }
  }
  return relations;
}

function toGraph(
  relations: readonly DependencyRelation[],
  extraNodes: readonly DependencyNode[] = [],
): DependencyGraph {
  const nodes = new Map<string, DependencyNode>();
  for (const r of relations) {
    nodes.set(r.source.uid, r.source);
    nodes.set(r.destination.uid, r.destination);
  }
  for (const n of extraNodes) if (!nodes.has(n.uid)) nodes.set(n.uid, n);
  return {
    nodes: [...nodes.values()],
    edges: relations.map((r) => ({ source: r.source.uid, target: r.destination.uid, relation: r.relation })),
  };
}

/**
 * The relations of one flow: those leading to it (its sources) and, unless `destinationOnly`, those
 * leaving it. With `expandAll`, the relations of the flows reached that way too, transitively.
 */
export function flowDependencies(
  relations: readonly DependencyRelation[],
  flow: { namespace: string; id: string },
  options: { destinationOnly?: boolean; expandAll?: boolean } = {},
): DependencyGraph {
  const start = dependencyNode(flow).uid;
  const picked = new Set<DependencyRelation>();
  const visited = new Set<string>([start]);
  const queue = [start];
  while (queue.length > 0) {
    const uid = queue.shift()!;
    for (const r of relations) {
      const incoming = r.destination.uid === uid;
      const outgoing = !options.destinationOnly && r.source.uid === uid;
      if (!incoming && !outgoing) continue;
      picked.add(r);
      const next = incoming ? r.source.uid : r.destination.uid;
      if (options.expandAll && !visited.has(next)) {
        visited.add(next);
        queue.push(next);
      }
    }
  }
  return toGraph(relations.filter((r) => picked.has(r)));
}

/** The relations touching a namespace's flows, and every flow of the namespace (related or not). */
export function namespaceDependencies(
  relations: readonly DependencyRelation[],
  namespace: string,
  flowsOfNamespace: readonly { namespace: string; id: string }[],
): DependencyGraph {
  return toGraph(
    relations.filter((r) => r.source.namespace === namespace || r.destination.namespace === namespace),
    flowsOfNamespace.map(dependencyNode),
  );
}
