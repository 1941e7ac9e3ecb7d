/**
 * A small least-recently-used cache, bounded by its number of entries and, with `weigh`, by the
 * sum of their weights too (the oldest entries go first, the newest always stays).
 */
export class Lru<K, V> {
  private readonly map = new Map<K, V>();
  private readonly weights = new Map<K, number>();
  private total = 0;
  /**
   * The key set or read last: already the map's last, so reading it again needs no move (a move
   * is a delete and a set, whose tombstones make the map rehash now and then).
   */
  private newest: K | undefined;

  constructor(
    private readonly capacity: number,
    private readonly bound?: { weigh: (value: V) => number; maxWeight: number },
  ) {}

  get(key: K): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined && key !== this.newest) {
      this.map.delete(key);
      this.map.set(key, value);
      this.newest = key;
    }
    return value;
  }

  set(key: K, value: V): void {
    this.delete(key);
    this.map.set(key, value);
    this.newest = key;
    if (this.bound) {
      const weight = this.bound.weigh(value);
      this.weights.set(key, weight);
      this.total += weight;
    }
    while (this.map.size > this.capacity || (this.bound && this.total > this.bound.maxWeight && this.map.size > 1))
      this.delete(this.map.keys().next().value as K);
  }

  delete(key: K): void {
    this.map.delete(key);
    if (key === this.newest) this.newest = undefined;
    const weight = this.weights.get(key);
    if (weight === undefined) return;
    this.weights.delete(key);
    this.total -= weight;
  }

  clear(): void {
    this.map.clear();
    this.newest = undefined;
    this.weights.clear();
    this.total = 0;
  }

  get size(): number {
    return this.map.size;
  }

  /** The sum of the entries' weights (0 without `weigh`). */
  get weight(): number {
    return this.total;
  }
}
