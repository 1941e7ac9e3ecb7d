import type { Command } from "commander";
import { configFrom, withInstanceOptions, type GlobalOptions } from "../options.ts";

/** `saker flow schema`: the JSON Schema of flows, for an editor's YAML language server. */
export function configureFlowSchemaCommand(flow: Command): void {
  withInstanceOptions(
    flow
      .command("schema")
      .description(
        "Print the JSON Schema of the flow language (core and installed plugins), for editor autocompletion",
      ),
  ).action(async (options: GlobalOptions) => {
    const { loadRegistry, flowJsonSchema } = await import("@saker/engine");
    const registry = await loadRegistry(await configFrom(options));
    process.stdout.write(`${JSON.stringify(flowJsonSchema(registry), null, 2)}\n`);
  });
}
