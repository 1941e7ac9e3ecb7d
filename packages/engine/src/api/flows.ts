/**
 * Flows for the server and the CLI, on either backend: lists (the latest revisions a search
 * matches, filtered, sorted and paged by the backend's flow repository), validation off the event
 * loop, saves and deletes (several in one transaction: all or none), answered once committed.
 */
import type { FlowSummary, StoredFlow } from "../backend/records.ts";
import type { Flow } from "../model/flow.ts";
import type { Page, SearchQuery } from "../backend/search.ts";
import type { Instance } from "../runtime/instance.ts";

export class FlowsApi {
  constructor(private readonly instance: Instance) {}

  private get tenantId(): string {
    return this.instance.config.tenantId;
  }

  /** Summaries (no source) of the latest, not deleted, revisions a search matches; by namespace and id by default. */
  async search(query: SearchQuery): Promise<Page<FlowSummary>> {
    return await this.instance.backend.flows.search(this.tenantId, query);
  }

  /** The namespaces that hold a flow themselves, sorted. */
  async namespacesWithFlows(): Promise<string[]> {
    return await this.instance.backend.flows.namespaces(this.tenantId);
  }

  /**
   * Every namespace that holds a flow, with the namespaces above it (`company.team` gives
   * `company` too), sorted: namespaces exist through their flows.
   */
  async namespaces(): Promise<string[]> {
    const names = new Set<string>();
    for (const namespace of await this.namespacesWithFlows()) {
      const parts = namespace.split(".");
      for (let i = 1; i <= parts.length; i++) names.add(parts.slice(0, i).join("."));
    }
    return [...names].sort();
  }

  /** The latest, not deleted, revision of every flow of one namespace (not its children), by id. */
  async ofNamespace(namespace: string): Promise<FlowSummary[]> {
    return await this.searchAll({
      filters: [{ field: "namespace", op: "EQUALS", values: [namespace] }],
      sort: ["id:asc"],
    });
  }

  /** Every flow a search matches (no paging), for bulk actions. */
  async searchAll(query: Omit<SearchQuery, "page" | "size">): Promise<FlowSummary[]> {
    const results: FlowSummary[] = [];
    for (let page = 1; ; page++) {
      const found = await this.search({ ...query, page, size: 1_000 });
      results.push(...found.results);
      if (results.length >= found.total || found.results.length === 0) return results;
    }
  }

  /**
   * The latest revision (deleted or not), or the given one; undefined when there is none. Read
   * from the database: a revision another process saved a moment ago is there.
   */
  async stored(namespace: string, id: string, revision?: number): Promise<StoredFlow | undefined> {
    const flows = this.instance.backend.flows;
    return revision === undefined
      ? await flows.latest(this.tenantId, namespace, id)
      : await flows.revision(this.tenantId, namespace, id, revision);
  }

  /** Every revision of a flow, oldest first, with their sources. */
  async revisions(namespace: string, id: string): Promise<StoredFlow[]> {
    return await this.instance.backend.flows.revisions(this.tenantId, namespace, id);
  }

  /** Parses and validates YAML without saving it (off the event loop for a large source). */
  async validate(source: string, sourceName?: string): Promise<Flow> {
    return await this.instance.flows.validateAsync(source, sourceName);
  }

  /** Saves a flow `validate` returned for `source`: a changed source adds a revision. Resolves once committed. */
  async save(source: string, flow: Flow): Promise<StoredFlow> {
    return await this.instance.changeFlows((flows) => flows.save(source, flow).stored);
  }

  /**
   * Saves flows `validate` returned and, with `replace`, deletes the other flows of its scope
   * (every flow, or those of one namespace), in one transaction: all or none, even when the
   * process dies half way.
   */
  async saveAll(
    flows: readonly { source: string; flow: Flow }[],
    replace?: { namespace?: string },
  ): Promise<StoredFlow[]> {
    return await this.instance.changeFlows((service) => {
      const stored = flows.map((f) => service.save(f.source, f.flow).stored);
      if (replace) {
        const kept = new Set(stored.map((s) => `${s.namespace}/${s.id}`));
        const scope = service
          .summaries(replace.namespace)
          .filter((f) => !replace.namespace || f.namespace === replace.namespace);
        for (const f of scope) if (!kept.has(`${f.namespace}/${f.id}`)) service.delete(f.namespace, f.id);
      }
      return stored;
    });
  }

  /** Deletes a flow (its revisions are kept, a deleted revision is added); false when there is none. */
  async delete(namespace: string, id: string): Promise<boolean> {
    return await this.instance.changeFlows((flows) => flows.delete(namespace, id));
  }

  /** Deletes flows in one transaction: all or none. */
  async deleteAll(flows: readonly { namespace: string; id: string }[]): Promise<number> {
    await this.instance.changeFlows((service) => flows.forEach((f) => service.delete(f.namespace, f.id)));
    return flows.length;
  }
}
