/**
 * Hides secret values in text and data, as Kestra's `RunContextLogger` does: each occurrence
 * becomes stars, and the first nine stars read `**masked*`.
 *
 * As CI systems redact secrets (GitHub Actions, GitLab), a value is also hidden in the forms a
 * task easily turns it into: each of its lines, its base64 (standard, without padding, URL-safe),
 * its URL encodings and its JSON-escaped text. Everything goes into one RegExp, longest first, so
 * a text is masked in a single pass.
 */
import { urlEncode } from "../expression/filters/strings.ts";

/** Values (and derived forms) shorter than this are not masked: they would hide common text. */
export const MIN_MASKED_LENGTH = 3;

/**
 * Lines of a multi-line secret shorter than this (after trimming) are left alone: a PEM's or a
 * JSON's short lines (`}`, `-----`, `  ]`) would mask unrelated text in every log, and a short
 * line alone reveals little of the secret.
 */
export const MIN_MASKED_LINE_LENGTH = 6;

/** The forms of `value` a task easily turns it into, the value itself first. */
export function derivedForms(value: string): string[] {
  const forms = [value];
  const lines = value.split(/\r?\n/).map((line) => line.trim());
  if (lines.length > 1) forms.push(...lines.filter((line) => line.length >= MIN_MASKED_LINE_LENGTH));
  const base64 = Buffer.from(value, "utf8").toString("base64");
  const unpadded = base64.replace(/=+$/, "");
  forms.push(base64, unpadded, unpadded.replace(/\+/g, "-").replace(/\//g, "_"));
  // the `urlencode` filter's form (Java's URLEncoder), and JavaScript's with either space
  const url = encodeURIComponent(value);
  forms.push(urlEncode(value), url, url.replace(/%20/g, "+"));
  forms.push(JSON.stringify(value).slice(1, -1));
  return forms;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export class SecretMasker {
  /** The registered values and their derived forms. */
  private values: Set<string>;
  private registered: Set<string>;
  /**
   * Whether the sets are this masker's alone. A copy shares its source's sets until either adds a
   * value (most copies, a task's masker, never do): then it copies them first.
   */
  private owned: boolean;
  private pattern: RegExp | undefined;

  constructor(from?: SecretMasker) {
    this.values = from ? from.values : new Set();
    this.registered = from ? from.registered : new Set();
    this.owned = !from;
    if (from) from.owned = false;
    // compiled on the source, so every copy of it shares one pattern until a value is added
    this.pattern = from && from.values.size > 0 ? from.regexp() : undefined;
  }

  /** Registers a value, with its derived forms, to hide from now on (short ones are ignored). */
  add(value: string | undefined | null): void {
    if (typeof value !== "string" || value.length < MIN_MASKED_LENGTH || this.registered.has(value)) return;
    if (!this.owned) {
      this.values = new Set(this.values);
      this.registered = new Set(this.registered);
      this.owned = true;
    }
    this.registered.add(value);
    for (const form of derivedForms(value)) {
      if (form.length >= MIN_MASKED_LENGTH && !this.values.has(form)) {
        this.values.add(form);
        this.pattern = undefined;
      }
    }
  }

  /**
   * Registers a value revealed from a sealed one, unless a secret this masker knows already is in
   * it (the usual case): only a value sealed for what one task alone knew (a `decrypt()` result)
   * is added, which keeps the pattern small however many values an execution sealed.
   */
  addRevealed(value: string): void {
    if (!this.matches(value)) this.add(value);
  }

  /** A masker hiding what this one hides, to which more values can be added. */
  extend(): SecretMasker {
    return new SecretMasker(this);
  }

  get size(): number {
    return this.values.size;
  }

  private regexp(): RegExp {
    // longest first, so a value is hidden whole, not only the shorter one it contains
    this.pattern ??= new RegExp(
      [...this.values]
        .sort((a, b) => b.length - a.length)
        .map(escapeRegExp)
        .join("|"),
      "g",
    );
    return this.pattern;
  }

  /** Whether `text` holds a hidden value. */
  matches(text: string): boolean {
    if (this.values.size === 0) return false;
    const pattern = this.regexp();
    pattern.lastIndex = 0;
    return pattern.test(text);
  }

  mask(text: string): string {
    if (this.values.size === 0) return text;
    return text.replace(this.regexp(), (found) =>
      found.length >= 9 ? `**masked*${"*".repeat(found.length - 9)}` : "*".repeat(found.length),
    );
  }

  /**
   * A storage URI's folders are namespace, flow, execution and task ids, not secrets (a secret such
   * as `postgres` may well be part of a flow id): only its file name, which a task chose, is masked.
   */
  maskString(text: string): string {
    if (!text.startsWith("kestra://")) return this.mask(text);
    const slash = text.lastIndexOf("/");
    return text.slice(0, slash + 1) + this.mask(text.slice(slash + 1));
  }

  /** Masks every string inside a value (map keys too). */
  maskValue<T>(value: T): T {
    if (this.values.size === 0) return value;
    const walk = (v: unknown): unknown => {
      if (typeof v === "string") return this.maskString(v);
      if (Array.isArray(v)) return v.map(walk);
      if (v && typeof v === "object")
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [this.mask(k), walk(x)]));
      return v;
    };
    return walk(value) as T;
  }
}
