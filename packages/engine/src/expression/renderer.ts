/**
 * Rendering as the engine uses it: the expression engine plus the runtime services that
 * functions such as `secret()`, `kv()` and `read()` call.
 */
import type { Abortable } from "../model/killSwitch.ts";

/** What runtime expression functions reach, for one render. */
export interface RenderServices {
  /** Reads a secret (or one `subkey` of a JSON secret) and registers it for masking. */
  secret(key: string, subkey?: string): Promise<string>;
  /** The entry of `key` in one namespace (undefined when missing or expired). */
  kv(namespace: string, key: string): Promise<{ value: unknown } | undefined>;
  /**
   * Reads a `kestra://` file of the execution, or a namespace file of `namespace` (the flow's by
   * default), as UTF-8.
   */
  read(path: string, namespace?: string): Promise<string>;
  fileSize(path: string, namespace?: string): Promise<number>;
  fileExists(path: string, namespace?: string): Promise<boolean>;
  /** This execution's ERROR log entries (the executor's `LogEntry`: expression/ does not import executor/). */
  errorLogs(): Promise<object[]>;
  encrypt(plain: string): string;
  decrypt(encrypted: string): string;
  /** The flow's namespace (for `fileURI` and `kv` defaults). */
  readonly namespace: string;
  /** Aborts the render's asynchronous work (a task's kill or timeout stops a running jq). */
  readonly signal?: Abortable;
}

export interface Renderer {
  render(
    template: string,
    variables: Record<string, unknown>,
    typed: boolean,
    services?: RenderServices,
  ): Promise<unknown>;
  renderValue(value: unknown, variables: Record<string, unknown>, services?: RenderServices): Promise<unknown>;
}
