/**
 * The task definitions: a `Script` and a `Commands` task per language of the table, and Kestra's
 * deprecated `io.kestra.core.tasks.scripts.Bash`.
 *
 * @module
 */
import { defineTask, raw, z, type AnyTaskDefinition } from "@saker/sdk";
import { executeScript } from "./exec.ts";
import { LANGUAGES, type Language } from "./languages.ts";
import { ScriptOutputs, commandsProperty, commonProperties, pythonProperties, scriptProperty } from "./properties.ts";

const PREFIX = "io.kestra.plugin.scripts";

function extraProperties(language: Language) {
  return language.id === "python" ? pythonProperties : {};
}

function scriptExample(language: Language): string {
  if (language.id === "python") return "from kestra import Kestra\nKestra.outputs({'answer': 42})";
  if (language.id === "node") return "const Kestra = require('@kestra-io/libs');\nKestra.outputs({ answer: 42 });";
  return `echo '::{"outputs":{"answer":42}}::'`;
}

function scriptTask(language: Language): AnyTaskDefinition {
  return defineTask({
    type: `${PREFIX}.${language.id}.Script`,
    title: `Run a ${language.title} script`,
    description: `Runs an inline ${language.title} script (${language.interpreters[0]} on the worker's PATH). A line \`::{"outputs":{…}}::\` on stdout sets \`outputs.<id>.vars\`.`,
    examples: [
      {
        title: "Send an output",
        code: `id: script\ntype: ${PREFIX}.${language.id}.Script\nscript: |\n  ${scriptExample(language).replace(/\n/g, "\n  ")}`,
      },
    ],
    properties: z.object({ ...scriptProperty, ...commonProperties, ...extraProperties(language) }),
    outputs: ScriptOutputs,
    run: (props, ctx) => executeScript({ language, name: `${language.id}.Script`, props }, ctx),
  }) as unknown as AnyTaskDefinition;
}

function commandsTask(language: Language): AnyTaskDefinition {
  return defineTask({
    type: `${PREFIX}.${language.id}.Commands`,
    title: `Run ${language.title} commands`,
    description: `Runs commands one after the other in one shell (\`/bin/sh -c\` unless \`interpreter\` says otherwise), e.g. \`${language.interpreters[0]} main${language.extension}\` on a namespace or input file.`,
    examples: [
      {
        title: "Run a file",
        code: `id: commands\ntype: ${PREFIX}.${language.id}.Commands\nnamespaceFiles:\n  enabled: true\ncommands:\n  - ${language.interpreters[0]} main${language.extension}`,
      },
    ],
    properties: z.object({ ...commandsProperty, ...commonProperties, ...extraProperties(language) }),
    outputs: ScriptOutputs,
    run: (props, ctx) => executeScript({ language, name: `${language.id}.Commands`, props }, ctx),
  }) as unknown as AnyTaskDefinition;
}

const shell = LANGUAGES.find((l) => l.id === "shell")!;

/** Kestra's first shell task: `interpreter` is one program, `interpreterArgs` its arguments, `outputFiles` file names. */
export const Bash = defineTask({
  type: "io.kestra.core.tasks.scripts.Bash",
  title: "Run shell commands (deprecated: use io.kestra.plugin.scripts.shell.Commands)",
  deprecated: true,
  properties: z.object({
    ...commandsProperty,
    ...commonProperties,
    interpreter: z.string().default("/bin/sh").describe("The shell."),
    interpreterArgs: z.array(z.string()).default(["-c"]).describe("Its arguments before the commands."),
    exitOnFailed: z.boolean().default(true).describe("Stop at the first failing command (`set -e`)."),
    outputFiles: z
      .array(z.string())
      .optional()
      .describe("File names the commands write to `{{ outputFiles.<name> }}`; stored after the run."),
    outputsFiles: z.array(z.string()).optional().describe("Deprecated spelling of outputFiles."),
    files: raw(z.unknown()).optional().describe("Deprecated spelling of inputFiles."),
  }),
  outputs: ScriptOutputs,
  run: ({ interpreter, interpreterArgs, exitOnFailed, outputsFiles, files, ...props }, ctx) =>
    executeScript(
      {
        language: shell,
        name: "scripts.Bash",
        namedOutputFiles: true,
        props: {
          ...props,
          interpreter: [interpreter, ...interpreterArgs],
          failFast: exitOnFailed,
          outputFiles: [...(props.outputFiles ?? []), ...(outputsFiles ?? [])],
          ...(props.inputFiles === undefined && files !== undefined ? { inputFiles: files as string } : {}),
        },
      },
      ctx,
    ),
});

export const scriptTasks: AnyTaskDefinition[] = [
  ...LANGUAGES.flatMap((language) => [scriptTask(language), commandsTask(language)]),
  Bash as unknown as AnyTaskDefinition,
];
