/**
 * Kestra's `io.kestra.plugin.fs.{sftp,ftp,ftps}.*` types, declared once for every protocol: each
 * protocol differs only by its connection properties and default port.
 *
 * @module
 */
import {
  defineTask,
  defineTrigger,
  duration,
  NonRetryableError,
  z,
  type AnyTaskDefinition,
  type AnyTriggerDefinition,
} from "@saker/sdk";
import {
  CONNECTION_SHAPES,
  taskErrorOf,
  withSession,
  type ConnectionProps,
  type Protocol,
  type Session,
  type SessionContext,
} from "./connection.ts";
import {
  ACTIONS,
  CHECKSUM_ALGORITHMS,
  SORTS,
  checkAction,
  deletePath,
  fullMatch,
  downloadFile,
  limitFiles,
  listExisting,
  movePath,
  performAction,
  sortFiles,
  uploadFile,
  type FileOutput,
} from "./operations.ts";
import { remoteUri } from "./paths.ts";
import { evaluateTrigger, triggerShape } from "./trigger.ts";

const NAMES: Record<Protocol, string> = { sftp: "SFTP", ftp: "FTP", ftps: "FTPS" };

export const fileSchema = z.object({
  path: z.string(),
  name: z.string(),
  fileType: z.string(),
  symbolicLink: z.boolean(),
  size: z.number().optional(),
  userId: z.number().optional(),
  groupId: z.number().optional(),
  permissions: z.number().optional(),
  accessDate: z.string().optional(),
  updatedDate: z.string().optional(),
});

const listingShape = {
  regExp: z
    .string()
    .optional()
    .describe("Only files whose whole path (under the root) matches this regular expression."),
  recursive: z.boolean().default(false).describe("List the subdirectories too."),
  maxFiles: z
    .number()
    .int()
    .min(1)
    .default(25)
    .describe("At most this many files (a warning says when more were found)."),
};

/** The example connection block of a protocol, for the docs. */
function exampleConnection(protocol: Protocol): string {
  const port = protocol === "sftp" ? 22 : protocol === "ftp" ? 21 : 990;
  return `host: localhost\nport: ${port}\nusername: foo\npassword: "{{ secret('${NAMES[protocol]}_PASSWORD') }}"`;
}

export function defineProtocolTypes(protocol: Protocol): {
  tasks: AnyTaskDefinition[];
  triggers: AnyTriggerDefinition[];
} {
  const prefix = `io.kestra.plugin.fs.${protocol}`;
  const name = NAMES[protocol];
  const connection = CONNECTION_SHAPES[protocol];
  const uriOf = (props: ConnectionProps) => (path: string) => remoteUri(protocol, props.host, path);
  function session<T>(props: ConnectionProps, ctx: SessionContext, fn: (s: Session) => Promise<T>): Promise<T> {
    return withSession(protocol, props, ctx, fn);
  }

  const Upload = defineTask({
    type: `${prefix}.Upload`,
    title: `Upload a file to an ${name} server`,
    description: `Streams a file of internal storage to the server. \`to\` defaults to the file's name; a \`to\` ending with \`/\` (or naming a directory) keeps the file's name inside it. Missing directories are created.`,
    examples: [
      {
        title: "Upload a file",
        code: `id: upload\ntype: ${prefix}.Upload\n${exampleConnection(protocol)}\nfrom: "{{ outputs.export.uri }}"\nto: "/upload/report.csv"`,
      },
    ],
    properties: z.object({
      ...connection,
      from: z.string().min(1).describe("The `kestra://` URI of the file to upload."),
      to: z.string().optional().describe("The remote path (default: the file's name at the root)."),
      overwrite: z.boolean().default(true).describe("Replace an existing file (`false`: fail when there is one)."),
    }),
    outputs: z.object({ from: z.string(), to: z.string() }),
    async run(props, ctx) {
      const to = props.to ?? `/${props.from.slice(props.from.lastIndexOf("/") + 1)}`;
      const target = await session(props, ctx, async (s) =>
        s.relative(await uploadFile(s, ctx.storage, props.from, to, props.overwrite)),
      );
      ctx.logger.debug("File '{}' uploaded to '{}'", props.from, target);
      return { from: props.from, to: uriOf(props)(target) };
    },
  });

  const Uploads = defineTask({
    type: `${prefix}.Uploads`,
    title: `Upload several files to an ${name} server`,
    description:
      "Uploads files of internal storage into the directory `to`: `from` is one URI, a list of URIs, or a map of remote file name to URI.",
    properties: z.object({
      ...connection,
      from: z
        .union([z.string(), z.array(z.string()), z.record(z.string(), z.string())])
        .describe("`kestra://` URIs: one, a list, or a map of remote file name to URI."),
      to: z.string().min(1).describe("The remote directory."),
      regExp: z.string().optional().describe("Only URIs that match this regular expression as a whole."),
      maxFiles: z.number().int().min(1).default(25).describe("At most this many files."),
      overwrite: z
        .boolean()
        .default(true)
        .describe("Replace existing files (`false`: fail on the first one there is)."),
    }),
    outputs: z.object({ files: z.array(z.string()) }),
    async run(props, ctx) {
      const pairs: [string | undefined, string][] =
        typeof props.from === "string"
          ? [[undefined, props.from]]
          : Array.isArray(props.from)
            ? props.from.map((uri) => [undefined, uri] as [undefined, string])
            : Object.entries(props.from);
      const matches = fullMatch(props.regExp);
      const keep = matches ? pairs.filter(([, uri]) => matches(uri)) : pairs;
      const chosen = limitFiles(keep, props.maxFiles, ctx.logger);
      const dir = props.to.endsWith("/") ? props.to : `${props.to}/`;
      const files = await session(props, ctx, async (s) => {
        const uris: string[] = [];
        for (const [fileName, uri] of chosen) {
          const target = await uploadFile(s, ctx.storage, uri, fileName ? `${dir}${fileName}` : dir, props.overwrite);
          uris.push(uriOf(props)(s.relative(target)));
        }
        return uris;
      });
      return { files };
    },
  });

  const Download = defineTask({
    type: `${prefix}.Download`,
    title: `Download a file from an ${name} server`,
    description: "Streams one remote file into internal storage and outputs its URI and checksum.",
    examples: [
      {
        title: "Download a file",
        code: `id: download\ntype: ${prefix}.Download\n${exampleConnection(protocol)}\nfrom: "/in/file.txt"`,
      },
    ],
    properties: z.object({
      ...connection,
      from: z.string().min(1).describe("The remote path of the file."),
      validateChecksum: z.boolean().default(false).describe("Fail unless the file's checksum is `checksumExpected`."),
      checksumExpected: z.string().optional().describe("The expected checksum (hexadecimal, any case)."),
      checksumAlgorithm: z.enum(CHECKSUM_ALGORITHMS).default("SHA_256").describe("How the checksum is computed."),
    }),
    outputs: z.object({ from: z.string(), to: z.string(), checksum: z.string() }),
    async run(props, ctx) {
      if (props.validateChecksum && !props.checksumExpected)
        throw new NonRetryableError("checksumExpected is required when validateChecksum is true");
      if (props.checksumAlgorithm === "MD5" || props.checksumAlgorithm === "SHA_1")
        ctx.logger.warn("Checksum algorithm {} is weak; prefer SHA_256 or SHA_512", props.checksumAlgorithm);
      const result = await session(props, ctx, async (s) => ({
        ...(await downloadFile(s, ctx.storage, s.resolve(props.from), props.checksumAlgorithm)),
        path: s.relative(s.resolve(props.from)),
      }));
      if (props.validateChecksum && result.checksum.toLowerCase() !== props.checksumExpected!.toLowerCase()) {
        await ctx.storage.delete(result.uri).catch(() => false);
        throw new NonRetryableError(
          `Checksum mismatch for '${result.path}': expected ${props.checksumExpected}, got ${result.checksum} (${props.checksumAlgorithm})`,
        );
      }
      ctx.logger.debug("File '{}' downloaded to '{}'", result.path, result.uri);
      return { from: uriOf(props)(result.path), to: result.uri, checksum: result.checksum };
    },
  });

  const Downloads = defineTask({
    type: `${prefix}.Downloads`,
    title: `Download the files of a directory of an ${name} server`,
    description:
      "Lists a directory (with `regExp` and `recursive`), downloads every file into internal storage, then moves them into `moveDirectory` (`action: MOVE`) or deletes them (`DELETE`).",
    examples: [
      {
        title: "Download the files of a directory and archive them",
        code: `id: downloads\ntype: ${prefix}.Downloads\n${exampleConnection(protocol)}\nfrom: "/in/"\naction: MOVE\nmoveDirectory: "/archive/"`,
      },
    ],
    properties: z.object({
      ...connection,
      from: z.string().min(1).describe("The remote directory."),
      action: z.enum(ACTIONS).optional().describe("What to do with the files once downloaded: MOVE, DELETE or NONE."),
      moveDirectory: z.string().optional().describe("Where `action: MOVE` puts the files."),
      ...listingShape,
    }),
    outputs: z.object({ files: z.array(fileSchema), outputFiles: z.record(z.string(), z.string()) }),
    async run(props, ctx) {
      checkAction(props.action, props.moveDirectory);
      const files = await session(props, ctx, async (s) => {
        const listed = limitFiles(
          await listExisting(s, props.from, { regExp: props.regExp, recursive: props.recursive }),
          props.maxFiles,
          ctx.logger,
        );
        const downloaded: FileOutput[] = [];
        for (const item of listed) {
          const { uri } = await downloadFile(s, ctx.storage, item.serverPath);
          ctx.logger.debug("File '{}' downloaded to '{}'", item.file.path, uri);
          downloaded.push({ ...item.file, path: uri });
        }
        await performAction(s, listed, props.action ?? "NONE", props.moveDirectory, ctx.logger);
        return downloaded;
      });
      return { files, outputFiles: Object.fromEntries(files.map((f) => [f.name, f.path])) };
    },
  });

  const List = defineTask({
    type: `${prefix}.List`,
    title: `List the files of a directory of an ${name} server`,
    description: "Outputs the regular files of a directory (with `regExp`, `recursive`, `sort` and `maxFiles`).",
    examples: [
      {
        title: "List the CSV files of a directory",
        code: `id: list\ntype: ${prefix}.List\n${exampleConnection(protocol)}\nfrom: "/upload/"\nregExp: ".*\\\\.csv"`,
      },
    ],
    properties: z.object({
      ...connection,
      from: z.string().min(1).describe("The remote directory."),
      ...listingShape,
      sort: z.enum(SORTS).default("NONE").describe("The order applied before `maxFiles`."),
    }),
    outputs: z.object({ files: z.array(fileSchema) }),
    async run(props, ctx) {
      const listed = await session(props, ctx, (s) =>
        listExisting(s, props.from, { regExp: props.regExp, recursive: props.recursive }),
      );
      ctx.logger.debug("Found '{}' files from '{}'", listed.length, props.from);
      return { files: limitFiles(sortFiles(listed, props.sort), props.maxFiles, ctx.logger).map((f) => f.file) };
    },
  });

  const Delete = defineTask({
    type: `${prefix}.Delete`,
    title: `Delete a file or a directory of an ${name} server`,
    description:
      "Deletes `uri` (a directory's content too with `recursive`), or, with `regExp`, the files of the directory `uri` whose path matches.",
    examples: [
      {
        title: "Delete a file",
        code: `id: delete\ntype: ${prefix}.Delete\n${exampleConnection(protocol)}\nuri: "/upload/old.csv"`,
      },
    ],
    properties: z.object({
      ...connection,
      uri: z.string().min(1).describe("The remote path to delete."),
      errorOnMissing: z.boolean().default(false).describe("Fail when there is nothing at `uri`."),
      recursive: z.boolean().default(false).describe("Delete a directory with its content."),
      regExp: z.string().optional().describe("Delete the files under the directory `uri` whose whole path matches."),
    }),
    outputs: z.object({ uri: z.string(), deleted: z.boolean(), uris: z.array(z.string()) }),
    async run(props, ctx) {
      const result = await session(props, ctx, (s) => deletePath(s, uriOf(props), ctx.logger, props));
      return { uri: uriOf(props)(props.uri), ...result };
    },
  });

  const Move = defineTask({
    type: `${prefix}.Move`,
    title: `Move a file or a directory on an ${name} server`,
    description:
      "Renames `from` to `to`; a `to` ending with `/` (or naming a directory) keeps the name. Missing directories are created.",
    examples: [
      {
        title: "Archive a file",
        code: `id: move\ntype: ${prefix}.Move\n${exampleConnection(protocol)}\nfrom: "/in/file.txt"\nto: "/archive/"`,
      },
    ],
    properties: z.object({
      ...connection,
      from: z.string().min(1).describe("The remote path to move."),
      to: z.string().min(1).describe("The destination path; ending with `/`, the directory to move into."),
      overwrite: z.boolean().default(false).describe("Replace what is at the destination (`false`: fail)."),
    }),
    outputs: z.object({ from: z.string(), to: z.string() }),
    async run(props, ctx) {
      const moved = await session(props, ctx, (s) => movePath(s, props.from, props.to, props.overwrite, ctx.logger));
      return { from: uriOf(props)(moved.from), to: uriOf(props)(moved.to) };
    },
  });

  const Trigger = defineTrigger({
    type: `${prefix}.Trigger`,
    triggerKind: "polling",
    title: `Start an execution when files arrive on an ${name} server`,
    description:
      "Lists `from` every `interval`; when files match, downloads them into internal storage, applies `action` (MOVE or DELETE, so a file starts exactly one execution) and starts one execution that sees them as `trigger.files`. With `action: NONE`, each file is remembered (path, size, date) in the KV store and fires again only when it changes (`on`).",
    examples: [
      {
        title: "Process each new file once, then archive it",
        code: `id: watch\ntype: ${prefix}.Trigger\n${exampleConnection(protocol)}\nfrom: "/in/"\ninterval: PT10S\naction: MOVE\nmoveDirectory: "/archive/"`,
      },
    ],
    properties: z.object({
      ...connection,
      ...triggerShape,
      ...listingShape,
      interval: duration().prefault("PT60S").describe("Time between two polls."),
      sort: z.enum(SORTS).default("NONE").describe("The order applied before `maxFiles`."),
    }),
    outputs: z.object({ files: z.array(fileSchema.extend({ changeType: z.enum(["CREATE", "UPDATE"]) })) }),
    async evaluate(props, ctx) {
      try {
        return await evaluateTrigger(protocol, props, ctx);
      } catch (error) {
        throw taskErrorOf(error);
      }
    },
  });

  return {
    tasks: [Upload, Uploads, Download, Downloads, List, Delete, Move] as unknown as AnyTaskDefinition[],
    triggers: [Trigger] as unknown as AnyTriggerDefinition[],
  };
}
