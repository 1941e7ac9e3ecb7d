/**
 * Hides secret values in text and data, as Kestra's `RunContextLogger` does: each occurrence
 * becomes stars, and the first nine stars read `**masked*`.
 */
export class SecretMasker {
  private readonly values = new Set<string>();

  /** Registers a value to hide from now on (values shorter than 3 characters are ignored). */
  add(value: string | undefined | null): void {
    if (typeof value === "string" && value.length >= 3 && !this.values.has(value)) {
      this.values.add(value);
      this.pattern = undefined;
    }
  }

  get size(): number {
    return this.values.size;
  }

  private pattern: RegExp | undefined;

  mask(text: string): string {
    if (this.values.size === 0) return text;
    // One pass over every value, longest first, so a mask is never masked again.
    this.pattern ??= new RegExp([...this.values].sort((a, b) => b.length - a.length).map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "g");
    return text.replace(this.pattern, (found) => (found.length >= 9 ? `**masked*${"*".repeat(found.length - 9)}` : "*".repeat(found.length)));
  }

  /**
   * A storage URI's folders are namespace, flow, execution and task ids, not secrets (a secret such
   * as `postgres` may well be part of a flow id): only its file name, which a task chose, is masked.
   */
  private maskUri(uri: string): string {
    const slash = uri.lastIndexOf("/");
    return uri.slice(0, slash + 1) + this.mask(uri.slice(slash + 1));
  }

  /** Masks every string inside a value (map keys too). */
  maskValue<T>(value: T): T {
    if (this.values.size === 0) return value;
    const walk = (v: unknown): unknown => {
      if (typeof v === "string") return v.startsWith("kestra://") ? this.maskUri(v) : this.mask(v);
      if (Array.isArray(v)) return v.map(walk);
      if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [this.mask(k), walk(x)]));
      return v;
    };
    return walk(value) as T;
  }
}
