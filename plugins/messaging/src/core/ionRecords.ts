/**
 * Records written as an Ion file (one value per line, as Kestra's `FileSerde`) in the task's
 * working directory while they arrive, then stored in internal storage: memory stays flat
 * whatever the number or size of the records.
 */
import { createWriteStream, type WriteStream } from "node:fs";
import { once } from "node:events";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import { toIon } from "@saker/sdk/ion";
import type { TaskStorage } from "@saker/sdk";

export interface IonRecordFile {
  /** Appends one record; waits when the disk is slower than the source. */
  write(record: unknown): Promise<void>;
  readonly count: number;
  /** Closes the file, stores it (`name` behind a unique prefix) and returns its `kestra://` URI. */
  store(name?: string): Promise<string>;
  /** Closes and removes the file without storing it (after a failure). */
  discard(): Promise<void>;
}

/** Opens a new Ion file in `workingDir` (from `ctx.workingDir()`), stored through `storage`. */
export async function openIonRecordFile(
  workingDir: () => Promise<string>,
  storage: Pick<TaskStorage, "putFile">,
): Promise<IonRecordFile> {
  const path = join(await workingDir(), `${randomUUID()}.ion`);
  const out: WriteStream = createWriteStream(path);
  let count = 0;
  let failure: Error | undefined;
  out.on("error", (error) => (failure = error));
  const close = async () => {
    if (out.closed) return;
    out.end();
    await once(out, "close");
  };
  return {
    get count() {
      return count;
    },
    async write(record) {
      if (failure) throw failure;
      count++;
      if (!out.write(`${toIon(record)}\n`)) await once(out, "drain");
    },
    async store(name = "messages.ion") {
      await close();
      if (failure) throw failure;
      try {
        return await storage.putFile(path, name);
      } finally {
        await rm(path, { force: true });
      }
    },
    async discard() {
      await close().catch(() => {});
      await rm(path, { force: true });
    },
  };
}
