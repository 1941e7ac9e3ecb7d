/**
 * A value holding a secret (a task output, a label, a flow output) is stored sealed: the string
 * becomes `saker-sealed:` and the base64 of the AES-GCM encryption of its plain and masked forms.
 * The engine reveals the plain form when it renders a later task; every way out (API, CLI) shows
 * the masked form. Sealing loses nothing, where masking before storing would hand a later task
 * stars instead of its input.
 */
import type { Encryption } from "./encryption.ts";
import type { SecretMasker } from "./masker.ts";

export const SEALED_PREFIX = "saker-sealed:";

interface Sealed {
  /** The plain string. */
  v: string;
  /** Its masked form, computed when sealed (the masker then knew what the task had read). */
  m: string;
}

export function isSealed(value: unknown): value is string {
  return typeof value === "string" && value.startsWith(SEALED_PREFIX);
}

function isMap(value: unknown): value is Record<string, unknown> {
  if (!value || typeof value !== "object" || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * `value` with `leaf` applied to each string and `key` to each map key; the same object when nothing
 * changed. A container is copied only from its first changed entry on: the engine reveals whole
 * executions at each step, and most of them hold nothing sealed.
 */
function mapStrings(value: unknown, leaf: (text: string) => string, key?: (k: string) => string): unknown {
  if (typeof value === "string") return leaf(value);
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v = value[i] as unknown;
      const v2 = mapStrings(v, leaf, key);
      if (!out && v2 !== v) out = value.slice(0, i);
      out?.push(v2);
    }
    return out ?? value;
  }
  if (!isMap(value)) return value;
  const keys = Object.keys(value);
  let out: [string, unknown][] | undefined;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const v = value[k];
    const k2 = key ? key(k) : k;
    const v2 = mapStrings(v, leaf, key);
    if (!out && (k2 !== k || v2 !== v)) out = keys.slice(0, i).map((p) => [p, value[p]]);
    out?.push([k2, v2]);
  }
  return out ? Object.fromEntries(out) : value;
}

/**
 * Whether a string inside `value` (map keys aside) is sealed: a walk that allocates nothing, done
 * before the walk that copies (most values the engine reveals hold nothing sealed). `for…in`
 * visits the own keys `mapStrings` visits, and at worst more (a polluted prototype): never fewer.
 */
function holdsSealed(value: unknown): boolean {
  if (typeof value === "string") return value.startsWith(SEALED_PREFIX);
  if (typeof value !== "object" || value === null) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (holdsSealed(value[i])) return true;
    return false;
  }
  if (!isMap(value)) return false;
  for (const key in value) if (holdsSealed(value[key])) return true;
  return false;
}

export class SecretSealer {
  constructor(private readonly encryption: Encryption) {}

  /**
   * Seals every string of `value` that holds a value `masker` hides. A map key holding one is
   * masked instead: keys cannot be sealed.
   */
  seal<T>(value: T, masker: SecretMasker): T {
    if (masker.size === 0) return value;
    const leaf = (text: string) => {
      if (isSealed(text) || !masker.matches(text)) return text;
      // a storage URI whose secret-looking part is a folder (a flow id) stays as it is
      const masked = masker.maskString(text);
      if (masked === text) return text;
      return SEALED_PREFIX + this.encryption.encrypt(JSON.stringify({ v: text, m: masked } satisfies Sealed));
    };
    return mapStrings(value, leaf, (k) => masker.mask(k)) as T;
  }

  private open(text: string): Sealed | undefined {
    try {
      return JSON.parse(this.encryption.decrypt(text.slice(SEALED_PREFIX.length))) as Sealed;
    } catch {
      return undefined; // sealed under another key: it stays sealed
    }
  }

  /** The plain strings back, for the engine's own renders; `onPlain` sees each one revealed. */
  reveal<T>(value: T, onPlain?: (plain: string) => void): T {
    if (!holdsSealed(value)) return value;
    return mapStrings(value, (text) => {
      if (!isSealed(text)) return text;
      const opened = this.open(text);
      if (!opened) return text;
      onPlain?.(opened.v);
      return opened.v;
    }) as T;
  }

  /**
   * What may be shown: each sealed string becomes its masked form; other strings are masked by
   * value, all of them, or only those under one of `maskUnder`'s keys (at any depth below it).
   */
  display<T>(value: T, masker: SecretMasker, maskUnder?: ReadonlySet<string>): T {
    const walk = (v: unknown, masking: boolean): unknown => {
      if (typeof v === "string") {
        if (isSealed(v)) return this.open(v)?.m ?? "**masked*";
        return masking ? masker.maskString(v) : v;
      }
      if (Array.isArray(v)) return v.map((x) => walk(x, masking));
      if (!isMap(v)) return v;
      return Object.fromEntries(
        Object.entries(v).map(([k, x]) => [
          masking ? masker.mask(k) : k,
          walk(x, masking || maskUnder?.has(k) === true),
        ]),
      );
    };
    return walk(value, maskUnder === undefined) as T;
  }
}
