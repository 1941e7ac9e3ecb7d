/** The KV store of a namespace, as the server reads and writes it: the backend's, which tasks use too. */
import type { KvStore } from "@saker/sdk";
import type { Instance } from "../runtime/instance.ts";
import { createKvStore } from "../worker/kvStore.ts";

export class KvApi {
  constructor(private readonly instance: Instance) {}

  /** The store of one namespace; its methods are async. */
  of(namespace: string): KvStore {
    return createKvStore(this.instance.backend.kv, this.instance.config.tenantId, namespace);
  }
}
