/**
 * Namespace files (`kestra:///<namespace as folders>/_files/<path>`): read, stats, list a folder,
 * upload (multipart `fileContent`), move, delete. Folders exist through the files they hold.
 * Every path goes through `namespaceFilePath` (no `..`, no encoded or control characters).
 */
import { z } from "@saker/sdk";
import { isUnder, namespaceFilesPrefix, type Instance } from "@saker/engine";
import { ApiError, badRequest, conflict, notFound } from "../http/errors.ts";
import { readForm } from "../http/multipart.ts";
import { defineRoute, type AnyRoute } from "../http/route.ts";
import { namespaceFilePath } from "../http/safePath.ts";
import { errors, FileAttributesSchema } from "../openapi/schemas.ts";

const TAGS = ["Files"];
const NAMESPACE = /^[a-z0-9][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)*$/i;
export const NamespaceParams = z.object({
  namespace: z
    .string()
    .regex(NAMESPACE, "must be dot-separated words of letters, digits, '_' and '-'")
    .describe("The namespace"),
});
const PathQuery = z.looseObject({
  path: z.string().optional().describe("The path in the namespace, e.g. /scripts/run.sh"),
});

interface FileAttributes {
  fileName: string;
  type: "File" | "Directory";
  size: number;
}

/** Where namespace files of `namespace` live, and a checked path's storage path. */
function location(
  namespace: string,
  rawPath: string | undefined,
  what = "path",
): { root: string; path: string; storage: string } {
  const root = namespaceFilesPrefix(namespace);
  const path = namespaceFilePath(rawPath, what);
  const storage = path === "/" ? root : `${root}${path}`;
  if (!isUnder(storage, root)) throw badRequest(`Invalid ${what} '${rawPath}'`, `query.${what}`);
  return { root, path, storage };
}

async function filesUnder(instance: Instance, storage: string): Promise<string[]> {
  return instance.storage.list(storage);
}

async function stats(instance: Instance, namespace: string, rawPath: string | undefined): Promise<FileAttributes> {
  const { path, storage } = location(namespace, rawPath);
  const name = path.split("/").pop() ?? "";
  if (path !== "/" && (await instance.storage.exists(storage)))
    return { fileName: name, type: "File", size: await instance.storage.size(storage) };
  if (path === "/" || (await filesUnder(instance, storage)).length > 0)
    return { fileName: name, type: "Directory", size: 0 };
  throw notFound("FILE_NOT_FOUND", `No file or folder '${path}' in namespace '${namespace}'`);
}

const read = defineRoute({
  method: "GET",
  url: "/namespaces/:namespace/files",
  summary: "Download a namespace file",
  tags: TAGS,
  params: NamespaceParams,
  query: PathQuery,
  response: { 200: { description: "The file", contentType: "application/octet-stream" }, ...errors(400, 404) },
  async handler({ params, query, reply, ctx }) {
    const { path, storage } = location(params.namespace, query.path);
    if (path === "/" || !(await ctx.instance.storage.exists(storage)))
      throw notFound("FILE_NOT_FOUND", `No file '${path}' in namespace '${params.namespace}'`);
    return reply.type("application/octet-stream").send(await ctx.instance.storage.get(storage));
  },
});

const stat = defineRoute({
  method: "GET",
  url: "/namespaces/:namespace/files/stats",
  summary: "Stats of a namespace file or folder",
  tags: TAGS,
  params: NamespaceParams,
  query: PathQuery,
  response: { 200: FileAttributesSchema, ...errors(400, 404) },
  async handler({ params, query, ctx }) {
    return stats(ctx.instance, params.namespace, query.path);
  },
});

const list = defineRoute({
  method: "GET",
  url: "/namespaces/:namespace/files/directory",
  summary: "The files and folders directly in a namespace folder",
  tags: TAGS,
  params: NamespaceParams,
  query: PathQuery,
  response: { 200: z.array(FileAttributesSchema), ...errors(400, 404) },
  async handler({ params, query, ctx }) {
    const { path, storage } = location(params.namespace, query.path);
    const files = await filesUnder(ctx.instance, storage);
    if (files.length === 0 && path !== "/") {
      if (await ctx.instance.storage.exists(storage))
        throw badRequest(`'${path}' is a file, not a folder`, "query.path");
      throw notFound("FILE_NOT_FOUND", `No folder '${path}' in namespace '${params.namespace}'`);
    }
    const entries = new Map<string, FileAttributes>();
    for (const file of files) {
      const [name = "", ...rest] = file.slice(storage.length + 1).split("/");
      if (rest.length > 0) entries.set(name, { fileName: name, type: "Directory", size: 0 });
      else entries.set(name, { fileName: name, type: "File", size: await ctx.instance.storage.size(file) });
    }
    return [...entries.values()].sort((a, b) => a.fileName.localeCompare(b.fileName));
  },
});

const mkdir = defineRoute({
  method: "POST",
  url: "/namespaces/:namespace/files/directory",
  summary: "Create a folder (accepted; a folder exists once it holds a file)",
  tags: TAGS,
  params: NamespaceParams,
  query: PathQuery,
  response: { 200: null, ...errors(400) },
  async handler({ params, query }) {
    location(params.namespace, query.path);
  },
});

const upload = defineRoute({
  method: "POST",
  url: "/namespaces/:namespace/files",
  summary: "Upload a namespace file (multipart part `fileContent`); replaces an existing one",
  tags: TAGS,
  consumes: ["multipart/form-data"],
  bodyDoc: {
    content: {
      "multipart/form-data": {
        schema: {
          type: "object",
          properties: { fileContent: { type: "string", format: "binary" } },
          required: ["fileContent"],
        },
      },
    },
  },
  params: NamespaceParams,
  query: z.looseObject({ path: z.string().describe("Where to store the file, e.g. /scripts/run.sh") }),
  response: { 200: null, ...errors(400, 413) },
  async handler({ params, query, request, ctx }) {
    const { path, storage } = location(params.namespace, query.path);
    if (path === "/") throw badRequest("The path must name a file", "query.path");
    if (!request.isMultipart())
      throw new ApiError(
        415,
        "UNSUPPORTED_MEDIA_TYPE",
        "Upload the file as multipart/form-data in a part named fileContent",
      );
    const form = await readForm(request, ctx.maxRequestSize);
    const file = form.files.find((f) => f.field === "fileContent");
    if (!file) throw badRequest("Missing the file part 'fileContent'", "body.fileContent");
    if ((await filesUnder(ctx.instance, storage)).length > 0)
      throw conflict("FILE_IS_FOLDER", `'${path}' is a folder in namespace '${params.namespace}'`);
    await ctx.instance.storage.put(storage, file.bytes);
  },
});

const move = defineRoute({
  method: "PUT",
  url: "/namespaces/:namespace/files",
  summary: "Move (rename) a namespace file or folder",
  tags: TAGS,
  params: NamespaceParams,
  query: z.looseObject({ from: z.string(), to: z.string() }),
  response: { 200: null, ...errors(400, 404, 409) },
  async handler({ params, query, ctx }) {
    const from = location(params.namespace, query.from, "from");
    const to = location(params.namespace, query.to, "to");
    if (from.path === "/" || to.path === "/")
      throw badRequest("Neither 'from' nor 'to' may be the namespace root", "query.from");
    if (isUnder(to.storage, from.storage)) throw badRequest(`Cannot move '${from.path}' into itself`, "query.to");
    const storage = ctx.instance.storage;
    const single = await storage.exists(from.storage);
    const sources = single ? [from.storage] : await filesUnder(ctx.instance, from.storage);
    if (sources.length === 0)
      throw notFound("FILE_NOT_FOUND", `No file or folder '${from.path}' in namespace '${params.namespace}'`);
    if ((await storage.exists(to.storage)) || (await filesUnder(ctx.instance, to.storage)).length > 0)
      throw conflict("FILE_EXISTS", `'${to.path}' already exists in namespace '${params.namespace}'`);
    for (const source of sources) {
      const target = single ? to.storage : `${to.storage}${source.slice(from.storage.length)}`;
      await storage.put(target, await storage.get(source));
      await storage.delete(source);
    }
  },
});

const remove = defineRoute({
  method: "DELETE",
  url: "/namespaces/:namespace/files",
  summary: "Delete a namespace file, or a folder with everything in it (`/`: every file of the namespace)",
  description:
    "As in Kestra, whose `namespace files update` deletes the target folder before uploading: a path that does not exist is no error.",
  tags: TAGS,
  params: NamespaceParams,
  query: z.looseObject({ path: z.string() }),
  response: { 200: null, ...errors(400) },
  async handler({ params, query, ctx }) {
    // only a literal `/` means every file: an empty path is a mistake, not the root
    if (query.path.trim() === "")
      throw badRequest("'path' is empty: give a file, a folder, or / for every file", "query.path");
    const { path, storage } = location(params.namespace, query.path);
    if (path !== "/" && (await ctx.instance.storage.delete(storage))) return;
    await ctx.instance.storage.deletePrefix(storage);
  },
});

export const namespaceFileRoutes: AnyRoute[] = [read, stat, list, mkdir, upload, move, remove];
