/**
 * The flows of a PostgreSQL database, mirrored in memory for the runtime's `FlowService`, which
 * reads them synchronously (the executor looks a flow up in the middle of a step). Loaded whole
 * at open (flow revisions are few and small next to executions); a save or delete changes the
 * mirror at once and is written behind it, in order: `flush()` resolves once the writes so far
 * are committed (the instance awaits it before answering a deploy) and rejects with the first
 * one that failed — the mirror then reloads that flow from the database. After a commit the
 * other processes are told (notification `flow`) and reload that flow.
 */
import { randomBytes } from "node:crypto";
import type { Label } from "../../model/execution.ts";
import type { FlowSource } from "../backend.ts";
import type { Notifier } from "../notifier.ts";
import type { FlowHead, FlowSummary, StoredFlow } from "../records.ts";
import type { PostgresFlows } from "./repositories.ts";

export const FLOW_TOPIC = "flow";

interface FlowChange {
  origin: string;
  tenantId: string;
  namespace: string;
  id: string;
}

interface FlowKey {
  tenantId: string;
  namespace: string;
  id: string;
}

interface PendingWrite {
  flow: FlowKey;
  fn: (store: PostgresFlows) => Promise<unknown>;
}

/** Runs `fn` with the flows of one transaction. */
export type AtomicFlows = (fn: (store: PostgresFlows) => Promise<void>) => Promise<void>;

const keyOf = (tenantId: string, namespace: string, id: string) => `${tenantId}\u0000${namespace}\u0000${id}`;

const inPrefix = (namespace: string, prefix?: string) =>
  prefix === undefined || namespace === prefix || namespace.startsWith(`${prefix}.`);

/** Byte order of strings, as the SQLite store sorts them. */
const byBytes = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export class FlowMirror implements FlowSource {
  /** Every revision of each flow, by tenant, namespace and id, in revision order. */
  private readonly flows = new Map<string, StoredFlow[]>();
  private readonly origin = randomBytes(6).toString("base64url");
  private writes: Promise<void> = Promise.resolve();
  private failure: unknown;
  /** The writes of a `together` under way. */
  private batch: PendingWrite[] | undefined;
  private readonly unsubscribe: () => void;
  /** The latest-revision reads about to be sent, one per flow, shared by the refreshes asking meanwhile. */
  private readonly pendingHeads = new Map<string, Promise<{ revision: number; deleted: boolean } | undefined>>();

  private constructor(
    private readonly store: PostgresFlows,
    private readonly notifier: Notifier,
    private readonly atomic: AtomicFlows,
  ) {
    this.unsubscribe = notifier.on(FLOW_TOPIC, (payload) => {
      const change = payload as FlowChange | undefined;
      if (!change || change.origin === this.origin) return;
      void this.reload(change.tenantId, change.namespace, change.id).catch(() => undefined);
    });
  }

  /** `atomic` runs writes in one transaction (without it, a batch's writes are made one by one). */
  static async load(
    store: PostgresFlows,
    notifier: Notifier,
    atomic: AtomicFlows = (fn) => fn(store),
  ): Promise<FlowMirror> {
    const mirror = new FlowMirror(store, notifier, atomic);
    for (const flow of await store.everything())
      mirror.revisionsOf(flow.tenantId, flow.namespace, flow.id, true).push(flow);
    return mirror;
  }

  close(): void {
    this.unsubscribe();
  }

  private revisionsOf(tenantId: string, namespace: string, id: string, create = false): StoredFlow[] {
    const key = keyOf(tenantId, namespace, id);
    let list = this.flows.get(key);
    if (!list) {
      list = [];
      if (create) this.flows.set(key, list);
    }
    return list;
  }

  /**
   * Catches up with another process's save that was not heard of yet: reads a flow again when the
   * database's latest revision (or the given revision) differs from the mirror's. One small query
   * when nothing changed.
   */
  async refresh(tenantId: string, namespace: string, id: string, revision?: number): Promise<void> {
    await this.writes; // this process's own writes land first
    if (revision !== undefined) {
      if (!this.revision(tenantId, namespace, id, revision)) await this.reload(tenantId, namespace, id);
      return;
    }
    const latest = await this.latestHead(tenantId, namespace, id);
    const local = this.latest(tenantId, namespace, id);
    if (latest?.revision !== local?.revision || latest?.deleted !== local?.deleted)
      await this.reload(tenantId, namespace, id);
  }

  /**
   * The database's latest revision of a flow, read once for all the refreshes of it asked within
   * the same turn (a burst of executions created at once): the read is sent after all of them
   * asked, so it sees every save committed before any of them did.
   */
  private latestHead(
    tenantId: string,
    namespace: string,
    id: string,
  ): Promise<{ revision: number; deleted: boolean } | undefined> {
    const key = keyOf(tenantId, namespace, id);
    let head = this.pendingHeads.get(key);
    if (!head) {
      head = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        this.pendingHeads.delete(key);
        return this.store.latestHead(tenantId, namespace, id);
      });
      this.pendingHeads.set(key, head);
    }
    return head;
  }

  private async reload(tenantId: string, namespace: string, id: string): Promise<void> {
    const revisions = await this.store.revisions(tenantId, namespace, id);
    if (revisions.length === 0) this.flows.delete(keyOf(tenantId, namespace, id));
    else this.flows.set(keyOf(tenantId, namespace, id), revisions);
  }

  /** Queues a write of a flow (or adds it to the open batch: see `together`). */
  private write(flow: FlowKey, fn: (store: PostgresFlows) => Promise<unknown>): void {
    if (this.batch) this.batch.push({ flow: pick(flow), fn });
    else this.enqueue([{ flow: pick(flow), fn }]);
  }

  /**
   * Queues writes committed together (in one transaction when there are several); on failure
   * their flows are read again and the error kept for `flush`.
   */
  private enqueue(writes: readonly PendingWrite[]): void {
    this.writes = this.writes.then(async () => {
      try {
        if (writes.length === 1) await writes[0]!.fn(this.store);
        else
          await this.atomic(async (store) => {
            for (const w of writes) await w.fn(store);
          });
        for (const flow of distinct(writes)) this.notifier.notify(FLOW_TOPIC, { origin: this.origin, ...flow });
      } catch (error) {
        this.failure ??= error;
        await this.reloadAll(distinct(writes));
      }
    });
  }

  private async reloadAll(flows: readonly FlowKey[]): Promise<void> {
    for (const f of flows) await this.reload(f.tenantId, f.namespace, f.id).catch(() => undefined);
  }

  /**
   * Runs `fn`, whose saves and deletes are written behind together: all committed, or none (the
   * flows are then read again and `flush` rejects). When `fn` throws nothing it did is written
   * and its flows are read again.
   */
  together<T>(fn: () => T): T {
    if (this.batch) return fn();
    const batch: PendingWrite[] = [];
    this.batch = batch;
    let failed = false;
    try {
      return fn();
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      this.batch = undefined;
      if (failed) {
        const flows = distinct(batch);
        this.writes = this.writes.then(() => this.reloadAll(flows));
      } else if (batch.length > 0) this.enqueue(batch);
    }
  }

  /** Resolves once every write so far is committed; rejects with the first that failed since the last flush. */
  async flush(): Promise<void> {
    await this.writes;
    const failure = this.failure;
    this.failure = undefined;
    if (failure !== undefined) throw failure;
  }

  latest(tenantId: string, namespace: string, id: string): StoredFlow | undefined {
    return this.revisionsOf(tenantId, namespace, id).at(-1);
  }

  revision(tenantId: string, namespace: string, id: string, revision: number): StoredFlow | undefined {
    return this.revisionsOf(tenantId, namespace, id).find((f) => f.revision === revision);
  }

  revisions(tenantId: string, namespace: string, id: string): StoredFlow[] {
    return [...this.revisionsOf(tenantId, namespace, id)];
  }

  /** Saves a new revision unless the source is unchanged (see `FlowStore.save`). */
  save(
    tenantId: string,
    namespace: string,
    id: string,
    source: string,
    disabled: boolean,
    labels: readonly Label[] = [],
  ): { flow: StoredFlow; created: boolean } {
    const current = this.latest(tenantId, namespace, id);
    if (current && !current.deleted && current.source === source) return { flow: current, created: false };
    const flow: StoredFlow = {
      tenantId,
      namespace,
      id,
      revision: (current?.revision ?? 0) + 1,
      source,
      deleted: false,
      disabled,
      updated: new Date().toISOString(),
      labels: [...labels],
    };
    this.revisionsOf(tenantId, namespace, id, true).push(flow);
    this.write(flow, (store) => store.insertRevision(flow));
    return { flow, created: true };
  }

  /** Marks a flow deleted with a new revision; false when there was none. */
  delete(tenantId: string, namespace: string, id: string): boolean {
    const current = this.latest(tenantId, namespace, id);
    if (!current || current.deleted) return false;
    const flow: StoredFlow = {
      ...current,
      revision: current.revision + 1,
      deleted: true,
      updated: new Date().toISOString(),
    };
    this.revisionsOf(tenantId, namespace, id, true).push(flow);
    this.write(flow, (store) => store.insertRevision(flow));
    return true;
  }

  deleteRevisions(tenantId: string, namespace: string, id: string, revisions: readonly number[]): number {
    const list = this.revisionsOf(tenantId, namespace, id);
    const gone = new Set(revisions);
    const kept = list.filter((f) => !gone.has(f.revision));
    const deleted = list.length - kept.length;
    if (deleted === 0) return 0;
    list.splice(0, list.length, ...kept);
    this.write({ tenantId, namespace, id }, (store) => store.deleteRevisions(tenantId, namespace, id, revisions));
    return deleted;
  }

  /** The latest revision of every flow that is not deleted, by namespace and id. */
  all(tenantId: string, namespacePrefix?: string): StoredFlow[] {
    const result: StoredFlow[] = [];
    for (const list of this.flows.values()) {
      const latest = list.at(-1);
      if (latest && latest.tenantId === tenantId && !latest.deleted && inPrefix(latest.namespace, namespacePrefix))
        result.push(latest);
    }
    return result.sort((a, b) => byBytes(a.namespace, b.namespace) || byBytes(a.id, b.id));
  }

  summaries(tenantId: string, namespacePrefix?: string): FlowSummary[] {
    return this.all(tenantId, namespacePrefix).map(({ source: _source, ...summary }) => summary);
  }

  heads(tenantId: string): FlowHead[] {
    return this.all(tenantId).map((f) => ({
      namespace: f.namespace,
      id: f.id,
      revision: f.revision,
      disabled: f.disabled,
    }));
  }
}

function pick(flow: FlowKey): FlowKey {
  return { tenantId: flow.tenantId, namespace: flow.namespace, id: flow.id };
}

/** The flows of some writes, each once. */
function distinct(writes: readonly PendingWrite[]): FlowKey[] {
  const seen = new Map<string, FlowKey>();
  for (const { flow } of writes) seen.set(keyOf(flow.tenantId, flow.namespace, flow.id), flow);
  return [...seen.values()];
}
