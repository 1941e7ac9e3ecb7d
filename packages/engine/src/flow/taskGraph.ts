/**
 * The topology of a flow as Kestra's API gives it (`FlowGraph`: nodes, edges, clusters), for the
 * UI's topology view: built from the flow's tasks, flowable tasks (each drawn as its
 * `FlowableTopology` says), `errors` and `finally` branches and triggers; with an execution, one
 * node per task run, carrying it. Node uids are dot paths from `root`; cluster uids start with
 * `cluster_`; the dots that open, close and gather a cluster (`GraphClusterRoot`, `GraphClusterEnd`,
 * `GraphClusterFinally`) get a random suffix, as in Kestra.
 */
import { SakerError } from "@saker/sdk";
import type { FlowableTopology } from "../plugins/engineTypes.ts";
import type { PluginRegistry } from "../plugins/registry.ts";
import { collectPluginNodes } from "../plugins/schemaWalk.ts";
import type { Execution, TaskNode, TaskRun } from "../model/execution.ts";
import type { Flow, PluginNode } from "../model/flow.ts";
import { friendlyId } from "../model/ids.ts";
import { parentValues } from "../model/taskRunIndex.ts";

export type RelationType = "SEQUENTIAL" | "CHOICE" | "ERROR" | "FINALLY" | "PARALLEL" | "DYNAMIC";
export type BranchType = "ERROR" | "FINALLY";

export interface GraphRelation {
  relationType?: RelationType;
  value?: string;
}

export interface GraphNode {
  uid: string;
  type: string;
  [field: string]: unknown;
}

export interface GraphEdge {
  source: string;
  target: string;
  relation: GraphRelation;
}

export interface GraphClusterEntry {
  cluster: GraphNode;
  /** Uids of the cluster's members (its sub-clusters as `cluster_…`). */
  nodes: string[];
  /** Uids of the enclosing clusters, outermost first (the flow's root cluster is not one). */
  parents: string[];
  start: string;
  end: string;
}

export interface TaskGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
  clusters: GraphClusterEntry[];
}

/** The subflow a Subflow task starts, for expanding it in the graph. */
export interface SubflowRef {
  namespace: string;
  flowId: string;
  revision?: number;
  /** The task's run, in an execution's graph. */
  taskRun?: TaskRun;
  taskId: string;
}

export interface TaskGraphOptions {
  registry: PluginRegistry;
  /** Draw the execution's task runs: one node per task run, each carrying it. */
  execution?: Execution;
  /** Trigger states by trigger id (Kestra's `Trigger` context), shown on the trigger nodes. */
  triggers?: ReadonlyMap<string, Record<string, unknown>>;
  /** Uids of Subflow task nodes to replace by the subflow's own graph. */
  expandSubflows?: readonly string[];
  /** The subflow to expand; throws when there is none. Needed with `expandSubflows`. */
  loadSubflow?(ref: SubflowRef): { flow: Flow; triggers?: ReadonlyMap<string, Record<string, unknown>> };
}

const HIERARCHIES = "io.kestra.core.models.hierarchies.";

type DotKind = "GraphClusterRoot" | "GraphClusterEnd" | "GraphClusterFinally";

interface Dot {
  kind: "dot";
  dotKind: DotKind;
  uid: string;
  branchType?: BranchType;
}

interface TaskItem {
  kind: "task";
  subflow: boolean;
  /** The dot path, without the values suffix. */
  path: string;
  values?: string[];
  task: TaskNode;
  taskRun?: TaskRun;
  relationType: RelationType;
  branchType?: BranchType;
}

interface TriggerItem {
  kind: "trigger";
  uid: string;
  declaration: PluginNode;
  trigger?: Record<string, unknown>;
}

interface Edge {
  source: Item;
  target: Item;
  relation: GraphRelation;
}

type Item = Dot | TaskItem | TriggerItem | Cluster;

class Cluster {
  readonly kind = "cluster";
  readonly root: Dot;
  readonly finallyDot: Dot;
  readonly end: Dot;
  readonly members: Item[] = [];
  edges: Edge[] = [];
  branchType?: BranchType;

  constructor(
    /** The dot path (the JSON uid adds `cluster_`). */
    readonly path: string,
    readonly relationType: RelationType | undefined,
    readonly taskNode: TaskItem | undefined,
    readonly subflowCluster = false,
  ) {
    this.root = { kind: "dot", dotKind: "GraphClusterRoot", uid: `${path}.root-${friendlyId()}` };
    this.finallyDot = { kind: "dot", dotKind: "GraphClusterFinally", uid: `${path}.finally-${friendlyId()}` };
    this.end = { kind: "dot", dotKind: "GraphClusterEnd", uid: `${path}.end-${friendlyId()}` };
    this.add(this.root);
    this.add(this.finallyDot);
    this.add(this.end);
    this.addEdge(this.finallyDot, this.end, {});
    if (taskNode) {
      this.add(taskNode);
      this.addEdge(this.root, taskNode, {});
    }
  }

  add(item: Item): void {
    if (!this.members.includes(item)) this.members.push(item);
  }

  /** One edge per pair (a second one replaces the relation); its ends become members, as in Kestra's graph. */
  addEdge(source: Item, target: Item, relation: GraphRelation): void {
    this.add(source);
    this.add(target);
    const existing = this.edges.find((e) => e.source === source && e.target === target);
    if (existing) existing.relation = relation;
    else this.edges.push({ source, target, relation });
  }

  removeEdge(source: Item, target: Item): void {
    this.edges = this.edges.filter((e) => !(e.source === source && e.target === target));
  }

  /** Without a `finally` branch the finally dot goes, what led to it leading to the end. */
  dropFinally(): void {
    const redirected = this.edges.filter((e) => e.target === this.finallyDot);
    this.edges = this.edges.filter((e) => e.source !== this.finallyDot && e.target !== this.finallyDot);
    for (const e of redirected) this.addEdge(e.source, this.end, e.relation);
    this.members.splice(this.members.indexOf(this.finallyDot), 1);
  }

  replace(item: Item, by: Cluster): void {
    this.members.splice(this.members.indexOf(item), 1, by);
    for (const e of this.edges) {
      if (e.source === item) e.source = by.end;
      if (e.target === item) e.target = by.root;
      if (e.source === by.end || e.target === by.root) {
        this.add(e.source);
        this.add(e.target);
      }
    }
  }
}

function uidOf(item: Item): string {
  switch (item.kind) {
    case "dot":
    case "trigger":
      return item.uid;
    case "task":
      return item.values && item.values.length > 0 ? `${item.path}_${item.values.join("_")}` : item.path;
    case "cluster":
      return `cluster_${item.path}`;
  }
}

const entry = (item: Item): Item => (item.kind === "cluster" ? item.root : item);
const exit = (item: Item): Item => (item.kind === "cluster" ? item.end : item);

function markBranch(item: Item, branch: BranchType): void {
  if (item.kind === "task" || item.kind === "dot") item.branchType = branch;
  if (item.kind === "cluster") {
    item.branchType = branch;
    if (item.taskNode) item.taskNode.branchType = branch;
    item.root.branchType = branch;
    item.end.branchType = branch;
  }
}

function taskList(value: unknown): TaskNode[] | undefined {
  return Array.isArray(value) && value.length > 0 ? (value as TaskNode[]) : undefined;
}

class Builder {
  constructor(
    private readonly options: TaskGraphOptions,
    private readonly execution: Execution | undefined,
  ) {}

  /** The flow's triggers, tasks, errors and finally into `graph` (the root cluster or a subflow's). */
  fillFlow(graph: Cluster, flow: Flow, triggers: ReadonlyMap<string, Record<string, unknown>> | undefined): void {
    if (flow.triggers && flow.triggers.length > 0) {
      const cluster = new Cluster(`${graph.path}.Triggers`, undefined, undefined);
      graph.add(cluster);
      for (const declaration of flow.triggers) {
        const trigger = triggers?.get(String(declaration.id));
        const node: TriggerItem = {
          kind: "trigger",
          uid: `${cluster.path}.${declaration.id}`,
          declaration,
          ...(trigger ? { trigger } : {}),
        };
        cluster.addEdge(cluster.root, node, {});
        cluster.addEdge(node, cluster.end, {});
      }
      cluster.dropFinally();
      graph.addEdge(cluster.end, graph.root, {});
    }
    this.fill(graph, flow.tasks, "SEQUENTIAL", undefined, undefined);
    this.alternatives(graph, taskList(flow.errors), taskList(flow.finally), undefined);
  }

  private alternatives(
    graph: Cluster,
    errors: TaskNode[] | undefined,
    finallyTasks: TaskNode[] | undefined,
    parent: TaskRun | undefined,
  ): void {
    if (errors) this.fill(graph, errors, "ERROR", parent, undefined);
    if (finallyTasks) this.fill(graph, finallyTasks, "FINALLY", parent, undefined);
    else graph.dropFinally();
  }

  /** The task runs of a task under `parent`; one `undefined` when it has none (not run, or no execution). */
  private runsOf(task: TaskNode, parent: TaskRun | undefined): (TaskRun | undefined)[] {
    const runs = this.execution?.taskRunList.filter((t) => t.taskId === task.id) ?? [];
    if (runs.length === 0) return [undefined];
    return parent ? runs.filter((t) => t.parentTaskRunId === parent.id) : runs;
  }

  private fill(
    graph: Cluster,
    tasks: readonly TaskNode[],
    relationType: RelationType,
    parent: TaskRun | undefined,
    value: string | undefined,
  ): void {
    let previous: Item = graph.taskNode ?? graph.root;
    if (relationType === "FINALLY") {
      previous = graph.finallyDot;
      graph.removeEdge(graph.finallyDot, graph.end);
    }
    const linkAll = relationType === "PARALLEL" || relationType === "CHOICE";
    const last = relationType === "FINALLY" ? graph.end : graph.finallyDot;
    let first = true;
    tasks.forEach((task, index) => {
      for (const run of this.runsOf(task, parent)) {
        let edgeType = graph.relationType;
        if (relationType === "ERROR") edgeType = relationType;
        else if (!first && relationType !== "PARALLEL" && graph.relationType !== "DYNAMIC") edgeType = relationType;
        const relation = { ...(edgeType ? { relationType: edgeType } : {}), ...relationValue(run ? run.value : value) };
        const node = this.node(task, graph.path, run, relationType, false);
        graph.add(node);
        if (relationType === "ERROR" || relationType === "FINALLY") markBranch(node, relationType);
        if (relationType === "ERROR" && first) previous = graph.root;
        graph.addEdge(exit(previous), entry(node), relation);
        if (relationType !== "PARALLEL") previous = node;
        if (linkAll || index === tasks.length - 1) graph.addEdge(exit(node), last, {});
        first = false;
      }
    });
  }

  private fillDag(
    graph: Cluster,
    tasks: NonNullable<Extract<FlowableTopology, { kind: "cluster" }>["dag"]>,
    parent: TaskRun | undefined,
  ): void {
    const created = new Map<string, Item>();
    const done = new Set<string>();
    const dependencies = new Set(tasks.flatMap((t) => t.dependsOn ?? []));
    const previous: Item = graph.taskNode ?? graph.root;
    for (let progressed = true; progressed && done.size < tasks.length;) {
      progressed = false;
      for (const { task, dependsOn } of tasks) {
        if (done.has(task.id) || !(dependsOn ?? []).every((d) => done.has(d))) continue;
        for (const run of this.runsOf(task, parent)) {
          const relation: GraphRelation = { relationType: "PARALLEL", ...relationValue(run?.value) };
          const node = this.node(task, graph.path, run, "SEQUENTIAL", true);
          graph.add(node);
          if (dependsOn === undefined) graph.addEdge(previous, entry(node), relation);
          for (const id of dependsOn ?? []) {
            const before = created.get(id);
            if (before) graph.addEdge(exit(before), entry(node), relation);
          }
          if (!dependencies.has(task.id)) graph.addEdge(exit(node), graph.finallyDot, {});
          created.set(task.id, node);
        }
        done.add(task.id);
        progressed = true;
      }
    }
  }

  /** A task's node, or its cluster when it is a flowable with children to draw. */
  private node(
    task: TaskNode,
    parentPath: string,
    run: TaskRun | undefined,
    relationType: RelationType,
    inDag: boolean,
  ): TaskItem | Cluster {
    const path = `${parentPath}.${task.id}`;
    const values = run && this.execution ? parentValues(this.execution, run) : undefined;
    const item = (type: RelationType, subflow: boolean): TaskItem => ({
      kind: "task",
      subflow,
      path,
      ...(values ? { values } : {}),
      task,
      ...(run ? { taskRun: run } : {}),
      relationType: type,
    });
    const definition = this.definitionOf(task);
    if (definition?.kind === "flowable") {
      const topology = definition.topology?.(task) ?? {
        kind: "cluster",
        relationType: "SEQUENTIAL",
        branches: [{ tasks: taskList(task.tasks) ?? [] }],
      };
      if (topology.kind === "task") return item("SEQUENTIAL", false);
      const cluster = new Cluster(path, topology.relationType, item(topology.relationType, false));
      if (topology.dag) this.fillDag(cluster, topology.dag, run);
      for (const branch of topology.branches ?? []) {
        if (branch.tasks.length > 0)
          this.fill(cluster, branch.tasks, branch.parallel ? "PARALLEL" : "SEQUENTIAL", run, branch.value);
      }
      const errors = definition.errorTasks ? definition.errorTasks(task) : taskList(task.errors);
      this.alternatives(cluster, taskList(errors), taskList(task.finally), run);
      return cluster;
    }
    const subflow = !inDag && definition?.kind === "executor" && definition.onSubflowEnded !== undefined;
    return item(relationType, subflow);
  }

  private definitionOf(task: TaskNode) {
    try {
      return this.options.registry.resolve(task.type, task.version).definition;
    } catch {
      return undefined;
    }
  }

  /** Replaces the Subflow task nodes named in `expand` (by uid) by a cluster of the subflow's graph. */
  expand(graph: Cluster, expand: readonly string[]): void {
    for (const member of [...graph.members]) {
      if (member.kind === "cluster") {
        this.expand(member, expand);
        continue;
      }
      if (member.kind !== "task" || !member.subflow || !expand.includes(uidOf(member))) continue;
      const uid = uidOf(member);
      const ref = subflowRef(member);
      if (`${ref.namespace}${ref.flowId}`.includes("{{") && !member.taskRun) {
        throw new SakerError(
          "SUBFLOW_DYNAMIC",
          `Can't expand subflow task '${member.task.id}' because namespace and/or flowId contains dynamic values. This can only be viewed on an execution.`,
        );
      }
      if (!this.options.loadSubflow)
        throw new SakerError("SUBFLOW_NOT_FOUND", `Cannot expand subflow task '${member.task.id}': no flows to read`);
      const loaded = this.options.loadSubflow(ref);
      const cluster = new Cluster(uid, "SEQUENTIAL", member, true);
      // The subflow is drawn from its definition: its own task runs are in another execution.
      new Builder(this.options, undefined).fillFlow(cluster, loaded.flow, loaded.triggers);
      this.expand(
        cluster,
        expand.filter((u) => u.startsWith(`${uid}.`)),
      );
      graph.replace(member, cluster);
      if (member.branchType === "ERROR") markBranch(cluster, "ERROR");
    }
  }
}

function relationValue(value: string | undefined): GraphRelation {
  return value === undefined ? {} : { value };
}

function subflowRef(item: TaskItem): SubflowRef {
  const { task } = item;
  const revision = typeof task.revision === "number" ? task.revision : undefined;
  return {
    namespace: String(task.namespace ?? ""),
    flowId: String(task.flowId ?? ""),
    ...(revision !== undefined ? { revision } : {}),
    ...(item.taskRun ? { taskRun: item.taskRun } : {}),
    taskId: task.id,
  };
}

/** Builds the graph of `flow` (with `options.execution`, of that execution of it). */
export function buildTaskGraph(flow: Flow, options: TaskGraphOptions): TaskGraph {
  const root = new Cluster("root", undefined, undefined);
  const builder = new Builder(options, options.execution);
  builder.fillFlow(root, flow, options.triggers);
  if (options.expandSubflows && options.expandSubflows.length > 0) builder.expand(root, options.expandSubflows);
  return toJson(root, options);
}

function toJson(root: Cluster, options: TaskGraphOptions): TaskGraph {
  const forExecution = options.execution !== undefined;
  const nodes: GraphNode[] = [];
  // Several task runs of one task under one parent without a value (a loop's iterations) share a
  // uid: the UI needs unique ones, so the first stands for them all.
  const seen = new Set<string>();
  const edges: GraphEdge[] = [];
  const edgeKeys = new Set<string>();
  const clusters: GraphClusterEntry[] = [];
  const nodeJson = (item: Exclude<Item, Cluster>): GraphNode => {
    if (item.kind === "dot")
      return {
        uid: item.uid,
        type: HIERARCHIES + item.dotKind,
        ...(item.branchType ? { branchType: item.branchType } : {}),
      };
    if (item.kind === "trigger") {
      return {
        uid: item.uid,
        type: `${HIERARCHIES}GraphTrigger`,
        triggerDeclaration: forExecution ? { id: item.declaration.id, type: item.declaration.type } : item.declaration,
        ...(item.trigger ? { trigger: item.trigger } : {}),
      };
    }
    return {
      uid: uidOf(item),
      type: HIERARCHIES + (item.subflow ? "SubflowGraphTask" : "GraphTask"),
      ...(item.branchType ? { branchType: item.branchType } : {}),
      task: forExecution ? taskForExecution(item.task, options.registry) : item.task,
      ...(item.taskRun ? { taskRun: item.taskRun } : {}),
      ...(item.values ? { values: item.values } : {}),
      relationType: item.relationType,
    };
  };
  const walk = (cluster: Cluster, parents: string[]) => {
    for (const member of cluster.members) {
      if (member.kind === "cluster") {
        clusters.push({
          cluster: {
            uid: uidOf(member),
            type: HIERARCHIES + (member.subflowCluster ? "SubflowGraphCluster" : "GraphCluster"),
            ...(member.branchType ? { branchType: member.branchType } : {}),
            ...(member.relationType ? { relationType: member.relationType } : {}),
            ...(member.taskNode && !forExecution ? { taskNode: nodeJson(member.taskNode) } : {}),
          },
          nodes: [...new Set(member.members.map(uidOf))],
          parents,
          start: member.root.uid,
          end: member.end.uid,
        });
        walk(member, [...parents, uidOf(member)]);
      } else if (!seen.has(uidOf(member))) {
        seen.add(uidOf(member));
        nodes.push(nodeJson(member));
      }
    }
    for (const e of cluster.edges) {
      const edge = { source: uidOf(e.source), target: uidOf(e.target), relation: e.relation };
      const key = `${edge.source}\n${edge.target}`;
      if (edge.source === edge.target || edgeKeys.has(key)) continue;
      edgeKeys.add(key);
      edges.push(edge);
    }
  };
  walk(root, []);
  return { nodes, edges, clusters };
}

/**
 * What an execution's graph shows of a task (Kestra's `TaskForExecution`): id, type, the children
 * of a flowable, the `onResume` inputs of a Pause, the subflow of a Subflow task.
 */
function taskForExecution(task: TaskNode, registry: PluginRegistry): Record<string, unknown> {
  let definition;
  try {
    definition = registry.resolve(task.type, task.version).definition;
  } catch {
    definition = undefined;
  }
  const out: Record<string, unknown> = { id: task.id, type: task.type };
  if (Array.isArray(task.onResume)) out.inputs = task.onResume;
  if (definition?.kind === "executor" && definition.onSubflowEnded) {
    out.subflowId = {
      namespace: task.namespace,
      flowId: task.flowId,
      ...(typeof task.revision === "number" ? { revision: task.revision } : {}),
    };
  }
  if (definition?.kind === "flowable") {
    const children = [
      ...collectPluginNodes(definition.properties, task)
        .filter((f) => f.kind === "task")
        .map((f) => f.node as TaskNode),
      ...(definition.syntheticTasks?.(task) ?? []),
    ];
    out.tasks = children.map((child) => taskForExecution(child, registry));
  }
  return out;
}
