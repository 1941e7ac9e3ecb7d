/**
 * Kestra's working-directory contract of the embedded databases' Query and Queries (DuckDB,
 * SQLite): `inputFiles` are written into the task's working directory, the SQL sees
 * `{{ workingDir }}` and `{{ outputFiles.<name> }}` (the path to write each output file to), and
 * the files `outputFiles` names are stored after the run (output `outputFiles`: name → URI).
 * The SQL and the url (`jdbc:sqlite:{{ workingDir }}/db.sqlite`) are rendered here, not by the
 * engine, because those variables exist only once the working directory does.
 */
import { join } from "node:path";
import { anyValue, map, raw, z, type RunContext } from "@saker/sdk";

export const workingFilesShape = {
  inputFiles: map(anyValue())
    .optional()
    .describe(
      "Files written into the working directory before the SQL runs: file name → text, or a `kestra://` URI of a stored file. The SQL reaches them with `{{ workingDir }}/name`.",
    ),
  outputFiles: z
    .array(z.string())
    .optional()
    .describe(
      "Files of the working directory stored after the run, by name or glob; the SQL writes them to `{{ outputFiles.name }}`. Their URIs are output as `outputFiles`. A name matching no file is skipped with a warning.",
    ),
};

export const workingFilesOutputs = {
  outputFiles: z
    .record(z.string(), z.string())
    .optional()
    .describe("With `outputFiles`: each stored file's path in the working directory → its `kestra://` URI."),
};

/** `sql` (and `url`) left to the task to render, so that they can see `workingDir` and `outputFiles`. */
export function rawSql(sql: z.ZodString): z.ZodString {
  return raw(
    sql.describe(
      `${sql.description ?? ""} Rendered with \`{{ workingDir }}\` (the task's working directory) and \`{{ outputFiles.<name> }}\` (where to write each output file).`,
    ),
  );
}

export interface WorkingFilesProps {
  url: string;
  sql: string;
  inputFiles?: Record<string, unknown> | undefined;
  outputFiles?: string[] | undefined;
}

/**
 * Writes the input files, renders `url` and `sql` with the working directory's variables; the
 * props to run with (`workingDir` added).
 */
export async function withWorkingFiles<P extends WorkingFilesProps>(
  props: P,
  ctx: RunContext,
): Promise<P & { workingDir: string }> {
  const dir = await ctx.workingDir();
  if (props.inputFiles && Object.keys(props.inputFiles).length) await ctx.workingFiles.write(props.inputFiles);
  const variables = {
    workingDir: dir,
    outputFiles: Object.fromEntries((props.outputFiles ?? []).map((name) => [name, join(dir, name)])),
  };
  return {
    ...props,
    url: await ctx.render(props.url, variables),
    sql: await ctx.render(props.sql, variables),
    workingDir: dir,
  };
}

const GLOB = /^(glob:|regex:)|[*?[\]{}]/;

/** Stores the output files; a plain name that matched no file is logged as a warning, as Kestra skips it. */
export async function storeOutputFiles(
  patterns: readonly string[] | undefined,
  ctx: RunContext,
): Promise<{ outputFiles?: Record<string, string> }> {
  if (!patterns?.length) return {};
  const stored = await ctx.workingFiles.upload(patterns);
  for (const pattern of patterns) {
    const missing = GLOB.test(pattern) ? !Object.keys(stored).length : !(pattern.replace(/^\/+/, "") in stored);
    if (missing) ctx.logger.warn("outputFiles: no file matches '{}' in the working directory", pattern);
  }
  return { outputFiles: stored };
}
