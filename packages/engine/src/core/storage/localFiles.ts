/** `LocalFiles` (deprecated for WorkingDirectory's `inputFiles`/`outputFiles`). */
import { defineTask, z } from "@saker/sdk";
import { storeFiles, writeFiles } from "../../storage/workingFiles.ts";
import { mapOrJsonText } from "./common.ts";

export const LocalFiles = defineTask({
  type: "io.kestra.plugin.core.storage.LocalFiles",
  aliases: ["io.kestra.core.tasks.storages.LocalFiles"],
  title: "Write files to the working directory and store files from it (deprecated)",
  deprecated: true,
  description:
    "Inside a WorkingDirectory: `inputs` writes files (text, or a kestra:// URI to copy), `outputs` stores the files matching globs and returns their URIs by relative path.",
  examples: [
    {
      title: "Create a file and keep it",
      code: "id: files\ntype: io.kestra.plugin.core.storage.LocalFiles\ninputs:\n  hello.txt: Hello {{ inputs.name }}\noutputs:\n  - hello.txt",
    },
  ],
  properties: z.object({
    inputs: z
      .union([z.record(z.string(), z.unknown()), z.string()])
      .optional()
      .describe("File name → content (or kestra:// URI), or its JSON text."),
    outputs: z.array(z.string()).optional().describe("Globs of working-directory files to store."),
  }),
  outputs: z.object({ uris: z.record(z.string(), z.string()) }),
  async run({ inputs, outputs }, ctx) {
    if (inputs !== undefined)
      await writeFiles(await ctx.workingDir(), mapOrJsonText(inputs, "inputs", "file names to contents"), ctx.storage);
    const uris = outputs ? await storeFiles(await ctx.workingDir(), outputs, ctx.storage) : {};
    ctx.logger.trace("Captured {} output(s).", Object.keys(uris).length);
    return { uris };
  },
});
