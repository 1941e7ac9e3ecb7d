/**
 * Flows as the instance keeps them: validated on the way in, stored with every revision, parsed
 * and compiled once per revision.
 */
import { SakerError } from "@saker/sdk";
import { compileFlowGraph, type FlowGraph } from "../model/flowGraph.ts";
import type { Flow, PluginDefault } from "../model/flow.ts";
import { parseFlow } from "../model/parseFlow.ts";
import type { PluginRegistry } from "../plugins/registry.ts";
import type { FlowHead, FlowStore, FlowSummary, StoredFlow } from "../repository/sqlite/flowStore.ts";

export interface LoadedFlow {
  stored: StoredFlow;
  flow: Flow;
}

export class FlowService {
  private readonly graphs = new Map<string, FlowGraph>();
  /** Parsed revisions: a revision never changes, so it is parsed once (until plugins change). */
  private readonly parsed = new Map<string, Flow>();

  constructor(
    private readonly store: FlowStore,
    private readonly registry: PluginRegistry,
    private readonly tenantId: string,
    private readonly globalDefaults: readonly PluginDefault[],
  ) {}

  /** Parses and validates flow YAML without saving it. */
  validate(source: string, sourceName?: string): Flow {
    return parseFlow(source, { registry: this.registry, globalDefaults: this.globalDefaults, ...(sourceName ? { sourceName } : {}) });
  }

  /** Validates and saves a flow; a changed source adds a revision. */
  deploy(source: string, sourceName?: string): LoadedFlow & { created: boolean } {
    return this.save(source, this.validate(source, sourceName));
  }

  /**
   * Saves a flow `validate` returned for `source` (a changed source adds a revision); several
   * saves in one transaction are all or nothing.
   */
  save(source: string, flow: Flow): LoadedFlow & { created: boolean } {
    const { flow: stored, created } = this.store.save(this.tenantId, flow.namespace, flow.id, source, flow.disabled === true, flow.labels ?? []);
    const loaded = { ...flow, revision: stored.revision };
    if (stored.source === source) this.parsed.set(`${flow.namespace}/${flow.id}/${stored.revision}`, loaded);
    return { stored, flow: loaded, created };
  }

  /** The latest revision (or `revision`); undefined when there is none or it is deleted. */
  find(namespace: string, id: string, revision?: number): LoadedFlow | undefined {
    const stored = this.stored(namespace, id, revision);
    if (!stored || (revision === undefined && stored.deleted)) return undefined;
    return { stored, flow: this.parse(stored) };
  }

  /** A stored revision as it is (deleted ones too), without parsing it. */
  stored(namespace: string, id: string, revision?: number): StoredFlow | undefined {
    return revision === undefined ? this.store.latest(this.tenantId, namespace, id) : this.store.revision(this.tenantId, namespace, id, revision);
  }

  /** The validated flow of a stored revision, parsed once. Throws when it no longer validates. */
  parse(stored: StoredFlow): Flow {
    const key = `${stored.namespace}/${stored.id}/${stored.revision}`;
    let flow = this.parsed.get(key);
    if (!flow) {
      flow = { ...this.validate(stored.source, `${stored.namespace}/${stored.id}`), revision: stored.revision };
      this.parsed.set(key, flow);
    }
    return flow;
  }

  get(namespace: string, id: string, revision?: number): LoadedFlow {
    const found = this.find(namespace, id, revision);
    if (!found) {
      throw new SakerError("FLOW_NOT_FOUND", `Flow '${namespace}/${id}'${revision !== undefined ? ` revision ${revision}` : ""} not found`, { details: { status: 404 } });
    }
    return found;
  }

  /** The compiled graph of a flow revision (cached). */
  graph(namespace: string, id: string, revision: number): FlowGraph {
    const key = `${namespace}/${id}/${revision}`;
    let graph = this.graphs.get(key);
    if (!graph) {
      graph = compileFlowGraph(this.get(namespace, id, revision).flow, this.registry);
      this.graphs.set(key, graph);
    }
    return graph;
  }

  /** The compiled graph of a flow's latest revision, or undefined when there is none. */
  latestGraph(namespace: string, id: string): FlowGraph | undefined {
    const stored = this.store.latest(this.tenantId, namespace, id);
    return stored && !stored.deleted ? this.graph(namespace, id, stored.revision) : undefined;
  }

  /** Forgets parsed flows and compiled graphs (after plugins changed). */
  invalidate(): void {
    this.graphs.clear();
    this.parsed.clear();
  }

  all(namespacePrefix?: string): StoredFlow[] {
    return this.store.all(this.tenantId, namespacePrefix);
  }

  /** The latest revision of every flow, without sources: for lists. */
  summaries(namespacePrefix?: string): FlowSummary[] {
    return this.store.summaries(this.tenantId, namespacePrefix);
  }

  /** The latest revision of every flow, without sources: for loops that run often (the scheduler). */
  heads(namespacePrefix?: string): FlowHead[] {
    const heads = this.store.heads(this.tenantId);
    return namespacePrefix ? heads.filter((f) => f.namespace === namespacePrefix || f.namespace.startsWith(`${namespacePrefix}.`)) : heads;
  }

  delete(namespace: string, id: string): boolean {
    return this.store.delete(this.tenantId, namespace, id);
  }

  revisions(namespace: string, id: string): StoredFlow[] {
    return this.store.revisions(this.tenantId, namespace, id);
  }
}
