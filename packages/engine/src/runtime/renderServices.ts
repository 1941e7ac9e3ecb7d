/**
 * The runtime services of a render (`secret()`, `kv()`, `read()`, `fileSize()`, …) and the
 * variables of a render context: one copy for the executor's renders (runIf, conditions,
 * outputs…), the triggers' and the worker's task properties.
 */
import { SakerError } from "@saker/sdk";
import type { LogEntry } from "../executor/types.ts";
import { buildRunVariables, type InstanceVariables, type VariableSources } from "../executor/variables.ts";
import type { Execution } from "../model/execution.ts";
import { secretInputLeavesOf } from "../model/flow.ts";
import type { Encryption } from "../secrets/encryption.ts";
import type { SecretMasker } from "../secrets/masker.ts";
import type { SecretStore } from "../secrets/secrets.ts";
import { isUnder, toStoragePath } from "../storage/paths.ts";
import type { Storage } from "../storage/storage.ts";
import { streamToBuffer } from "../storage/streams.ts";
import { namespaceFiles } from "../storage/taskStorage.ts";
import type { CompiledConfig } from "./config.ts";
import type { RenderServices } from "../expression/renderer.ts";
import type { SecretGuard } from "./secretGuard.ts";
import { secretSubkey } from "./secretSubkey.ts";
import { inputAt, putInputAt } from "../model/inputPath.ts";
import type { Abortable } from "../model/killSwitch.ts";

/** Where the services read from. */
export interface RenderSources {
  storage: Storage;
  secrets: SecretStore;
  encryption: Encryption;
  kv(namespace: string, key: string): Promise<{ value: unknown } | undefined>;
  errorLogs(executionId: string): Promise<LogEntry[]>;
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
    const p = this.storagePath(path);
    const { storage } = this.sources;
    return (p ? await streamToBuffer(await storage.get(p)) : await this.nsFiles(namespace).get(path)).toString("utf8");
  }

  async fileSize(path: string, namespace?: string): Promise<number> {
    const p = this.storagePath(path);
    return p ? this.sources.storage.size(p) : (await this.nsFiles(namespace).get(path)).length;
  }

  async fileExists(path: string, namespace?: string): Promise<boolean> {
    const p = this.storagePath(path);
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
  private storagePath(path: string): string | undefined {
    if (!path.startsWith("kestra://")) return undefined;
    const p = toStoragePath(path);
    if (!this.scope.readPrefixes.some((prefix) => isUnder(p, prefix)) && !p.includes("/_files/"))
      throw new SakerError(
        "STORAGE_ACCESS_DENIED",
        `Unable to read '${path}': only files of this execution and namespace files can be read`,
      );
    return p;
  }
}

function instanceEnvs(config: CompiledConfig): Record<string, string> {
  const prefix = config.variables.envVarsPrefix;
  const envs: Record<string, string> = {};
  for (const [name, value] of Object.entries(config.env)) {
    if (value !== undefined && name.startsWith(prefix) && name.length > prefix.length)
      envs[name.slice(prefix.length).toLowerCase()] = value;
  }
  return envs;
}

/** The render services and variables of the executor's and the triggers' renders. */
export class Renders {
  private readonly instance: InstanceVariables;

  constructor(
    private readonly config: CompiledConfig,
    private readonly secretGuard: SecretGuard,
    private readonly sources: RenderSources,
  ) {
    this.instance = { envs: instanceEnvs(config), globals: config.variables.globals, tenantId: config.tenantId };
  }

  /**
   * The variables of a render context. `decrypt` reveals SECRET inputs and sealed values (outputs,
   * labels… holding a secret) in memory only.
   */
  variables(sources: VariableSources, decrypt: boolean): Record<string, unknown> {
    const built = buildRunVariables(sources, this.instance);
    const vars = decrypt ? this.secretGuard.reveal(built) : built;
    // built on every render: look for SECRET inputs only when there is something to decrypt
    const secretInputs = decrypt && sources.execution?.inputs ? secretInputLeavesOf(sources.flow.inputs) : [];
    if (secretInputs.length > 0) vars.inputs = this.decryptInputs(vars.inputs as Record<string, unknown>, secretInputs);
    return vars;
  }

  private decryptInputs(given: Record<string, unknown>, secretInputs: readonly { id: string }[]) {
    const inputs = { ...given };
    for (const input of secretInputs) {
      const value = inputAt(inputs, input.id);
      if (typeof value !== "string") continue;
      let plain: string;
      try {
        plain = this.sources.encryption.decrypt(value);
      } catch {
        continue; // a default value given in clear stays as it is
      }
      putInputAt(inputs, input.id, plain);
    }
    return inputs;
  }

  /** Runtime services for renders done by the executor (runIf, If conditions, outputs…). */
  executorServices(execution: Execution): RenderServices {
    return this.renderServices(execution.namespace, execution.id, this.secretGuard.masker(), [
      toStoragePath(`/${execution.namespace.split(".").join("/")}`),
    ]);
  }

  renderServices(
    namespace: string,
    executionId: string,
    masker: SecretMasker,
    readPrefixes: readonly string[],
  ): RenderServices {
    return createRenderServices(this.sources, { namespace, executionId, masker, readPrefixes });
  }
}
