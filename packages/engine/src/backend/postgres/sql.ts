/** Small helpers shared by the PostgreSQL repositories. */
import type pg from "pg";
import { likeBelowNamespace } from "../like.ts";

/** A batchable write (see `writeBatch.ts`): a statement whose parameters are all arrays of rows. */
export interface ArrayWrite {
  text: string;
  /** Every parameter an array, all of the same length. */
  values: unknown[][];
  /**
   * A fenced write (its text ends with `RETURNING 1`): it must return this many rows, else the
   * statement fails with SQLSTATE `code` (`saker_fence`, see backend/fence.ts). Writes of the same
   * text merge their counts (a batch never writes a row twice).
   */
  expect?: { rows: number; code: string };
}

/** What a repository queries through: the pool outside a transaction, the transaction's client inside. */
export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
  /** A transaction's: holds batchable writes back until its next query or its commit (see `writeBatch.ts`). */
  defer?(writes: readonly ArrayWrite[], keys: readonly string[]): Promise<void>;
}

/**
 * Runs `fn` atomically: inside the transaction when there is one, else in a transaction of its
 * own (a write of several statements outside a transaction is all or nothing, as on SQLite).
 */
export type Atomic = <T>(fn: (db: Queryable) => Promise<T>) => Promise<T>;

/** A schema name the backend accepts: a plain SQL identifier (no quoting games in `search_path`). */
export const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A BIGINT as pg returns it (a string) as a number: epoch ms and sequence numbers fit. */
export function int(value: string | number | null): number {
  return Number(value);
}

/** SQL condition on a `namespace` column: this namespace or one below it, parameters from `$n`. */
export function withinNamespace(n: number): string {
  return `(namespace = $${n} OR namespace LIKE $${n + 1} ESCAPE '\\')`;
}
export function withinNamespaceParams(namespace: string): [string, string] {
  return [namespace, likeBelowNamespace(namespace)];
}
