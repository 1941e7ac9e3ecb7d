/** Storage tasks on whole files: Concat, Size, Delete, Write, PurgeCurrentExecutionFiles. */
import { Readable } from "node:stream";
import { defineTask, NonRetryableError, z, type RunContext } from "@saker/sdk";
import { engineOf } from "../../plugins/engineServices.ts";
import { executionPrefix, toUri } from "../../storage/paths.ts";
import { storageUri, tempName } from "./common.ts";
import { isDataLimitError, parseJsonData } from "../../model/dataLimits.ts";

function fileList(files: string[] | string): string[] {
  if (Array.isArray(files)) return files;
  let parsed: unknown;
  try {
    parsed = parseJsonData(files, "files");
  } catch (error) {
    if (isDataLimitError(error)) throw error;
    throw new NonRetryableError(
      `'files' must be a list of kestra:// URIs or its JSON text, got '${files.slice(0, 80)}'`,
    );
  }
  if (!Array.isArray(parsed) || parsed.some((f) => typeof f !== "string"))
    throw new NonRetryableError("'files' must be a list of kestra:// URIs");
  return parsed as string[];
}

async function* concatenated(
  ctx: RunContext,
  uris: readonly string[],
  separator: string | undefined,
): AsyncGenerator<Buffer> {
  for (const uri of uris) {
    for await (const chunk of await ctx.storage.getFile(storageUri(uri, "files"))) yield chunk as Buffer;
    if (separator !== undefined) yield Buffer.from(separator);
  }
}

export const Concat = defineTask({
  type: "io.kestra.plugin.core.storage.Concat",
  aliases: ["io.kestra.core.tasks.storages.Concat"],
  title: "Concatenate files",
  description: "Writes the files one after another (with `separator` after each) into one new file.",
  examples: [
    {
      title: "Join two files",
      code: 'id: concat\ntype: io.kestra.plugin.core.storage.Concat\nfiles:\n  - "{{ outputs.a.uri }}"\n  - "{{ outputs.b.uri }}"\nseparator: "\\n"',
    },
  ],
  properties: z.object({
    files: z.union([z.array(z.string()), z.string()]).describe("kestra:// URIs: a list, or the JSON text of a list."),
    separator: z.string().optional().describe("Written after each file."),
    extension: z.string().default(".tmp").describe("The extension of the new file."),
  }),
  outputs: z.object({ uri: z.string() }),
  async run({ files, separator, extension }, ctx) {
    const uris = fileList(files);
    for (const uri of uris)
      if (!(await ctx.storage.exists(storageUri(uri, "files"))))
        throw new NonRetryableError(`Unable to find file at uri '${uri}'`);
    return { uri: await ctx.storage.putFile(Readable.from(concatenated(ctx, uris, separator)), tempName(extension)) };
  },
});

export const Size = defineTask({
  type: "io.kestra.plugin.core.storage.Size",
  aliases: ["io.kestra.core.tasks.storages.Size"],
  title: "Get the size of a stored file",
  properties: z.object({ uri: z.string().describe("A kestra:// URI.") }),
  outputs: z.object({ size: z.number().describe("The size in bytes.") }),
  async run({ uri }, ctx) {
    return { size: await ctx.storage.size(storageUri(uri, "uri")) };
  },
});

export const Delete = defineTask({
  type: "io.kestra.plugin.core.storage.Delete",
  aliases: ["io.kestra.core.tasks.storages.Delete"],
  title: "Delete a stored file",
  properties: z.object({
    uri: z.string().describe("A kestra:// URI of this execution."),
    errorOnMissing: z.boolean().default(false).describe("Fail when the file does not exist."),
  }),
  outputs: z.object({ uri: z.string(), deleted: z.boolean() }),
  async run({ uri, errorOnMissing }, ctx) {
    const deleted = await ctx.storage.delete(storageUri(uri, "uri"));
    if (!deleted && errorOnMissing) throw new NonRetryableError(`Unable to find file '${uri}'`);
    return { uri, deleted };
  },
});

export const Write = defineTask({
  type: "io.kestra.plugin.core.storage.Write",
  title: "Write a file to internal storage",
  examples: [
    {
      title: "Store a text",
      code: "id: write\ntype: io.kestra.plugin.core.storage.Write\ncontent: Hello World\nextension: .txt",
    },
  ],
  properties: z.object({
    content: z.string().describe("The file content."),
    extension: z.string().default(".ion").describe("The file extension."),
  }),
  outputs: z.object({ uri: z.string(), size: z.number() }),
  async run({ content, extension }, ctx) {
    const buffer = Buffer.from(content);
    return { uri: await ctx.storage.putFile(buffer, tempName(extension)), size: buffer.length };
  },
});

export const PurgeCurrentExecutionFiles = defineTask({
  type: "io.kestra.plugin.core.storage.PurgeCurrentExecutionFiles",
  aliases: [
    "io.kestra.core.tasks.storages.PurgeCurrentExecutionFiles",
    "io.kestra.plugin.core.storage.PurgeExecution",
    "io.kestra.core.tasks.storages.PurgeExecution",
  ],
  title: "Delete every stored file of this execution",
  description: "Removes the inputs and task outputs the execution stored; later tasks can no longer read them.",
  properties: z.object({}),
  outputs: z.object({ uris: z.array(z.string()).describe("The deleted files.") }),
  async run(_, ctx) {
    const storage = engineOf(ctx).storage;
    const prefix = executionPrefix(ctx.flow.namespace, ctx.flow.id, ctx.execution.id);
    const files = await storage.list(prefix);
    await storage.deletePrefix(prefix);
    ctx.logger.debug("Deleted {} file(s)", files.length);
    return { uris: files.map(toUri) };
  },
});
