import type { Command } from "commander";
import type { CompiledConfig } from "@saker/engine";

export interface GlobalOptions {
  config?: string;
  home?: string;
}

export const RESET_DATABASE_HELP =
  "when the database file is damaged or empty, move it aside (saker.db.damaged-<date>) and start with an empty database";

/** Adds `--config` and `--home` to a command. */
export function withInstanceOptions(command: Command): Command {
  return command
    .option("-c, --config <file>", "configuration file (default: ./saker.yml when present)")
    .option("--home <dir>", "data folder: database, storage, plugins (default: $SAKER_HOME or ./.saker)");
}

/**
 * The instance configuration (loaded lazily: `--help` needs none of the engine). Its data limits
 * apply to this process from here on, also for commands that open no instance (`flow validate`).
 */
export async function configFrom(
  options: GlobalOptions,
  overrides: Record<string, unknown> = {},
): Promise<CompiledConfig> {
  const { loadConfig, setDataLimits } = await import("@saker/engine");
  const config = loadConfig({
    ...(options.config ? { file: options.config } : {}),
    overrides: { ...overrides, ...(options.home ? { home: options.home } : {}) },
  });
  setDataLimits(config.limits);
  return config;
}
