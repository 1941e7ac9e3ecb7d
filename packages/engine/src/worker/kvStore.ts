import { SakerError, type KvEntry, type KvStore, type KvType } from "@saker/sdk";

/** The KV entries of a tenant: the backend's repository, or a synchronous store. */
export interface KvAccess {
  get(tenantId: string, namespace: string, key: string): Promise<KvEntry | undefined> | KvEntry | undefined;
  set(tenantId: string, namespace: string, entry: KvEntry): Promise<void> | void;
  delete(tenantId: string, namespace: string, key: string): Promise<boolean> | boolean;
  list(tenantId: string, namespace: string, prefix?: string): Promise<KvEntry[]> | KvEntry[];
}

const KEY = /^[a-zA-Z0-9][a-zA-Z0-9._-]*$/;

/** Guesses the KV type of a value, as Kestra does when `kvType` is not given. */
export function kvTypeOf(value: unknown): KvType {
  if (typeof value === "number") return "NUMBER";
  if (typeof value === "boolean") return "BOOLEAN";
  if (value !== null && typeof value === "object") return "JSON";
  return "STRING";
}

export function createKvStore(repository: KvAccess, tenantId: string, namespace: string): KvStore {
  const checkKey = (key: string) => {
    if (!KEY.test(key)) throw new SakerError("KV_KEY_INVALID", `Key '${key}' is invalid: it must match ${KEY.source}`);
  };
  return {
    namespace,
    async get(key) {
      checkKey(key);
      return repository.get(tenantId, namespace, key);
    },
    async set(key, value, options = {}) {
      checkKey(key);
      if (options.overwrite === false && (await repository.get(tenantId, namespace, key))) {
        throw new SakerError(
          "KV_KEY_EXISTS",
          `Key '${key}' already exists in namespace '${namespace}' and overwrite is false`,
        );
      }
      const now = new Date();
      const entry: KvEntry = {
        key,
        value,
        type: options.type ?? kvTypeOf(value),
        updateDate: now.toISOString(),
        ...(options.ttlMs !== undefined
          ? { expirationDate: new Date(now.getTime() + options.ttlMs).toISOString() }
          : {}),
      };
      await repository.set(tenantId, namespace, entry);
    },
    async delete(key) {
      checkKey(key);
      return repository.delete(tenantId, namespace, key);
    },
    async list(prefix) {
      return repository.list(tenantId, namespace, prefix);
    },
  };
}
