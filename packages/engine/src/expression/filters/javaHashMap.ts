/**
 * The iteration order of a java.util.HashMap. Kestra builds some filter results in a HashMap
 * (`merge` of two maps, `replace` and `escapeChar` on a map), so their keys come out in bucket
 * order, not in insertion order. Keys are ordered by bucket index in the final table, and within a
 * bucket by first insertion (HashMap appends to a bucket and keeps that order when it resizes).
 */
import { JavaNumber, num } from "../values.ts";

/** Java's `String.hashCode` (over UTF-16 code units). */
export function javaStringHash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
  return h;
}

/** `hashCode()` of a key as Java would hold it: a String, a Long/Integer, a Boolean. */
export function javaHash(key: unknown): number {
  if (typeof key === "boolean") return key ? 1231 : 1237;
  const integral =
    typeof key === "number"
      ? Number.isInteger(key)
      : key instanceof JavaNumber && (key.type === "Long" || key.type === "Integer");
  if (integral) {
    const big = BigInt.asUintN(64, BigInt(num(key as number | JavaNumber)));
    return Number(BigInt.asIntN(32, big ^ (big >> 32n)));
  }
  return javaStringHash(String(key));
}

function tableSizeFor(capacity: number): number {
  let n = 1;
  while (n < capacity) n *= 2;
  return n;
}

/**
 * `keys` (distinct, in first-insertion order) in the order a HashMap created with
 * `initialCapacity` (16 for `new HashMap<>()`) iterates them.
 */
export function hashMapOrder<K>(keys: readonly K[], initialCapacity = 16, hash: (key: K) => number = javaHash): K[] {
  let n = tableSizeFor(initialCapacity);
  while (keys.length > n * 0.75) n *= 2;
  const bucket = (key: K) => {
    const h = hash(key);
    return (h ^ (h >>> 16)) & (n - 1);
  };
  return keys
    .map((key, index) => ({ key, index, bucket: bucket(key) }))
    .sort((a, b) => a.bucket - b.bucket || a.index - b.index)
    .map((entry) => entry.key);
}

/** A copy of `map` with its entries in HashMap order. */
export function inHashMapOrder(map: Record<string, unknown>, initialCapacity = 16): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of hashMapOrder(Object.keys(map), initialCapacity)) {
    Object.defineProperty(out, key, { value: map[key], enumerable: true, writable: true, configurable: true });
  }
  return out;
}
