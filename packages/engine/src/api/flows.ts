/** Flows as lists show them: the latest revisions a search matches, filtered, sorted and paged by SQL. */
import { FlowStore, type FlowSummary } from "../backend/sqlite/flowStore.ts";
import type { Page, SearchQuery } from "../backend/sqlite/searchSql.ts";
import type { Instance } from "../runtime/instance.ts";

export class FlowsApi {
  private readonly store: FlowStore;

  constructor(private readonly instance: Instance) {
    this.store = new FlowStore(instance.db);
  }

  /** Summaries (no source) of the latest, not deleted, revisions a search matches; by namespace and id by default. */
  async search(query: SearchQuery): Promise<Page<FlowSummary>> {
    return await Promise.resolve(this.store.searchSummaries(this.instance.config.tenantId, query));
  }

  /** The namespaces that hold a flow themselves, sorted. */
  async namespacesWithFlows(): Promise<string[]> {
    return await Promise.resolve(this.store.latestNamespaces(this.instance.config.tenantId));
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
}
