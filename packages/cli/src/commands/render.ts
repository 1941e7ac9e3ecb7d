import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { SakerError } from "@saker/sdk/errors";
import { configFrom } from "../options.ts";

interface RenderOptions {
  config?: string;
  vars?: string;
  typed?: boolean;
  truthy?: boolean;
}

function readVars(file: string | undefined): Record<string, unknown> {
  if (!file) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new SakerError("CLI_USAGE", `Unable to read variables from '${file}': ${(error as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new SakerError("CLI_USAGE", `'${file}' must hold a JSON object`);
  return parsed as Record<string, unknown>;
}

/** `saker render TEMPLATE`: renders an expression template, exactly as a task property would be. */
export function configureRenderCommand(program: Command): void {
  program
    .command("render")
    .description("Render a Kestra (Pebble) expression template; prints the result exactly, without a trailing newline")
    .argument("<template>", 'the template, e.g. "Hello {{ name | upper }}" (put -- before a template starting with -)')
    .option("--vars <file>", "a JSON file holding the variables")
    .option(
      "-c, --config <file>",
      "configuration file whose expressions.* budgets apply (default: ./saker.yml when present)",
    )
    .option("--typed", "render a single expression to its native value, printed as JSON")
    .option("--truthy", "print true or false: Kestra's truthiness of the rendered string (as runIf uses it)")
    .addHelpText(
      "after",
      "\nExamples:\n  saker render 'Hello {{ name }}' --vars vars.json\n  saker render --typed -- '{{ [1, 2] | length }}'",
    )
    .action(async (template: string, options: RenderOptions) => {
      const { isTruthy, renderTemplate } = await import("@saker/engine");
      const vars = readVars(options.vars);
      const limits = (await configFrom(options.config ? { config: options.config } : {})).expressions;
      if (options.truthy) {
        process.stdout.write(String(isTruthy(await renderTemplate(template, vars, { limits }))));
        return;
      }
      const result = await renderTemplate(template, vars, { typed: options.typed === true, limits });
      process.stdout.write(options.typed ? JSON.stringify(result ?? null) : String(result));
    });
}
