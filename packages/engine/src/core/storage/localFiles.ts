/** `LocalFiles` (deprecated for WorkingDirectory's `inputFiles`/`outputFiles`). */
import { mkdir, writeFile } from "node:fs/promises";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { pipeline } from "node:stream/promises";
import { createWriteStream } from "node:fs";
import { defineTask, NonRetryableError, z, type RunContext } from "@saker/sdk";
import { SCHEME } from "../../storage/paths.ts";
import { workingDirFiles } from "./common.ts";

function inputMap(inputs: Record<string, unknown> | string): Record<string, unknown> {
  if (typeof inputs !== "string") return inputs;
  try {
    const parsed: unknown = JSON.parse(inputs);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // fall through to the error below
  }
  throw new NonRetryableError(`'inputs' must be a map of file names to contents, or its JSON text, got '${inputs.slice(0, 80)}'`);
}

/** Writes each file into the working directory: text as is, a `kestra://` URI copied from storage. */
export async function writeInputFiles(ctx: RunContext, files: Record<string, unknown>): Promise<void> {
  const dir = await ctx.workingDir();
  for (const [name, content] of Object.entries(files)) {
    if (content === null || content === undefined) continue;
    const file = resolve(dir, name);
    const rel = relative(dir, file);
    if (rel === "" || rel.startsWith("..") || rel.startsWith(sep)) throw new NonRetryableError(`File name '${name}' leaves the working directory`);
    await mkdir(dirname(file), { recursive: true });
    const text = typeof content === "string" ? content : JSON.stringify(content);
    if (text.startsWith(SCHEME)) await pipeline(await ctx.storage.getFile(text), createWriteStream(file));
    else await writeFile(file, text);
  }
}

/** Stores the working-directory files matching the globs; returns relative path → URI. */
export async function storeOutputFiles(ctx: RunContext, globs: readonly string[]): Promise<Record<string, string>> {
  const dir = await ctx.workingDir();
  const uris: Record<string, string> = {};
  for (const path of await workingDirFiles(ctx, globs)) uris[path] = await ctx.storage.putFile(join(dir, path), basename(path));
  return uris;
}

export const LocalFiles = defineTask({
  type: "io.kestra.plugin.core.storage.LocalFiles",
  aliases: ["io.kestra.core.tasks.storages.LocalFiles"],
  title: "Write files to the working directory and store files from it (deprecated)",
  deprecated: true,
  description: "Inside a WorkingDirectory: `inputs` writes files (text, or a kestra:// URI to copy), `outputs` stores the files matching globs and returns their URIs by relative path.",
  examples: [
    {
      title: "Create a file and keep it",
      code: "id: files\ntype: io.kestra.plugin.core.storage.LocalFiles\ninputs:\n  hello.txt: Hello {{ inputs.name }}\noutputs:\n  - hello.txt",
    },
  ],
  properties: z.object({
    inputs: z.union([z.record(z.string(), z.unknown()), z.string()]).optional().describe("File name → content (or kestra:// URI), or its JSON text."),
    outputs: z.array(z.string()).optional().describe("Globs of working-directory files to store."),
  }),
  outputs: z.object({ uris: z.record(z.string(), z.string()) }),
  async run({ inputs, outputs }, ctx) {
    if (inputs !== undefined) await writeInputFiles(ctx, inputMap(inputs));
    const uris = outputs ? await storeOutputFiles(ctx, outputs) : {};
    ctx.logger.trace("Captured {} output(s).", Object.keys(uris).length);
    return { uris };
  },
});
