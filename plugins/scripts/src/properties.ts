/**
 * The properties every script task shares (Kestra's `AbstractExecScript`), Python's extra ones,
 * and the outputs. Properties a script reads `{{ workingDir }}` in are kept raw and rendered by
 * the task once the directory exists.
 *
 * @module
 */
import { map, raw, z } from "@saker/sdk";

const stringList = z.union([z.array(z.string()), z.string()]);

export const NamespaceFiles = z.looseObject({
  enabled: z.boolean().default(true).describe("Copy the namespace's files into the working directory."),
  include: z.array(z.string()).optional().describe("Only these globs (relative to the namespace files root)."),
  exclude: z.array(z.string()).optional().describe("Leave out these globs."),
  namespaces: z.array(z.string()).optional().describe("Namespaces to copy from (default: the flow's)."),
});

export const commonProperties = {
  taskRunner: z
    .looseObject({
      type: z
        .string()
        .describe("io.kestra.plugin.core.runner.Process (default) or io.kestra.plugin.scripts.runner.docker.Docker."),
    })
    .optional()
    .describe("Where the command runs. Saker runs it as a local process unless told otherwise."),
  containerImage: z.string().optional().describe("The image for runners that use containers (ignored by Process)."),
  beforeCommands: raw(stringList)
    .optional()
    .describe("Commands run first, in the same shell (rendered; `{{ workingDir }}` is known)."),
  interpreter: z
    .array(z.string())
    .min(1)
    .optional()
    .describe("The wrapper the commands run in. Default: `/bin/sh -c`."),
  env: raw(z.union([map(z.unknown()), z.string()]))
    .optional()
    .describe("Environment variables for the script (rendered)."),
  warningOnStdErr: z
    .boolean()
    .optional()
    .describe("Deprecated in Kestra: when true, a script that wrote to stderr ends in WARNING."),
  failFast: z.boolean().default(true).describe("Stop at the first failing command (`set -e`)."),
  targetOS: z
    .enum(["LINUX", "WINDOWS", "AUTO"])
    .default("AUTO")
    .describe("The operating system the commands are written for."),
  namespaceFiles: NamespaceFiles.optional().describe("Copy namespace files into the working directory."),
  inputFiles: raw(z.union([map(z.unknown()), z.string()]))
    .optional()
    .describe("Files to create first: name to content (rendered), or a kestra:// URI to download."),
  outputFiles: z
    .array(z.string())
    .optional()
    .describe("Globs of files in the working directory to store after the run."),
  outputDirectory: z.boolean().optional().describe("Deprecated: also store every file written to `{{ outputDir }}`."),
  runner: z.enum(["PROCESS", "DOCKER"]).optional().describe("Deprecated: use taskRunner."),
  docker: z
    .looseObject({ image: z.string().optional() })
    .optional()
    .describe("Deprecated: Docker options for `runner: DOCKER`."),
};

export const pythonProperties = {
  dependencies: z
    .array(z.string())
    .optional()
    .describe("pip requirements, installed once per set into a cache and put on PYTHONPATH."),
  dependencyCacheEnabled: z.boolean().default(true).describe("Keep installed dependencies between runs."),
  pythonVersion: z
    .string()
    .optional()
    .describe("Accepted for compatibility: the interpreter on the worker's PATH is used."),
  packageManager: z.enum(["PIP", "UV"]).optional().describe("Accepted for compatibility: Saker installs with pip."),
};

export const scriptProperty = {
  script: raw(z.string()).describe("The script (rendered; `{{ workingDir }}` is known)."),
};
export const commandsProperty = {
  commands: raw(stringList).describe("The commands, run one after the other in one shell (rendered)."),
};

export const ScriptOutputs = z.object({
  vars: z.record(z.string(), z.unknown()).describe('What the script sent with `::{"outputs":{…}}::` lines.'),
  exitCode: z.number().int().describe("The command's exit code."),
  outputFiles: z
    .record(z.string(), z.string())
    .optional()
    .describe("Stored files: path relative to the working directory to kestra:// URI."),
});

export type CommonProps = z.output<z.ZodObject<typeof commonProperties>>;
export type PythonProps = z.output<z.ZodObject<typeof pythonProperties>>;
export type ScriptOutput = z.input<typeof ScriptOutputs>;
