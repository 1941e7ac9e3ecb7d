/**
 * Where `{{ secret('KEY') }}` reads from. Keys are case-insensitive. The environment backend is
 * Kestra's: every `SECRET_<NAME>` variable holds the base64 of the value.
 */
import { readFileSync, statSync } from "node:fs";
import { SakerError } from "@saker/sdk";
import YAML from "yaml";

export interface SecretBackend {
  /** The value, or undefined when this backend has no such key. */
  get(key: string): Promise<string | undefined>;
  /** The keys this backend holds (for the namespace secrets API). */
  keys(): Promise<string[]>;
  /** Every value it holds, to mask them wherever they show up (whoever read them). */
  values(): string[];
}

/** `SECRET_<NAME>` environment variables, base64-decoded, read once at start. */
export class EnvSecretBackend implements SecretBackend {
  private readonly map = new Map<string, string>();

  constructor(env: NodeJS.ProcessEnv, onInvalid: (name: string) => void = () => {}) {
    for (const [name, raw] of Object.entries(env)) {
      if (!name.startsWith("SECRET_") || raw === undefined) continue;
      const text = raw.replace(/[\r\n]/g, "");
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 === 1) {
        onInvalid(name);
        continue;
      }
      this.map.set(name.slice("SECRET_".length).toUpperCase(), Buffer.from(text, "base64").toString("utf8"));
    }
  }

  async get(key: string): Promise<string | undefined> {
    return this.map.get(key.toUpperCase());
  }

  async keys(): Promise<string[]> {
    return [...this.map.keys()];
  }

  values(): string[] {
    return [...this.map.values()];
  }
}

/** A YAML (or JSON) file of `KEY: value` in plain text, for local use. Re-read when it changes. */
export class FileSecretBackend implements SecretBackend {
  private cached: { mtimeMs: number; size: number; map: Map<string, string> } | undefined;

  constructor(private readonly path: string) {}

  /** The file's entries, parsed again only when its modification time or size changed. */
  private read(): Map<string, string> {
    let stat;
    try {
      stat = statSync(this.path);
    } catch (error) {
      throw new SakerError(
        "SECRETS_FILE_INVALID",
        `Unable to read the secrets file '${this.path}': ${(error as Error).message}`,
      );
    }
    if (this.cached && this.cached.mtimeMs === stat.mtimeMs && this.cached.size === stat.size) return this.cached.map;
    const map = this.parse();
    this.cached = { mtimeMs: stat.mtimeMs, size: stat.size, map };
    return map;
  }

  private parse(): Map<string, string> {
    let parsed: unknown;
    try {
      parsed = YAML.parse(readFileSync(this.path, "utf8"));
    } catch (error) {
      throw new SakerError(
        "SECRETS_FILE_INVALID",
        `Unable to read the secrets file '${this.path}': ${(error as Error).message}`,
      );
    }
    const map = new Map<string, string>();
    if (parsed && typeof parsed === "object")
      for (const [k, v] of Object.entries(parsed)) map.set(k.toUpperCase(), String(v));
    return map;
  }

  async get(key: string): Promise<string | undefined> {
    return this.read().get(key.toUpperCase());
  }

  async keys(): Promise<string[]> {
    return [...this.read().keys()];
  }

  values(): string[] {
    return [...this.read().values()];
  }
}

/** Tries each backend in order. */
export class SecretStore {
  constructor(private readonly backends: readonly SecretBackend[]) {}

  async get(key: string): Promise<string> {
    for (const backend of this.backends) {
      const value = await backend.get(key);
      if (value !== undefined) return value;
    }
    throw new SakerError("SECRET_NOT_FOUND", `Cannot find secret for key '${key}'.`);
  }

  async keys(): Promise<string[]> {
    const all = await Promise.all(this.backends.map((b) => b.keys()));
    return [...new Set(all.flat())].sort();
  }

  /** Every secret value of every backend. */
  values(): string[] {
    return this.backends.flatMap((b) => b.values());
  }
}
