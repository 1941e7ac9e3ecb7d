/**
 * Flows as the instance keeps them: validated on the way in, stored with every revision, parsed
 * and compiled once per revision. The `…Async` methods do the parsing without holding the event
 * loop (see parseFlowAsync), for the server; the synchronous ones stay for the CLI and the engine.
 */
import { isSakerError, SakerError } from "@saker/sdk";
import { compileFlowGraph, type FlowGraph } from "../flow/flowGraph.ts";
import type { Flow, PluginDefault } from "../model/flow.ts";
import { withinSizeLimits } from "../model/dataLimits.ts";
import { editDisabledAsync } from "../model/yamlOffThread.ts";
import { parseFlow, parseFlowAsync, type ParseFlowOptions } from "../flow/parseFlow.ts";
import type { PluginRegistry } from "../plugins/registry.ts";
import type { FlowSource } from "../backend/backend.ts";
import type { FlowHead, FlowSummary, StoredFlow } from "../backend/records.ts";

export interface LoadedFlow {
  stored: StoredFlow;
  flow: Flow;
}

/** The cache key of one revision of a flow. */
const revisionKey = (flow: { namespace: string; id: string; revision: number }) =>
  `${flow.namespace}/${flow.id}/${flow.revision}`;

export class FlowService {
  private readonly graphs = new Map<string, FlowGraph>();
  /** Parsed revisions: a revision never changes, so it is parsed once (until plugins change). */
  private readonly parsed = new Map<string, Flow>();
  /** Revisions that no longer validate (a plugin removed): not parsed again on every look. */
  private readonly failed = new Map<string, unknown>();
  /** Parses under way, shared by whoever asks meanwhile. */
  private readonly parsing = new Map<string, Promise<Flow>>();
  private changeCount = 0;

  constructor(
    private readonly store: FlowSource,
    private readonly registry: PluginRegistry,
    private readonly tenantId: string,
    private readonly globalDefaults: readonly PluginDefault[],
  ) {}

  /**
   * Counts the changes made through this service (saves, deletes, `invalidate`): what was derived
   * from the latest flows at another count may be stale. Another process's writes (PostgreSQL)
   * are not counted.
   */
  get changes(): number {
    return this.changeCount;
  }

  private options(sourceName?: string): ParseFlowOptions {
    return { registry: this.registry, globalDefaults: this.globalDefaults, ...(sourceName ? { sourceName } : {}) };
  }

  /** Parses and validates flow YAML without saving it. */
  validate(source: string, sourceName?: string): Flow {
    return parseFlow(source, this.options(sourceName));
  }

  /** `validate` without holding the event loop for long (a large source). */
  validateAsync(source: string, sourceName?: string): Promise<Flow> {
    return parseFlowAsync(source, this.options(sourceName));
  }

  /**
   * The source of a stored revision with `disabled` set, for a new revision that enables or
   * disables the flow (edited as text, a large source in the worker thread: see
   * disabledSource.ts), and its flow when it comes without parsing the source again (a 5 MB flow
   * takes seconds): when the edit only changed the top-level `disabled` value, or added a
   * `disabled: true` line, to the latest revision, parsed here, the flow is that revision's with
   * `disabled` set. Only `disabled: z.boolean()` validates that value, and parsed revisions are
   * forgotten when plugins change. Otherwise `flow` is undefined and the caller validates
   * `source` (as when it is over a size limit: the parse names it). Not saved.
   */
  async toggleAsync(stored: StoredFlow, disabled: boolean): Promise<{ source: string; flow: Flow | undefined }> {
    const edit = await editDisabledAsync(stored.source, disabled, `flow '${stored.namespace}/${stored.id}'`);
    return { source: edit.source, flow: edit.only ? this.toggled(stored, edit.source, disabled) : undefined };
  }

  /** The flow of `source`, `stored`'s source with only `disabled` changed (see toggleAsync). */
  private toggled(stored: StoredFlow, source: string, disabled: boolean): Flow | undefined {
    if (!withinSizeLimits(source, "maxFlowBytes", "maxYamlBytes")) return undefined;
    // Looked up after the edit, which may have waited for the worker.
    const latest = this.store.latest(this.tenantId, stored.namespace, stored.id);
    if (!latest || latest.deleted || latest.revision !== stored.revision || latest.source !== stored.source)
      return undefined;
    const previous = this.parsed.get(revisionKey(latest));
    if (!previous) return undefined;
    // Without the revision the cache added (the source has none of its own: see DisabledEdit.only).
    const { revision: _revision, ...flow } = previous;
    return { ...flow, disabled };
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
    this.changeCount++;
    const { flow: stored, created } = this.store.save(
      this.tenantId,
      flow.namespace,
      flow.id,
      source,
      flow.disabled === true,
      flow.labels ?? [],
    );
    const loaded = { ...flow, revision: stored.revision };
    if (stored.source === source) this.parsed.set(revisionKey(stored), loaded);
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
    return revision === undefined
      ? this.store.latest(this.tenantId, namespace, id)
      : this.store.revision(this.tenantId, namespace, id, revision);
  }

  /** The validated flow of a stored revision, parsed once. Throws when it no longer validates. */
  parse(stored: StoredFlow): Flow {
    const key = revisionKey(stored);
    const flow = this.cached(key);
    if (flow) return flow;
    try {
      return this.remember(key, stored, this.validate(stored.source, `${stored.namespace}/${stored.id}`));
    } catch (error) {
      this.rememberFailure(key, error);
      throw error;
    }
  }

  /** `parse` without holding the event loop for long. */
  async parseAsync(stored: StoredFlow): Promise<Flow> {
    const key = revisionKey(stored);
    const flow = this.cached(key);
    if (flow) return flow;
    let running = this.parsing.get(key);
    if (!running) {
      running = this.validateAsync(stored.source, `${stored.namespace}/${stored.id}`).then(
        (valid) => this.remember(key, stored, valid),
        (error: unknown) => {
          this.rememberFailure(key, error);
          throw error;
        },
      );
      running.finally(() => this.parsing.delete(key)).catch(() => undefined);
      this.parsing.set(key, running);
    }
    return running;
  }

  /** The parsed flow of a revision parsed before; throws the error it failed with before. */
  private cached(key: string): Flow | undefined {
    const flow = this.parsed.get(key);
    if (!flow && this.failed.has(key)) throw this.failed.get(key);
    return flow;
  }

  /** A revision that does not validate fails the same way until plugins change; a stopped parser is tried again. */
  private rememberFailure(key: string, error: unknown): void {
    if (isSakerError(error) && error.code !== "YAML_PARSER_STOPPED") this.failed.set(key, error);
  }

  private remember(key: string, stored: StoredFlow, valid: Flow): Flow {
    const flow = { ...valid, revision: stored.revision };
    this.parsed.set(key, flow);
    return flow;
  }

  /**
   * Parses the latest revision of every flow not parsed yet, without holding the event loop for
   * long, so that what reads them next (the scheduler's pass over every flow) finds them parsed.
   */
  async prepareLatest(): Promise<void> {
    let sliceStart = performance.now();
    for (const head of this.heads()) {
      const key = revisionKey(head);
      if (this.parsed.has(key) || this.failed.has(key)) continue;
      // Many small flows parse in place, one after the other: let others run now and then.
      if (performance.now() - sliceStart > 10) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
      }
      const stored = this.store.revision(this.tenantId, head.namespace, head.id, head.revision);
      if (!stored || stored.deleted) continue;
      await this.parseAsync(stored).catch(() => undefined); // the error is cached and thrown to whoever uses the flow
    }
  }

  get(namespace: string, id: string, revision?: number): LoadedFlow {
    const found = this.find(namespace, id, revision);
    if (!found) {
      throw new SakerError(
        "FLOW_NOT_FOUND",
        `Flow '${namespace}/${id}'${revision !== undefined ? ` revision ${revision}` : ""} not found`,
      );
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

  /**
   * `graph`, for a revision another process may have saved a moment ago: one this process has
   * not heard of yet (its notification on the way, or a flow copied by `saker migrate` while
   * this process runs) is read from the shared database first instead of failing the execution.
   */
  async graphCaughtUp(namespace: string, id: string, revision: number): Promise<FlowGraph> {
    if (
      this.store.refresh &&
      !this.graphs.has(`${namespace}/${id}/${revision}`) &&
      !this.store.revision(this.tenantId, namespace, id, revision)
    )
      await this.store.refresh(this.tenantId, namespace, id, revision);
    return this.graph(namespace, id, revision);
  }

  /** The compiled graph of a flow's latest revision, or undefined when there is none. */
  latestGraph(namespace: string, id: string): FlowGraph | undefined {
    const stored = this.store.latest(this.tenantId, namespace, id);
    return stored && !stored.deleted ? this.graph(namespace, id, stored.revision) : undefined;
  }

  /** Forgets parsed flows and compiled graphs (after plugins changed). */
  invalidate(): void {
    this.changeCount++;
    this.graphs.clear();
    this.parsed.clear();
    this.failed.clear();
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
    return namespacePrefix
      ? heads.filter((f) => f.namespace === namespacePrefix || f.namespace.startsWith(`${namespacePrefix}.`))
      : heads;
  }

  delete(namespace: string, id: string): boolean {
    this.changeCount++;
    return this.store.delete(this.tenantId, namespace, id);
  }

  revisions(namespace: string, id: string): StoredFlow[] {
    return this.store.revisions(this.tenantId, namespace, id);
  }

  /** Deletes old revisions of a flow for good (PurgeFlows); returns how many went. */
  deleteRevisions(namespace: string, id: string, revisions: readonly number[]): number {
    const deleted = this.store.deleteRevisions(this.tenantId, namespace, id, revisions);
    if (deleted > 0) this.invalidate();
    return deleted;
  }
}
