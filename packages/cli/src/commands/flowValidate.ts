import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { isSakerError } from "@saker/sdk/errors";
import { configFrom, withInstanceOptions, type GlobalOptions } from "../options.ts";
import { listFlowFiles } from "../flowFiles.ts";

/** `saker flow validate FILE|DIR…`: checks flows without saving or running them. */
export function configureFlowValidateCommand(flow: Command): void {
  withInstanceOptions(
    flow
      .command("validate")
      .description(
        "Validate flow files (or every flow in folders) and report every problem with its YAML path and line",
      )
      .argument("<paths...>", "flow files or folders"),
  ).action(async (paths: string[], options: GlobalOptions) => {
    const config = await configFrom(options);
    const { loadRegistry, parseFlow } = await import("@saker/engine");
    const registry = await loadRegistry(config);
    let invalid = 0;
    for (const file of listFlowFiles(paths)) {
      try {
        const parsed = parseFlow(readFileSync(file, "utf8"), {
          registry,
          globalDefaults: config.plugins.defaults,
          sourceName: file,
        });
        process.stdout.write(`✓ ${file} (${parsed.namespace}/${parsed.id})\n`);
      } catch (error) {
        invalid++;
        process.stdout.write(
          `✗ ${file}\n  ${isSakerError(error) ? error.message.replace(/\n/g, "\n  ") : String(error)}\n`,
        );
      }
    }
    if (invalid > 0) process.exitCode = 1;
  });
}
