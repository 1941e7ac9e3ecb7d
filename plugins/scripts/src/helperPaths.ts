/**
 * Where the helper libraries scripts import live: our `kestra` Python module (shipped in the
 * package's `python/` folder) and the `@kestra-io/libs` npm package (a dependency of this plugin).
 * This module sits directly under `src/` (and `dist/`) so the package root is one level up.
 *
 * @module
 */
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

/** The folder holding `kestra.py`, for PYTHONPATH. */
export const PYTHON_HELPERS = fileURLToPath(new URL("../python", import.meta.url));

let nodePath: string | undefined;

/** The `node_modules` folder that holds `@kestra-io/libs`, for NODE_PATH. */
export function nodeHelpers(): string {
  // .../node_modules/@kestra-io/libs/package.json → .../node_modules
  return (nodePath ??= dirname(
    dirname(dirname(createRequire(import.meta.url).resolve("@kestra-io/libs/package.json"))),
  ));
}
