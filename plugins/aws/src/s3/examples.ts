/** Builds the YAML of the docs' examples. */
import type { S3Flavor } from "./flavor.ts";

export function indent(yaml: string, spaces: number): string {
  return yaml
    .split("\n")
    .map((line) => " ".repeat(spaces) + line)
    .join("\n");
}

/** A task of `type` with the flavor's connection and `body` (YAML lines), as a fragment. */
export function taskExample(flavor: S3Flavor, name: string, body: string): string {
  return `id: ${name.toLowerCase()}\ntype: ${flavor.prefix}.${name}\n${flavor.exampleConnection}\n${body}`;
}
