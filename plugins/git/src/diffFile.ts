/** The diff files the push and sync tasks store: one ION row per file, as Kestra writes them. */
import type { RunContext } from "@saker/sdk";
import { toIon } from "@saker/sdk/ion";

export async function storeDiff(ctx: RunContext, name: string, rows: readonly object[]): Promise<string> {
  const lines = rows.map((row) => toIon(row));
  for (const line of lines) ctx.logger.debug(line);
  return ctx.storage.putFile(Buffer.from(lines.map((l) => `${l}\n`).join(""), "utf8"), `${name}.ion`);
}
