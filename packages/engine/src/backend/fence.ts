/**
 * The fences of an executor's commit on a shared database (PostgreSQL, several executors). A
 * commit fails as a whole with one of these codes (SQLSTATE, raised by the database inside the
 * commit's own statements, see backend/postgres/writeBatch.ts) when:
 *
 * - `CLAIMS_LOST`: a message it acknowledges is no longer claimed by this process (it was declared
 *   dead and its claims went to another): the step is dropped, the other process handles them;
 * - `WRITTEN_MEANWHILE`: the execution is no longer at the revision the step started from (another
 *   process wrote it): the step is redone from the database, its messages still this process's.
 */
export const CLAIMS_LOST = "SK001";
export const WRITTEN_MEANWHILE = "SK002";

export type FenceFailure = "claims-lost" | "written-meanwhile";

/** Which fence an error (or an error it wraps, `cause`) is the failure of, if any. */
export function fenceFailure(error: unknown): FenceFailure | undefined {
  for (let e = error, depth = 0; e && typeof e === "object" && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (code === CLAIMS_LOST) return "claims-lost";
    if (code === WRITTEN_MEANWHILE) return "written-meanwhile";
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}
