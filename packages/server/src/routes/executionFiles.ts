/**
 * The files of an execution in internal storage: download, preview (first lines, or first rows
 * of an Ion file), size. Only URIs under the execution's own prefix are served.
 */
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { z } from "@saker/sdk";
import { executionPrefix, isUnder } from "@saker/engine";
import type { ServerContext } from "../context.ts";
import ion from "ion-js";
import { ApiError, badRequest, notFound } from "../http/errors.ts";
import { defineRoute, type AnyRoute } from "../http/route.ts";
import { storagePathOf } from "../http/safePath.ts";
import { errors, FileMetasSchema, FilePreviewSchema } from "../openapi/schemas.ts";
import { ExecutionParams, storedExecution } from "./executionSupport.ts";

const TAGS = ["Executions"];
const PathQuery = z.looseObject({ path: z.string().describe("The file's URI: kestra:///…") });

/** The storage path of a file of this execution; 400 for a bad URI, 403 for another's, 404 when missing. */
async function executionFile(ctx: ServerContext, executionId: string, uri: string): Promise<string> {
  const instance = ctx.instance;
  const { execution } = await storedExecution(ctx.api, executionId);
  const path = storagePathOf(uri);
  if (!isUnder(path, executionPrefix(execution.namespace, execution.flowId, execution.id))) {
    throw new ApiError(403, "FILE_ACCESS_DENIED", `'${uri}' is not a file of execution '${execution.id}'`, {
      path: "query.path",
    });
  }
  if (!(await instance.storage.exists(path))) throw notFound("FILE_NOT_FOUND", `Unable to find file at uri '${uri}'`);
  return path;
}

function fileName(path: string): string {
  return (path.split("/").pop() ?? "file").replace(/["\r\n\\]/g, "_");
}

const download = defineRoute({
  method: "GET",
  url: "/executions/:executionId/file",
  summary: "Download a file of an execution",
  tags: TAGS,
  params: ExecutionParams,
  query: PathQuery,
  response: { 200: { description: "The file", contentType: "application/octet-stream" }, ...errors(400, 403, 404) },
  async handler({ params, query, reply, ctx }) {
    const path = await executionFile(ctx, params.executionId, query.path);
    const size = await ctx.instance.storage.size(path);
    return reply
      .type("application/octet-stream")
      .header("Content-Disposition", `attachment; filename="${fileName(path)}"`)
      .header("Content-Length", size)
      .send(await ctx.instance.storage.get(path));
  },
});

const metas = defineRoute({
  method: "GET",
  url: "/executions/:executionId/file/metas",
  summary: "The size of a file of an execution",
  tags: TAGS,
  params: ExecutionParams,
  query: PathQuery,
  response: { 200: FileMetasSchema, ...errors(400, 403, 404) },
  async handler({ params, query, ctx }) {
    const path = await executionFile(ctx, params.executionId, query.path);
    return { size: await ctx.instance.storage.size(path) };
  },
});

const ENCODINGS: Record<string, BufferEncoding> = {
  "utf-8": "utf8",
  utf8: "utf8",
  "iso-8859-1": "latin1",
  latin1: "latin1",
  "us-ascii": "ascii",
  ascii: "ascii",
  "utf-16le": "utf16le",
};

/** The first `max` lines; `truncated` when there were more. */
async function firstLines(
  stream: Readable,
  max: number,
  encoding: BufferEncoding,
): Promise<{ lines: string[]; truncated: boolean }> {
  stream.setEncoding(encoding);
  const reader = createInterface({ input: stream, crlfDelay: Infinity });
  const lines: string[] = [];
  let truncated = false;
  for await (const line of reader) {
    if (lines.length === max) {
      truncated = true;
      break;
    }
    lines.push(line);
  }
  reader.close();
  stream.destroy();
  return { lines, truncated };
}

/** Ion text, one value per line, as JSON rows; undefined when it does not parse (shown as text then). */
function ionRows(lines: readonly string[]): unknown[] | undefined {
  try {
    return lines.filter((l) => l.trim() !== "").flatMap((l) => JSON.parse(JSON.stringify(ion.loadAll(l))) as unknown[]);
  } catch {
    return undefined;
  }
}

const preview = defineRoute({
  method: "GET",
  url: "/executions/:executionId/file/preview",
  summary: "Preview a file of an execution: its first lines, or first rows of an Ion file",
  tags: TAGS,
  params: ExecutionParams,
  query: PathQuery.extend({
    maxRows: z.coerce.number().int().min(1).max(5000).default(100).describe("Lines (or rows) to return"),
    encoding: z.string().default("UTF-8").describe("UTF-8, ISO-8859-1, US-ASCII or UTF-16LE"),
  }),
  response: { 200: FilePreviewSchema, ...errors(400, 403, 404) },
  async handler({ params, query, ctx }) {
    const encoding = ENCODINGS[query.encoding.toLowerCase()];
    if (!encoding)
      throw badRequest(
        `Unable to preview using encoding '${query.encoding}'; use one of UTF-8, ISO-8859-1, US-ASCII, UTF-16LE`,
        "query.encoding",
      );
    const path = await executionFile(ctx, params.executionId, query.path);
    const extension = /\.([A-Za-z0-9]+)$/.exec(path)?.[1] ?? "";
    const { lines, truncated } = await firstLines(await ctx.instance.storage.get(path), query.maxRows, encoding);
    const rows = extension.toLowerCase() === "ion" ? ionRows(lines) : undefined;
    if (rows) return { extension, type: "LIST", content: rows, maxLine: query.maxRows, truncated };
    return {
      extension,
      type: extension.toLowerCase() === "md" ? "MARKDOWN" : "TEXT",
      content: lines.join("\n"),
      maxLine: query.maxRows,
      truncated,
    };
  },
});

export const executionFileRoutes: AnyRoute[] = [download, metas, preview];
