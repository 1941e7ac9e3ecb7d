/**
 * The instance's side of "secrets never leak": a masker knowing every secret value of the
 * instance (not only those the current execution read, so a value a later task decoded is hidden
 * too, and after a restart), sealing of values that hold one before they are stored, and the
 * masked view every way out (API, SSE, CLI) shows.
 */
import type { Execution, TaskRun } from "../model/execution.ts";
import type { Flow } from "../model/flow.ts";
import { ChangedRunsMemo } from "../model/taskRunIndex.ts";
import type { Encryption } from "./encryption.ts";
import { SecretMasker } from "./masker.ts";
import { SEALED_PREFIX, SecretSealer } from "./sealer.ts";
import { decryptedSecretInputs } from "./secretInputs.ts";
import type { SecretStore } from "./secrets.ts";

/**
 * The fields of an execution, a task run, a log entry, a trigger or a file preview that carry user
 * data: strings below them are masked by value on the way out. Ids, namespaces and states are not
 * (a secret such as `postgres` may well be part of a flow id).
 */
export const DISPLAY_MASKED_KEYS: ReadonlySet<string> = new Set([
  "outputs",
  "inputs",
  "labels",
  "variables",
  "trigger",
  "message",
  "value",
  "content",
]);

export class SecretGuard {
  readonly sealer: SecretSealer;
  private cached: { key: string; masker: SecretMasker } | undefined;
  /**
   * The plain values sealed in a task run, in the order a walk of it meets them. Its states (and
   * its attempts', the rest of an attempt) are the engine's own state names and dates, never
   * sealed: they are not walked, at each change of the run.
   */
  private readonly runPlains = new ChangedRunsMemo<string[]>((run) => {
    let plains: string[] | undefined;
    const found = (plain: string) => (plains ??= []).push(plain);
    // `for…in` over the run's own keys (a document read back, or built by the executor): no array per change
    for (const key in run) {
      if (key === "state" || key === "attempts") continue;
      this.sealer.reveal(run[key as keyof TaskRun], found);
    }
    return plains;
  });

  constructor(
    private readonly secrets: SecretStore,
    private readonly encryption: Encryption,
  ) {
    this.sealer = new SecretSealer(encryption);
  }

  /**
   * A masker hiding every secret value of the instance, to which a caller may add more (a fresh
   * copy each time; the compiled pattern is shared until the secrets change).
   */
  masker(): SecretMasker {
    return this.instanceMasker().extend();
  }

  /** The masker of the instance's secrets, shared: only for masking, never to add to. */
  private instanceMasker(): SecretMasker {
    let values: string[] | undefined;
    try {
      values = this.secrets.values();
    } catch {
      // an unreadable secrets file: keep hiding what it held before
    }
    const key = values?.join("\0");
    if (!this.cached || (key !== undefined && key !== this.cached.key)) {
      const masker = new SecretMasker();
      for (const value of values ?? []) masker.add(value);
      this.cached = { key: key ?? "", masker };
    }
    return this.cached.masker;
  }

  /**
   * The instance's masker, plus the execution's SECRET inputs and the values sealed in it (a task
   * may have sealed one for a value only it knew, a `decrypt()` result): a flow output or a label
   * made of them is sealed too.
   */
  executionMasker(flow: Flow, execution: Execution): SecretMasker {
    // a copy shares the instance's sets until a value is added to it (SecretMasker copies on write)
    const masker = this.instanceMasker().extend();
    for (const { plain } of decryptedSecretInputs(flow.inputs, execution.inputs, this.encryption)) masker.add(plain);
    // walked in the document's order (its state, the engine's own, aside); a task run's sealed
    // values are looked for once per change of it
    const add = (plain: string) => masker.addRevealed(plain);
    for (const key of Object.keys(execution)) {
      if (key === "state") continue;
      if (key !== "taskRunList") this.sealer.reveal(execution[key as keyof Execution], add);
      else for (const [, plains] of this.runPlains.entries(execution.taskRunList)) plains.forEach(add);
    }
    return masker;
  }

  /** `value` with every string holding a secret sealed (see {@link SecretSealer}). */
  seal<T>(value: T, masker: SecretMasker = this.masker()): T {
    return this.sealer.seal(value, masker);
  }

  /** The plain values back, for the engine's own renders. */
  reveal<T>(value: T, onPlain?: (plain: string) => void): T {
    return this.sealer.reveal(value, onPlain);
  }

  /** What an API answer, an event stream or the CLI may show of a value. */
  display<T>(value: T): T {
    return this.sealer.display(value, this.instanceMasker(), DISPLAY_MASKED_KEYS);
  }

  /**
   * {@link display} for a stored JSON document given as text: text that holds neither a sealed
   * value nor a secret goes out as it is, without being parsed and serialised again.
   */
  displayJson(text: string): string {
    const masker = this.instanceMasker();
    if (!text.includes(SEALED_PREFIX) && !masker.matches(text)) return text;
    return JSON.stringify(this.sealer.display(JSON.parse(text) as unknown, masker, DISPLAY_MASKED_KEYS));
  }
}
