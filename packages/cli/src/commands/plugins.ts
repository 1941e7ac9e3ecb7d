import { join } from "node:path";
import type { Command } from "commander";
import { SakerError } from "@saker/sdk/errors";
import type { PluginRegistry } from "@saker/engine";
import { configFrom, withInstanceOptions, type GlobalOptions } from "../options.ts";

function splitNameVersion(spec: string): { name: string; version: string } {
  const at = spec.lastIndexOf("@");
  if (at <= 0) throw new SakerError("CLI_USAGE", `expected NAME@VERSION, got '${spec}'`);
  return { name: spec.slice(0, at), version: spec.slice(at + 1) };
}

/** The version a task without `version:` would get, or why there is none. */
function defaultLabel(registry: PluginRegistry, type: string): string {
  try {
    return registry.resolve(type).plugin.version;
  } catch {
    return "(version required)";
  }
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

export function configurePluginsCommand(program: Command): void {
  const plugins = program
    .command("plugins")
    .description("Install, list, document and remove plugins (several versions side by side)");

  withInstanceOptions(
    plugins
      .command("install")
      .description(
        "Install plugin versions: an npm name@version or range, a tarball (.tgz) or a folder. A running server picks them up without restart",
      )
      .argument("<specs...>", "what to install")
      .option("--force", "replace a version already installed"),
  ).action(async (specs: string[], options: GlobalOptions & { force?: boolean }) => {
    const config = await configFrom(options);
    const { installPlugin, isBundled } = await import("@saker/engine");
    for (const spec of specs) {
      process.stderr.write(`Installing ${spec}…\n`);
      const installed = await installPlugin(spec, {
        pluginsDir: config.pluginsPath,
        ...(options.force ? { force: true } : {}),
        onOutput: (line) => process.stderr.write(`  ${line}\n`),
      });
      process.stdout.write(
        `Installed ${installed.name}@${installed.version} in ${installed.dir}\n  types: ${installed.types.join(", ")}\n`,
      );
      if (isBundled(config.bundledPluginsPath, installed.name, installed.version)) {
        process.stderr.write(
          `note: ${installed.name}@${installed.version} is also bundled with Saker; the bundled copy is the one used\n`,
        );
      }
    }
  });

  withInstanceOptions(
    plugins
      .command("list")
      .description(
        "List plugin types with their plugin, versions (bundled ones marked) and the version used by default",
      )
      .option("--json", "as JSON"),
  ).action(async (options: GlobalOptions & { json?: boolean }) => {
    const { loadRegistry } = await import("@saker/engine");
    const registry = await loadRegistry(await configFrom(options));
    const entries = [...registry.entries()].sort(([a], [b]) => a.localeCompare(b));
    if (options.json) {
      const list = entries.map(([type, versions]) => ({
        type,
        kind: versions[0]!.nodeKind,
        plugin: versions[0]!.plugin.name,
        versions: versions.map((v) => v.plugin.version),
        bundled: versions.filter((v) => v.plugin.bundled).map((v) => v.plugin.version),
        default: defaultLabel(registry, type),
      }));
      process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
      return;
    }
    const rows = [["TYPE", "KIND", "PLUGIN", "VERSIONS", "DEFAULT"]];
    for (const [type, versions] of entries) {
      const labels = versions.map((v) => (v.plugin.bundled ? `${v.plugin.version} (bundled)` : v.plugin.version));
      rows.push([
        type,
        versions[0]!.nodeKind,
        versions[0]!.plugin.name,
        labels.join(", "),
        defaultLabel(registry, type),
      ]);
    }
    process.stdout.write(`${table(rows)}\n`);
  });

  withInstanceOptions(
    plugins
      .command("uninstall")
      .description("Remove installed plugin versions")
      .argument("<versions...>", "NAME@VERSION"),
  ).action(async (specs: string[], options: GlobalOptions) => {
    const config = await configFrom(options);
    const { uninstallPlugin } = await import("@saker/engine");
    for (const spec of specs) {
      const { name, version } = splitNameVersion(spec);
      uninstallPlugin(config.pluginsPath, name, version, config.bundledPluginsPath);
      process.stdout.write(`Uninstalled ${name}@${version}\n`);
    }
  });

  withInstanceOptions(
    plugins
      .command("doc")
      .description("Show a type's documentation: properties, defaults, outputs, examples")
      .argument("<type>", "a type id, e.g. io.kestra.plugin.core.log.Log")
      .option("--version <version>", "a version (default: the one a task without version: gets)"),
  ).action(async (type: string, options: GlobalOptions & { version?: string }) => {
    const { loadRegistry, typeDocumentation } = await import("@saker/engine");
    const registry = await loadRegistry(await configFrom(options));
    const entry = registry.resolve(type, options.version);
    process.stdout.write(
      typeDocumentation(
        entry,
        registry.versionsOf(type).map((v) => v.plugin.version),
      ),
    );
  });

  plugins
    .command("new")
    .description("Create a new plugin package (plain JavaScript, no build step) in a folder")
    .argument("<name>", "the npm package name, e.g. saker-plugin-hello")
    .option("--dir <dir>", "where to create it (default: ./<name without scope>)")
    .action(async (name: string, options: { dir?: string }) => {
      const { scaffoldPlugin } = await import("@saker/engine");
      const dir = options.dir ?? join(process.cwd(), name.replace(/^@[^/]+\//, ""));
      const files = scaffoldPlugin(dir, name);
      process.stdout.write(
        `Created ${dir}:\n${files.map((f) => `  ${f}`).join("\n")}\nInstall it with: saker plugins install ${dir}\n`,
      );
    });
}
