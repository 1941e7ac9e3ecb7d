import { Command } from "commander";
import { configureClusterCommand } from "./commands/cluster.ts";
import { configureFlowCommand } from "./commands/flow.ts";
import { configureMigrateCommand } from "./commands/migrate.ts";
import { configurePluginsCommand } from "./commands/plugins.ts";
import { configureRenderCommand } from "./commands/render.ts";
import { configureServerCommand } from "./commands/server.ts";
import { reportError } from "./output.ts";

/** Builds the `saker` program with every command registered. */
export function buildProgram(): Command {
  const program = new Command("saker")
    .description("Saker: run Kestra flows unchanged, on SQLite or PostgreSQL")
    .version("0.1.0")
    .showHelpAfterError()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  configureFlowCommand(program);
  configureServerCommand(program);
  configureClusterCommand(program);
  configurePluginsCommand(program);
  configureRenderCommand(program);
  configureMigrateCommand(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    reportError(error);
    process.exitCode = process.exitCode || 1;
  }
}
