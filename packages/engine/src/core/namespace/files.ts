/** Namespace files tasks: UploadFiles, DownloadFiles, DeleteFiles (`io.kestra.plugin.core.namespace.*`). */
import { join } from "node:path";
import { defineTask, NonRetryableError, z, type NamespaceFiles, type RunContext } from "@saker/sdk";
import { readFileBelow } from "../../storage/noFollow.ts";
import { namespaceFilesPrefix, toUri } from "../../storage/paths.ts";
import { mapOrJsonText, storageUri, workingDirFiles } from "../storage/common.ts";

const filesMapOf = (value: Record<string, unknown> | string) =>
  mapOrJsonText(value, "filesMap", "file names to kestra:// URIs");
import { pathMatcher } from "../../storage/workingFiles.ts";

const CONFLICTS = ["OVERWRITE", "ERROR", "SKIP"] as const;
type Conflict = (typeof CONFLICTS)[number];

const namespaceProp = z.string().describe("The namespace whose files are used.");
const globs = z
  .union([z.string(), z.array(z.string())])
  .describe("Globs (or `regex:` patterns) matched against the files' paths, e.g. `**/*.sql` or `/scripts/**`.");

/** `/a/b` from a destination and a relative path, with single slashes. */
function joinPath(...parts: string[]): string {
  return `/${parts.join("/").split("/").filter(Boolean).join("/")}`;
}

async function putWithConflict(
  files: NamespaceFiles,
  path: string,
  content: Buffer,
  conflict: Conflict,
  ctx: RunContext,
): Promise<string | undefined> {
  if (conflict !== "OVERWRITE" && (await files.exists(path))) {
    if (conflict === "ERROR")
      throw new NonRetryableError(
        `File '${path}' already exists in namespace '${files.namespace}' and conflict is set to ERROR`,
      );
    ctx.logger.debug("Skipping {}: it already exists", path);
    return undefined;
  }
  return files.put(path, content);
}

export const UploadFiles = defineTask({
  type: "io.kestra.plugin.core.namespace.UploadFiles",
  title: "Upload files to a namespace",
  description:
    "Copies working-directory files matching `files` (globs), and stored files given by `filesMap` (target name → kestra:// URI), into the namespace's files under `destination`. `conflict` decides what happens when a file exists: OVERWRITE, ERROR or SKIP.",
  examples: [
    {
      title: "Upload a downloaded file",
      code: 'id: upload\ntype: io.kestra.plugin.core.namespace.UploadFiles\nnamespace: company.team\nfilesMap:\n  data/LICENSE: "{{ outputs.download.uri }}"',
    },
  ],
  properties: z.object({
    namespace: z.string().optional().describe("The target namespace; the flow's by default."),
    files: z
      .union([z.array(z.string()), z.record(z.string(), z.string())])
      .optional()
      .describe("Globs of working-directory files, or a map of target name → kestra:// URI."),
    filesMap: z
      .union([z.record(z.string(), z.unknown()), z.string()])
      .optional()
      .describe("Target name → kestra:// URI (or its JSON text)."),
    destination: z.string().default("/").describe("The folder to upload into."),
    conflict: z.enum(CONFLICTS).default("OVERWRITE").describe("What to do when a file exists."),
  }),
  outputs: z.object({
    files: z.record(z.string(), z.string()).describe("Namespace path → URI of each uploaded file."),
  }),
  async run(props, ctx) {
    const target = ctx.storage.namespace(props.namespace ?? ctx.flow.namespace);
    if (props.files === undefined && props.filesMap === undefined)
      throw new NonRetryableError("files or filesMap is required");
    const uploaded: Record<string, string> = {};
    const upload = async (path: string, content: Buffer) => {
      const uri = await putWithConflict(target, path, content, props.conflict, ctx);
      if (uri) uploaded[path] = uri;
    };
    if (Array.isArray(props.files)) {
      const dir = await ctx.workingDir();
      for (const file of await workingDirFiles(ctx, props.files))
        await upload(joinPath(props.destination, file), await readFileBelow(dir, join(dir, file), file));
    }
    const map = {
      ...(props.files && !Array.isArray(props.files) ? props.files : {}),
      ...(props.filesMap !== undefined ? filesMapOf(props.filesMap) : {}),
    };
    for (const [name, uri] of Object.entries(map)) {
      if (typeof uri !== "string")
        throw new NonRetryableError(`filesMap must map file names to kestra:// URIs; '${name}' is not a string`);
      await upload(joinPath(props.destination, name), await ctx.storage.readFile(storageUri(uri, `filesMap.${name}`)));
    }
    ctx.logger.info("Uploaded {} file(s) to namespace {}", Object.keys(uploaded).length, target.namespace);
    return { files: uploaded };
  },
});

async function matching(files: NamespaceFiles, patterns: string | string[]): Promise<string[]> {
  const matches = pathMatcher([patterns].flat(), { anyDepth: true });
  return (await files.list()).filter(matches);
}

export const DownloadFiles = defineTask({
  type: "io.kestra.plugin.core.namespace.DownloadFiles",
  title: "Download namespace files",
  description:
    "Copies the namespace files matching `files` into this execution's storage; the output maps each namespace path to its kestra:// URI.",
  examples: [
    {
      title: "All SQL files",
      code: 'id: download\ntype: io.kestra.plugin.core.namespace.DownloadFiles\nnamespace: company.team\nfiles:\n  - "**.sql"',
    },
  ],
  properties: z.object({
    namespace: namespaceProp,
    files: globs,
    destination: z.string().default("").describe("A prefix for the stored file names."),
  }),
  outputs: z.object({ files: z.record(z.string(), z.string()) }),
  async run({ namespace, files, destination }, ctx) {
    const source = ctx.storage.namespace(namespace);
    const downloaded: Record<string, string> = {};
    for (const path of await matching(source, files)) {
      downloaded[path] = await ctx.storage.putFile(await source.get(path), `${destination}${path}`.replace(/^\/+/, ""));
      ctx.logger.debug("Downloaded {}", downloaded[path]);
    }
    ctx.metric({ name: "downloaded", type: "counter", value: Object.keys(downloaded).length });
    return { files: downloaded };
  },
});

export const DeleteFiles = defineTask({
  type: "io.kestra.plugin.core.namespace.DeleteFiles",
  title: "Delete namespace files",
  description:
    "Deletes the namespace files matching `files`. Folders exist only through their files, so a folder left empty disappears with its last file.",
  examples: [
    {
      title: "Delete temporary files",
      code: 'id: delete\ntype: io.kestra.plugin.core.namespace.DeleteFiles\nnamespace: company.team\nfiles:\n  - "/tmp/**"',
    },
  ],
  properties: z.object({
    namespace: namespaceProp,
    files: globs,
    deleteParentFolder: z
      .boolean()
      .default(false)
      .describe("Also delete folders left empty (always the case here: folders exist only through their files)."),
  }),
  outputs: z.object({
    files: z.record(z.string(), z.string()).describe("Namespace path → former URI of each deleted file."),
  }),
  async run({ namespace, files }, ctx) {
    const target = ctx.storage.namespace(namespace);
    const deleted: Record<string, string> = {};
    for (const path of await matching(target, files)) {
      if (await target.delete(path)) deleted[path] = toUri(`${namespaceFilesPrefix(namespace)}${path}`);
    }
    ctx.logger.debug("Deleted {} file(s)", Object.keys(deleted).length);
    ctx.metric({ name: "deleted", type: "counter", value: Object.keys(deleted).length });
    return { files: deleted };
  },
});
