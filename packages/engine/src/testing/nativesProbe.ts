/**
 * A probe of what V8 does with code (elements kinds, when a function is optimized), seen only with
 * natives syntax (`%GetOptimizationStatus`, `%HasHoleyElements`…): `source`, an ES module's text
 * that prints one JSON line, runs in a child node with `--allow-natives-syntax` and `nodeArgs`.
 * Tests probe the built modules (`dist/`, built by npm test), since a child node loads no TypeScript.
 */
import { spawnSync } from "node:child_process";

export interface NativesProbeOptions {
  nodeArgs?: readonly string[];
  env?: NodeJS.ProcessEnv;
}

/** What the probe wrote on stderr (empty when all went well) and its JSON line, parsed (undefined when none). */
export function runNativesProbe<T>(source: string, options: NativesProbeOptions = {}): { stderr: string; output: T } {
  const child = spawnSync(
    process.execPath,
    ["--allow-natives-syntax", ...(options.nodeArgs ?? []), "--input-type=module", "-e", source],
    { encoding: "utf8", env: options.env ?? process.env },
  );
  const text = child.stdout.trim();
  return { stderr: child.stderr, output: (text ? JSON.parse(text) : undefined) as T };
}
