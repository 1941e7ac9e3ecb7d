/**
 * Embedded databases kept in one file (SQLite, DuckDB): the database may come from internal
 * storage (`sqliteFile`, `databaseUri`) and go back to it after the run (`outputDbFile`).
 */
import { createWriteStream } from "node:fs";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { NonRetryableError } from "@saker/sdk";
import type { SessionContext } from "./dialect.ts";

const MEMORY = ":memory:";

/** The database path of `jdbc:sqlite:<path>` / `jdbc:duckdb:<path>`; `:memory:` for none. */
export function pathOfUrl(rest: string): string {
  const path = rest.split("?")[0]!.trim();
  return path === "" || path === MEMORY ? MEMORY : path;
}

/** Downloads `uri` into the working directory and returns the local path. */
export async function downloadDatabase(uri: string, ctx: SessionContext, fileName: string): Promise<string> {
  const target = join(await ctx.workingDir(), fileName);
  await pipeline(await ctx.storage.getFile(uri), createWriteStream(target));
  return target;
}

/** Uploads the database file after the run; its `kestra://` URI becomes the `databaseUri` output. */
export async function uploadDatabase(
  path: string,
  ctx: SessionContext,
  fileName: string,
): Promise<{ databaseUri: string }> {
  if (path === MEMORY)
    throw new NonRetryableError("outputDbFile needs a database file: the url points to an in-memory database");
  return { databaseUri: await ctx.storage.putFile(path, fileName) };
}
