import type { Command } from "commander";
import { loadConfig, type CompiledConfig } from "@saker/engine/runtime/config";

export interface GlobalOptions {
  config?: string;
  home?: string;
}

/** Adds `--config` and `--home` to a command. */
export function withInstanceOptions(command: Command): Command {
  return command
    .option("-c, --config <file>", "configuration file (default: ./saker.yml when present)")
    .option("--home <dir>", "data folder: database, storage, plugins (default: $SAKER_HOME or ./.saker)");
}

export function configFrom(options: GlobalOptions, overrides: Record<string, unknown> = {}): CompiledConfig {
  return loadConfig({
    ...(options.config ? { file: options.config } : {}),
    overrides: { ...overrides, ...(options.home ? { home: options.home } : {}) },
  });
}
