/**
 * Hides secret values in text and data, as Kestra's `RunContextLogger` does: each occurrence
 * becomes stars, and the first nine stars read `**masked*`.
 */
export class SecretMasker {
  private readonly values = new Set<string>();

  /** Registers a value to hide from now on (values shorter than 3 characters are ignored). */
  add(value: string | undefined | null): void {
    if (typeof value === "string" && value.length >= 3) this.values.add(value);
  }

  get size(): number {
    return this.values.size;
  }

  mask(text: string): string {
    if (this.values.size === 0) return text;
    let result = text;
    for (const value of [...this.values].sort((a, b) => b.length - a.length)) {
      if (!result.includes(value)) continue;
      result = result.split(value).join("*".repeat(value.length)).replace(/\*{9}/, "**masked*");
    }
    return result;
  }

  /** Masks every string inside a value (map keys too). */
  maskValue<T>(value: T): T {
    if (this.values.size === 0) return value;
    const walk = (v: unknown): unknown => {
      if (typeof v === "string") return this.mask(v);
      if (Array.isArray(v)) return v.map(walk);
      if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [this.mask(k), walk(x)]));
      return v;
    };
    return walk(value) as T;
  }
}
