/**
 * Kestra's `inputFile` of the MySQL and MariaDB tasks: a stored file (`kestra://`) copied to the
 * task's working directory, whose path the SQL reads as `{{ inputFile }}`, typically in
 * `LOAD DATA LOCAL INFILE '{{ inputFile }}'`. The connection then sends that one file when the
 * server asks for it and refuses any other path, so a server can never read the worker's files.
 */
import { createReadStream, createWriteStream } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { NonRetryableError, raw, z, type RunContext } from "@saker/sdk";

export const inputFileShape = {
  inputFile: z
    .string()
    .optional()
    .describe(
      "A stored file (`kestra://` URI) for `LOAD DATA LOCAL INFILE '{{ inputFile }}'`: the SQL sees its local path as `{{ inputFile }}`, and only this file is sent to the server.",
    ),
};

/** `sql` left to the task to render, so that it can see `inputFile`. */
export function inputFileSql(sql: z.ZodString): z.ZodString {
  return raw(
    sql.describe(`${sql.description ?? ""} Rendered with \`{{ inputFile }}\`, the local path of \`inputFile\`.`),
  );
}

export interface InputFileProps {
  sql: string;
  inputFile?: string | undefined;
}

/** The one local file a connection may send for `LOAD DATA LOCAL INFILE`. */
export interface LocalInfile {
  localInfile?: string | undefined;
}

/** Copies `inputFile` next to the task and renders `sql` with its path; the props to run with. */
export async function withInputFile<P extends InputFileProps>(props: P, ctx: RunContext): Promise<P & LocalInfile> {
  if (props.inputFile === undefined) return { ...props, sql: await ctx.render(props.sql) };
  if (!props.inputFile.startsWith("kestra://"))
    throw new NonRetryableError(`inputFile must be a kestra:// URI of a stored file, got '${props.inputFile}'`);
  const path = join(
    await ctx.workingDir(),
    `inputFile-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`,
  );
  await pipeline(await ctx.storage.getFile(props.inputFile), createWriteStream(path, { flags: "wx", mode: 0o600 }));
  return { ...props, sql: await ctx.render(props.sql, { inputFile: path }), localInfile: path };
}

/**
 * mysql2's `infileStreamFactory`: the allowed file for its own path, an error for any other one
 * (the statement then fails with it) and when no file was given.
 */
export function infileStreamFactory(allowed: string | undefined): (path: string) => Readable {
  return (path) => {
    if (allowed !== undefined && path === allowed) return createReadStream(allowed);
    const reason =
      allowed === undefined
        ? `the server asked for the local file '${path}', but the task has no inputFile: give the file as inputFile and load '{{ inputFile }}'`
        : `the server asked for the local file '${path}'; only inputFile ('{{ inputFile }}') may be loaded`;
    return new Readable({
      read() {
        this.destroy(new Error(reason));
      },
    });
  };
}
