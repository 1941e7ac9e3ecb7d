/**
 * The runtime services of a render (`secret()`, `kv()`, `read()`, `fileSize()`, …) for one scope:
 * one copy for the worker's task properties and, through `runtime/renderServices.ts`, the
 * executor's and the triggers' renders.
 */
import type { RenderServices } from "../expression/renderer.ts";
import type { LogEntry } from "../executor/types.ts";
import type { Abortable } from "../model/killSwitch.ts";
import type { Encryption } from "../secrets/encryption.ts";
import type { SecretMasker } from "../secrets/masker.ts";
import type { SecretStore } from "../secrets/secrets.ts";
import { secretSubkey } from "../secrets/secretSubkey.ts";
import type { Storage } from "../storage/storage.ts";
import { streamToBuffer } from "../storage/streams.ts";
import { childFileCheck, namespaceFiles, readablePath, type ExecutionOrigin } from "../storage/taskStorage.ts";

/** Where the services read from. */
export interface RenderSources {
  storage: Storage;
  secrets: SecretStore;
  encryption: Encryption;
  kv(namespace: string, key: string): Promise<{ value: unknown } | undefined>;
  errorLogs(executionId: string): Promise<LogEntry[]>;
  /** Where an execution was made and by which one: a render may read the files of the executions its own started. */
  executionOrigin?: ((executionId: string) => Promise<ExecutionOrigin | undefined>) | undefined;
}

/** What one render may reach: its namespace, the storage prefixes it may read, its masker. */
export interface RenderScope {
  namespace: string;
  executionId: string;
  masker: SecretMasker;
  readPrefixes: readonly string[];
  signal?: Abortable;
}

export function createRenderServices(sources: RenderSources, scope: RenderScope): RenderServices {
  return new ScopedRenderServices(sources, scope);
}

/**
 * The services of one render scope. One object, its calls on its prototype: a task run makes one
 * and calls few of them, if any.
 */
class ScopedRenderServices implements RenderServices {
  readonly namespace: string;
  readonly signal?: Abortable;
  private childFile: ((path: string) => Promise<boolean>) | undefined;

  constructor(
    private readonly sources: RenderSources,
    private readonly scope: RenderScope,
  ) {
    this.namespace = scope.namespace;
    if (scope.signal) this.signal = scope.signal;
  }

  async secret(key: string, subkey?: string): Promise<string> {
    const { masker } = this.scope;
    const value = await this.sources.secrets.get(key);
    masker.add(value);
    if (!subkey) return value;
    const part = secretSubkey(value, key, subkey);
    masker.add(part);
    return part;
  }

  kv(namespace: string, key: string): Promise<{ value: unknown } | undefined> {
    return this.sources.kv(namespace, key);
  }

  async read(path: string, namespace?: string): Promise<string> {
    const p = await this.storagePath(path);
    const { storage } = this.sources;
    return (p ? await streamToBuffer(await storage.get(p)) : await this.nsFiles(namespace).get(path)).toString("utf8");
  }

  async fileSize(path: string, namespace?: string): Promise<number> {
    const p = await this.storagePath(path);
    return p ? this.sources.storage.size(p) : (await this.nsFiles(namespace).get(path)).length;
  }

  async fileExists(path: string, namespace?: string): Promise<boolean> {
    const p = await this.storagePath(path);
    return p ? this.sources.storage.exists(p) : this.nsFiles(namespace).exists(path);
  }

  errorLogs(): Promise<object[]> {
    return this.sources.errorLogs(this.scope.executionId);
  }

  encrypt(plain: string): string {
    return this.sources.encryption.encrypt(plain);
  }

  decrypt(encrypted: string): string {
    const plain = this.sources.encryption.decrypt(encrypted);
    this.scope.masker.add(plain);
    return plain;
  }

  private nsFiles(other?: string) {
    return namespaceFiles(this.sources.storage, other ?? this.scope.namespace);
  }

  /** The storage path of a `kestra://` URI this render may read; undefined for a namespace file. */
  private async storagePath(path: string): Promise<string | undefined> {
    if (!path.startsWith("kestra://")) return undefined;
    const origin = this.sources.executionOrigin;
    if (origin) this.childFile ??= childFileCheck(this.scope.executionId, origin);
    return readablePath(path, { readPrefixes: this.scope.readPrefixes, childFile: this.childFile });
  }
}
