/**
 * The environment a script sees: the worker's own, without what belongs to the server
 * (`SECRET_*` secret values, `SAKER_*` configuration, npm's session variables), plus the task's
 * `env` and the variables the task sets itself.
 *
 * @module
 */
import { delimiter } from "node:path";
import { NonRetryableError } from "@saker/sdk";

const HIDDEN = [/^SECRET_/i, /^SAKER_/i, /^npm_/i, /^NODE_OPTIONS$/i];

/** The worker's environment minus the server's variables and secrets. */
export function inheritedEnv(source: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(source)) {
    if (value !== undefined && !HIDDEN.some((re) => re.test(name))) env[name] = value;
  }
  return env;
}

/** Variables that hold search paths: the task's value is appended to the one the plugin sets. */
const PATH_LISTS = new Set(["PYTHONPATH", "NODE_PATH"]);

export interface ScriptEnv {
  env: Record<string, string>;
  taskEnv: Record<string, string>;
}

/**
 * Merges the task's `env` with what the task sets itself (`set`: `WORKING_DIR`, `OUTPUT_DIR`,
 * `PYTHONPATH`…). A task variable named like one of `set` that is not a search path is refused
 * rather than silently replacing it or being replaced.
 */
export function scriptEnv(
  userEnv: Readonly<Record<string, unknown>>,
  set: Readonly<Record<string, string>>,
  inherited = inheritedEnv(),
): ScriptEnv {
  const taskEnv: Record<string, string> = { ...set };
  for (const [name, raw] of Object.entries(userEnv)) {
    if (!/^[^=\0]+$/.test(name)) throw new NonRetryableError(`env: '${name}' is not a valid environment variable name`);
    const value = raw === null || raw === undefined ? "" : typeof raw === "string" ? raw : JSON.stringify(raw);
    if (value.includes("\0")) throw new NonRetryableError(`env.${name}: a value cannot contain a NUL character`);
    if (name in set) {
      if (!PATH_LISTS.has(name))
        throw new NonRetryableError(
          `env.${name}: collides with the variable the task sets itself (${name}=${set[name]}); use another name`,
        );
      taskEnv[name] = value ? `${set[name]}${delimiter}${value}` : set[name]!;
    } else {
      taskEnv[name] = value;
    }
  }
  for (const name of PATH_LISTS) {
    if (name in set && !(name in userEnv) && inherited[name])
      taskEnv[name] = `${set[name]}${delimiter}${inherited[name]}`;
  }
  return { env: { ...inherited, ...taskEnv }, taskEnv };
}
