/**
 * Topology graphs (Kestra's `FlowGraph`: nodes, edges, clusters) of a stored flow, of a flow's YAML
 * being edited, and of an execution with its task runs; `subflows` lists Subflow task node uids to
 * draw expanded.
 */
import { SakerError, z } from "@saker/sdk";
import {
  buildTaskGraph,
  listTriggers,
  type EngineApi,
  type Execution,
  type Flow,
  type Instance,
  type SubflowRef,
  type TaskGraph,
} from "@saker/engine";
import { notFound } from "../http/errors.ts";
import { multi } from "../http/paging.ts";
import { defineRoute, type AnyRoute } from "../http/route.ts";
import { errors } from "../openapi/schemas.ts";
import { ExecutionParams, storedExecution } from "./executionSupport.ts";
import { storedFlow } from "./flowSupport.ts";

const YAML_TYPES = ["application/x-yaml", "application/yaml", "text/yaml", "text/plain"];
const FlowParams = z.object({
  namespace: z.string().describe("The flow namespace"),
  id: z.string().describe("The flow id"),
});
const SubflowsQuery = { subflows: multi().describe("Uids of Subflow task nodes to draw expanded (`root.launch`)") };

const GraphSchema = z.looseObject({
  nodes: z.array(z.looseObject({ uid: z.string(), type: z.string() })),
  edges: z.array(
    z.object({
      source: z.string(),
      target: z.string(),
      relation: z.looseObject({ relationType: z.string().optional(), value: z.string().optional() }),
    }),
  ),
  clusters: z.array(
    z.looseObject({
      cluster: z.looseObject({ uid: z.string(), type: z.string() }),
      nodes: z.array(z.string()),
      parents: z.array(z.string()),
      start: z.string(),
      end: z.string(),
    }),
  ),
});

/** Trigger states (Kestra's `Trigger` context) by flow, then by trigger id. */
type TriggerStates = (namespace: string, flowId: string) => Map<string, Record<string, unknown>>;

/**
 * The trigger states of the flows a graph may draw, read before it is built (the build is
 * synchronous): the flow's own, or every flow's when subflows are expanded.
 */
async function triggerStates(instance: Instance, flow: Flow, expanding: boolean): Promise<TriggerStates> {
  const found = await listTriggers(instance, expanding ? {} : { namespace: flow.namespace, flowId: flow.id });
  const byFlow = new Map<string, Map<string, Record<string, unknown>>>();
  for (const t of found) {
    const key = `${t.triggerContext.namespace}/${t.triggerContext.flowId}`;
    let states = byFlow.get(key);
    if (!states) byFlow.set(key, (states = new Map()));
    states.set(t.triggerContext.triggerId, t.triggerContext as unknown as Record<string, unknown>);
  }
  return (namespace, flowId) => byFlow.get(`${namespace}/${flowId}`) ?? new Map();
}

/** The executions an execution's task runs started (its Subflows' children), by id. */
async function childExecutions(api: EngineApi, execution: Execution | undefined): Promise<Map<string, Execution>> {
  const children = new Map<string, Execution>();
  for (const run of execution?.taskRunList ?? []) {
    const childId = run.outputs?.executionId;
    if (typeof childId !== "string" || children.has(childId)) continue;
    const child = (await api.executions.stored(childId))?.execution;
    if (child) children.set(childId, child);
  }
  return children;
}

function loadSubflow(instance: Instance, triggers: TriggerStates, children: Map<string, Execution>) {
  return (ref: SubflowRef): { flow: Flow; triggers: Map<string, Record<string, unknown>> } => {
    let { namespace, flowId, revision } = ref;
    if (`${namespace}${flowId}`.includes("{{")) {
      // In an execution, the subflow is the one its child execution ran.
      const childId = ref.taskRun?.outputs?.executionId;
      const child = typeof childId === "string" ? children.get(childId) : undefined;
      if (!child) {
        throw new SakerError(
          "SUBFLOW_DYNAMIC",
          `Can't expand subflow task '${ref.taskId}': its namespace and/or flowId are expressions and it started no execution yet`,
        );
      }
      ({ namespace, flowId } = child);
      revision = child.flowRevision;
    }
    const stored = instance.flows.stored(namespace, flowId, revision);
    if (!stored || (stored.deleted && revision === undefined)) {
      throw notFound(
        "FLOW_NOT_FOUND",
        `Unable to find subflow '${namespace}/${flowId}'${revision !== undefined ? ` revision ${revision}` : ""} for task '${ref.taskId}'`,
      );
    }
    return {
      flow: instance.flows.graph(namespace, flowId, stored.revision).flow,
      triggers: triggers(namespace, flowId),
    };
  };
}

async function graphOf(
  api: EngineApi,
  flow: Flow,
  subflows: string[] | undefined,
  execution?: Execution,
): Promise<TaskGraph> {
  const instance = api.instance;
  const expanding = (subflows?.length ?? 0) > 0;
  const triggers = await triggerStates(instance, flow, expanding);
  const children = expanding ? await childExecutions(api, execution) : new Map<string, Execution>();
  return buildTaskGraph(flow, {
    registry: instance.registry,
    triggers: triggers(flow.namespace, flow.id),
    loadSubflow: loadSubflow(instance, triggers, children),
    ...(subflows ? { expandSubflows: subflows } : {}),
    ...(execution ? { execution } : {}),
  });
}

const flowGraph = defineRoute({
  method: "GET",
  url: "/flows/:namespace/:id/graph",
  summary: "The topology graph of a flow (nodes, edges, clusters)",
  tags: ["Flows"],
  params: FlowParams,
  query: z.looseObject({
    revision: z.coerce.number().int().min(1).optional().describe("The flow revision; the latest by default"),
    ...SubflowsQuery,
  }),
  response: { 200: GraphSchema, ...errors(404, 422) },
  async handler({ params, query, ctx }) {
    const stored = await storedFlow(ctx.instance, params.namespace, params.id, query.revision);
    const flow = await ctx.instance.flows.parseAsync(stored);
    return await graphOf(ctx.api, flow, query.subflows);
  },
});

const sourceGraph = defineRoute({
  method: "POST",
  url: "/flows/graph",
  summary: "The topology graph of a flow's YAML source (not saved)",
  tags: ["Flows"],
  consumes: YAML_TYPES,
  body: z.string().min(1, "the flow YAML is empty").describe("The flow, as YAML"),
  bodyDoc: { content: Object.fromEntries(YAML_TYPES.map((t) => [t, { schema: { type: "string" } }])) },
  query: z.looseObject(SubflowsQuery),
  response: { 200: GraphSchema, ...errors(400, 404, 413, 422) },
  async handler({ body, query, ctx }) {
    const flow = await ctx.instance.flows.validateAsync(body);
    return await graphOf(ctx.api, flow, query.subflows);
  },
});

const executionGraph = defineRoute({
  method: "GET",
  url: "/executions/:executionId/graph",
  summary: "The topology graph of an execution: its flow revision's graph, one node per task run",
  tags: ["Executions"],
  params: ExecutionParams,
  query: z.looseObject(SubflowsQuery),
  response: { 200: GraphSchema, ...errors(404, 422) },
  async handler({ params, query, ctx }) {
    const { execution } = await storedExecution(ctx.api, params.executionId);
    const stored = await storedFlow(ctx.instance, execution.namespace, execution.flowId, execution.flowRevision);
    const flow = await ctx.instance.flows.parseAsync(stored);
    return await graphOf(ctx.api, flow, query.subflows, execution);
  },
});

export const graphRoutes: AnyRoute[] = [sourceGraph, flowGraph, executionGraph];
