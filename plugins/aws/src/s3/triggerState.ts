/**
 * What the Trigger remembers between evaluations (Kestra 1.x's `on`, `stateKey`, `stateTtl`): the
 * version (ETag, last modification) of every object that started an execution, in the namespace's
 * KV store, so an object left in place (`action: NONE`) starts an execution again only when it is
 * new or has changed, as `on` asks.
 */
import { duration, z, type KvStore } from "@saker/sdk";
import type { S3Object } from "./listing.ts";

export const ON_CHANGES = ["CREATE", "UPDATE", "CREATE_OR_UPDATE"] as const;
export type ChangeType = "CREATE" | "UPDATE";

export const stateProperties = {
  on: z
    .enum(ON_CHANGES)
    .default("CREATE_OR_UPDATE")
    .describe("Which changes start an execution: new objects (CREATE), changed ones (UPDATE) or both."),
  stateKey: z
    .string()
    .optional()
    .describe("The KV key the trigger keeps the versions it has seen under (default: one per flow and trigger)."),
  stateTtl: duration()
    .optional()
    .describe("How long the versions seen are remembered (default: for ever); after it, objects count as new."),
};

interface Seen {
  etag?: string | undefined;
  lastModified?: string | undefined;
}

export interface TriggerState {
  /** The objects `on` lets through, each with its change type. */
  select(objects: readonly S3Object[]): (S3Object & { changeType: ChangeType })[];
  /** Remembers the versions of `objects` (after their execution's event was made). */
  save(objects: readonly S3Object[]): Promise<void>;
}

export async function loadTriggerState(
  kv: KvStore,
  key: string,
  on: (typeof ON_CHANGES)[number],
  ttlMs: number | undefined,
): Promise<TriggerState> {
  const stored = (await kv.get(key))?.value;
  const seen: Record<string, Seen> =
    stored && typeof stored === "object" ? { ...(stored as Record<string, Seen>) } : {};
  return {
    select(objects) {
      const selected: (S3Object & { changeType: ChangeType })[] = [];
      for (const object of objects) {
        const before = seen[object.key];
        const changeType: ChangeType | undefined = !before
          ? "CREATE"
          : before.etag !== object.etag || before.lastModified !== object.lastModified
            ? "UPDATE"
            : undefined;
        if (changeType && (on === "CREATE_OR_UPDATE" || on === changeType)) selected.push({ ...object, changeType });
      }
      return selected;
    },
    async save(objects) {
      for (const object of objects) seen[object.key] = { etag: object.etag, lastModified: object.lastModified };
      await kv.set(key, seen, { type: "JSON", ...(ttlMs !== undefined ? { ttlMs } : {}) });
    },
  };
}
