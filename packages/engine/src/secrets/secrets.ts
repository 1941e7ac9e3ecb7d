/**
 * Where `{{ secret('KEY') }}` reads from. Keys are case-insensitive. The environment backend is
 * Kestra's: every `SECRET_<NAME>` variable holds the base64 of the value.
 */
import { readFileSync } from "node:fs";
import { SakerError } from "@saker/sdk";
import YAML from "yaml";

export interface SecretBackend {
  /** The value, or undefined when this backend has no such key. */
  get(key: string): Promise<string | undefined>;
  /** The keys this backend holds (for the namespace secrets API). */
  keys(): Promise<string[]>;
}

/** `SECRET_<NAME>` environment variables, base64-decoded, read once at start. */
export class EnvSecretBackend implements SecretBackend {
  private readonly values = new Map<string, string>();

  constructor(env: NodeJS.ProcessEnv, onInvalid: (name: string) => void = () => {}) {
    for (const [name, raw] of Object.entries(env)) {
      if (!name.startsWith("SECRET_") || raw === undefined) continue;
      const text = raw.replace(/[\r\n]/g, "");
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 === 1) {
        onInvalid(name);
        continue;
      }
      this.values.set(name.slice("SECRET_".length).toUpperCase(), Buffer.from(text, "base64").toString("utf8"));
    }
  }

  async get(key: string): Promise<string | undefined> {
    return this.values.get(key.toUpperCase());
  }

  async keys(): Promise<string[]> {
    return [...this.values.keys()];
  }
}

/** A YAML (or JSON) file of `KEY: value` in plain text, for local use. Re-read when it changes. */
export class FileSecretBackend implements SecretBackend {
  constructor(private readonly path: string) {}

  private read(): Map<string, string> {
    let parsed: unknown;
    try {
      parsed = YAML.parse(readFileSync(this.path, "utf8"));
    } catch (error) {
      throw new SakerError("SECRETS_FILE_INVALID", `Unable to read the secrets file '${this.path}': ${(error as Error).message}`);
    }
    const map = new Map<string, string>();
    if (parsed && typeof parsed === "object") for (const [k, v] of Object.entries(parsed)) map.set(k.toUpperCase(), String(v));
    return map;
  }

  async get(key: string): Promise<string | undefined> {
    return this.read().get(key.toUpperCase());
  }

  async keys(): Promise<string[]> {
    return [...this.read().keys()];
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
}
