/**
 * `@saker/plugin-scripts`: Kestra's `io.kestra.plugin.scripts.*` script tasks (shell, Python,
 * Node and the other languages of {@link LANGUAGES}), run by a task runner, a local process
 * by default.
 *
 * Plugin configuration (`plugins.configurations` with `type: io.kestra.plugin.scripts`):
 * `cacheDir`, where Python `dependencies` are installed once per set (default: a per-user folder
 * under the system's temporary folder).
 *
 * @module
 */
import { definePlugin } from "@saker/sdk";
import { scriptTasks } from "./tasks.ts";

export { LANGUAGES, type Language } from "./languages.ts";
export { registerTaskRunner, type RunnerJob, type RunnerResult, type TaskRunner } from "./runners/taskRunner.ts";

export default definePlugin({
  group: "io.kestra.plugin.scripts",
  title: "Scripts",
  description:
    "Run shell, Python, Node.js and other scripts on the worker, passing outputs, metrics and files back to the flow.",
  tasks: scriptTasks,
});
