import { map, raw, tasks, z } from "@saker/sdk";
import { defineFlowableTask } from "../../plugins/engineTypes.ts";
import { resolveSequentialNexts } from "../../executor/sequencing.ts";
import { ERRORS_DESCRIPTION, FINALLY_DESCRIPTION, sequencing, taskList } from "./common.ts";

export const NamespaceFilesSchema = z.object({
  enabled: z.boolean().default(true).describe("Copy the namespace's files into the directory."),
  include: z.array(z.string()).optional().describe("Only these globs (relative to the namespace files root)."),
  exclude: z.array(z.string()).optional().describe("Leave out these globs."),
  namespaces: z.array(z.string()).optional().describe("Namespaces to copy from (default: the flow's)."),
});

/**
 * `WorkingDirectory`: its tasks run one after the other in one directory on the worker, so a file
 * one writes the next can read. `inputFiles` and namespace files are put there before the first
 * task; files matching `outputFiles` are uploaded after each task and listed in the outputs.
 */
export const WorkingDirectory = defineFlowableTask({
  type: "io.kestra.plugin.core.flow.WorkingDirectory",
  aliases: ["io.kestra.core.tasks.flows.WorkingDirectory"],
  title: "Run tasks in one shared working directory",
  description:
    "Runs its tasks one after the other in the same directory on the worker. `inputFiles` (file name to content, rendered) and, with `namespaceFiles.enabled`, the namespace's files are written there first; files matching `outputFiles` are uploaded to internal storage as each task ends and appear in `outputs.<id>.outputFiles`.",
  examples: [
    {
      title: "Write a file, then read it",
      code: 'id: wd\ntype: io.kestra.plugin.core.flow.WorkingDirectory\ninputFiles:\n  query.sql: select 1\noutputFiles:\n  - "*.csv"\ntasks:\n  - id: write\n    type: io.kestra.plugin.core.storage.LocalFiles\n    inputs:\n      out.csv: "a,b"',
    },
  ],
  properties: z.object({
    tasks: tasks().min(1).describe("The tasks to run in the directory, one after the other."),
    errors: tasks().optional().describe(ERRORS_DESCRIPTION),
    finally: tasks().optional().describe(FINALLY_DESCRIPTION),
    inputFiles: raw(z.union([map(z.unknown()), z.string()]))
      .optional()
      .describe("Files to create first: name to content (rendered by the worker)."),
    namespaceFiles: NamespaceFilesSchema.optional().describe("Copy namespace files into the directory."),
    outputFiles: z
      .array(z.string())
      .optional()
      .describe("Globs of files to upload to internal storage after each task."),
    cache: z
      .looseObject({ patterns: z.array(z.string()).optional(), ttl: z.string().optional() })
      .optional()
      .describe("Accepted for compatibility; Saker does not cache working directories yet."),
  }),
  outputs: z.object({
    outputFiles: z.record(z.string(), z.string()).optional().describe("Uploaded files: name to kestra:// URI."),
  }),
  workingDirectory: true,
  childTasks: async (ctx) => ctx.resolve(taskList(ctx.task, "tasks")),
  resolveNexts: async (ctx) => resolveSequentialNexts(sequencing(ctx, ctx.resolve(taskList(ctx.task, "tasks")))),
});
