/**
 * Flow dependencies (Kestra's flow topology, `{nodes, edges}`): which flows start which, through
 * Subflow tasks (`FLOW_TASK`) or Flow triggers (`FLOW_TRIGGER`), for one flow or a namespace.
 * Computed from the latest revision of every flow on each request.
 */
import { z } from "@saker/sdk";
import { flowDependencies, flowRelations, namespaceDependencies, type FlowGraph, type Instance } from "@saker/engine";
import { defineRoute, type AnyRoute } from "../http/route.ts";
import { errors } from "../openapi/schemas.ts";
import { storedFlow } from "./flowSupport.ts";

const booleanQuery = z.enum(["true", "false"]).transform((v) => v === "true");

const DependencyGraphSchema = z.object({
  nodes: z.array(z.object({ uid: z.string(), namespace: z.string(), id: z.string() })),
  edges: z.array(z.object({ source: z.string(), target: z.string(), relation: z.enum(["FLOW_TASK", "FLOW_TRIGGER"]) })),
});

/** The latest revision of every flow that still validates (one that does not has no relations). */
function latestGraphs(instance: Instance): FlowGraph[] {
  const graphs: FlowGraph[] = [];
  for (const head of instance.flows.heads()) {
    try {
      const graph = instance.flows.latestGraph(head.namespace, head.id);
      if (graph) graphs.push(graph);
    } catch {
      // An invalid flow starts nothing and listens to nothing.
    }
  }
  return graphs;
}

const ofFlow = defineRoute({
  method: "GET",
  url: "/flows/:namespace/:id/dependencies",
  summary: "The flows a flow depends on, and those depending on it",
  tags: ["Flows"],
  params: z.object({ namespace: z.string().describe("The flow namespace"), id: z.string().describe("The flow id") }),
  query: z.looseObject({
    destinationOnly: booleanQuery.optional().describe("Only the flows this one depends on (its sources)"),
    expandAll: booleanQuery.optional().describe("Follow the relations of the flows reached too, transitively"),
  }),
  response: { 200: DependencyGraphSchema, ...errors(400, 404) },
  async handler({ params, query, ctx }) {
    await storedFlow(ctx.instance, params.namespace, params.id);
    return flowDependencies(flowRelations(latestGraphs(ctx.instance)), params, {
      ...(query.destinationOnly ? { destinationOnly: true } : {}),
      ...(query.expandAll ? { expandAll: true } : {}),
    });
  },
});

const ofNamespace = defineRoute({
  method: "GET",
  url: "/namespaces/:namespace/dependencies",
  summary: "The dependencies of a namespace's flows, with every flow of the namespace",
  tags: ["Flows"],
  params: z.object({ namespace: z.string().describe("The namespace") }),
  query: z.looseObject({
    destinationOnly: booleanQuery.optional().describe("Accepted for Kestra's clients; not used"),
  }),
  response: { 200: DependencyGraphSchema },
  async handler({ params, ctx }) {
    const flows = ctx.instance.flows.heads(params.namespace).filter((f) => f.namespace === params.namespace);
    // A namespace without flows (only files or KV pairs) has an empty graph, as in Kestra.
    return namespaceDependencies(flowRelations(latestGraphs(ctx.instance)), params.namespace, flows);
  },
});

export const dependencyRoutes: AnyRoute[] = [ofFlow, ofNamespace];
