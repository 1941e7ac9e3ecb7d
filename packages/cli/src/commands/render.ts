import type { Command } from "commander";

/** `saker render`: renders one expression template. Filled in by the expressions work. */
export function configureRenderCommand(program: Command): void {
  program.command("render").description("Render a Pebble template").argument("<template>");
}
