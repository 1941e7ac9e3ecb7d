/**
 * A full disk (ENOSPC, a quota, SQLite's SQLITE_FULL) is a condition of the machine, not a bug:
 * writes fail with a `DiskFullError` that says so and names the folder, and the loops that hit
 * it wait for space instead of dying.
 */
import { SakerError } from "@saker/sdk";

const CODES = new Set(["ENOSPC", "EDQUOT", "SQLITE_FULL"]);

/** The disk (or quota) holding `folder` is full. HTTP answers 507 Insufficient Storage. */
export class DiskFullError extends SakerError {
  static override readonly kind: string = "DiskFullError";
  constructor(folder: string, doing: string, cause?: unknown) {
    super(
      "DISK_FULL",
      `The disk is full: no space left in the data folder '${folder}' (${doing}); free some space there and try again`,
      {
        cause,
        details: { folder },
      },
    );
  }
}

/** True for a disk-full failure from the file system, SQLite, or one already translated. */
export function isDiskFull(error: unknown): boolean {
  if (error instanceof DiskFullError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && CODES.has(code);
}

/** `error` as a `DiskFullError` naming `folder` when it is a disk-full failure, else as it is. */
export function asDiskFull(error: unknown, folder: string, doing?: string): unknown {
  if (!isDiskFull(error) || error instanceof DiskFullError) return error;
  const what =
    doing ?? ((error as { code?: unknown }).code === "SQLITE_FULL" ? "writing to the database" : "writing a file");
  return new DiskFullError(folder, what, error);
}
