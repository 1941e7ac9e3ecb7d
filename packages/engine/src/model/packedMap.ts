/**
 * `items.map(fn)`, always as a packed array. An `Array.prototype.map` inlined by V8's optimizing
 * compiler returns a holey array where the unoptimized one returned a packed one, and the readers
 * compiled for the first kind are thrown out of their optimized code when they meet the second:
 * on the hot path of a young process (the executor's step and group commit, the worker's claim)
 * that cost several recompilations each.
 */
export function packedMap<T, U>(items: Iterable<T>, fn: (item: T) => U): U[] {
  const result: U[] = [];
  for (const item of items) result.push(fn(item));
  return result;
}
