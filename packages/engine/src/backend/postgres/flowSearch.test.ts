/**
 * The flow search on PostgreSQL (the shared search compiled in PostgreSQL's dialect) gives the
 * SQLite store's answers, and refuses what it refuses, for the same rows.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isSakerError } from "@saker/sdk";
import { serviceAvailable } from "../../testing/services.ts";
import { openDatabase } from "../sqlite/database.ts";
import { FlowStore } from "../sqlite/flowStore.ts";
import type { SearchFilter, SearchQuery } from "../search.ts";
import { PostgresBackend } from "./postgresBackend.ts";
import { createTestDatabase, type TestDatabase } from "./testDatabase.ts";

const up = await serviceAvailable("PostgreSQL", "127.0.0.1", 5432);

const db = openDatabase(":memory:");
const store = new FlowStore(db);

const flows: [string, string, { key: string; value: string }[], boolean][] = [
  ["company", "alpha", [{ key: "env", value: "prod" }], false],
  ["company.team", "beta", [{ key: "env", value: "dev" }], true],
  ["company.team", "Gamma", [], false],
  ["company.team.sub", "delta", [{ key: "owner", value: "a:b" }], false],
  ["companyx", "epsilon", [], false],
  ["other", "zeta", [{ key: "env", value: "prod" }], false],
];
for (const [namespace, id, labels, disabled] of flows) store.save("main", namespace, id, `id: ${id}`, disabled, labels);
// a second revision, and a deleted flow that no search shows
store.save("main", "company", "alpha", "id: alpha\n# v2", false, [{ key: "env", value: "prod" }]);
store.save("main", "other", "removed", "id: removed", false);
store.delete("main", "other", "removed");

const f = (field: string, op: string, ...values: string[]) => ({ field, op, values }) as SearchFilter;

const queries: SearchQuery[] = [
  {},
  { sort: ["id:desc"] },
  { sort: ["revision:desc", "namespace:asc"] },
  { sort: [{ field: "updated", desc: true }], page: 2, size: 2 },
  { filters: [f("namespace", "PREFIX", "company")] },
  { filters: [f("namespace", "PREFIX", "company.")] },
  { filters: [f("namespace", "EQUALS", "company.team")] },
  { filters: [f("namespace", "NOT_IN", "company", "other")] },
  { filters: [f("id", "STARTS_WITH", "Ga")] },
  { filters: [f("id", "STARTS_WITH", "ga")] },
  { filters: [f("flowId", "ENDS_WITH", "ta")] },
  { filters: [f("id", "CONTAINS", "GAM")] },
  { filters: [f("id", "REGEX", "^[a-d]")] },
  { filters: [f("revision", "GREATER_THAN", "1")] },
  { filters: [f("revision", "EQUALS", "two")] },
  { filters: [f("revision", "LESS_THAN_OR_EQUAL_TO", "1")], sort: ["id:asc"] },
  { filters: [f("disabled", "EQUALS", "true")] },
  { filters: [f("updated", "GREATER_THAN", "2000-01-01")] },
  { filters: [f("updated", "LESS_THAN", "2000-01-01T00:00:00Z")] },
  { filters: [f("labels", "EQUALS", "env:prod")] },
  { filters: [f("labels", "NOT_EQUALS", "env:prod")] },
  { filters: [f("labels", "IN", "env:dev", "owner:a:b")] },
  { filters: [f("labels", "CONTAINS", "PRO")] },
  { filters: [f("q", "EQUALS", "team")] },
  { filters: [f("query", "EQUALS", "env:d")] },
  { filters: [f("scope", "EQUALS", "USER")] },
  { filters: [f("scope", "EQUALS", "SYSTEM")] },
  { filters: [f("scope", "NOT_EQUALS", "SYSTEM")] },
  { filters: [f("namespace", "PREFIX", "company"), f("labels", "EQUALS", "env:prod")], size: 1 },
  { page: 9, size: 5 },
];

const bad: SearchQuery[] = [
  { filters: [f("colour", "EQUALS", "red")] },
  { filters: [f("id", "LIKE", "a")] },
  { filters: [f("id", "EQUALS")] },
  { filters: [f("id", "REGEX", "(")] },
  { filters: [f("labels", "EQUALS", "nocolon")] },
  { sort: ["colour:asc"] },
  { sort: ["id:sideways"] },
  { page: 0 },
  { size: 100_000 },
];

async function failure(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (e) {
    return isSakerError(e) ? { code: e.code, message: e.message } : e;
  }
  return undefined;
}

describe.skipIf(!up)("flow search on PostgreSQL", () => {
  let database: TestDatabase;
  let backend: PostgresBackend;

  beforeAll(async () => {
    database = await createTestDatabase();
    backend = await PostgresBackend.open({ url: database.url });
    // the same rows, revisions, dates and deletions as the SQLite store holds
    const rows = db.prepare("SELECT * FROM flows ORDER BY rowid").all() as Record<string, string | number>[];
    for (const r of rows)
      await backend.pool.query(
        "INSERT INTO flows (tenant_id, namespace, id, revision, deleted, disabled, updated, labels, source) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        [r.tenant_id, r.namespace, r.id, r.revision, r.deleted === 1, r.disabled === 1, r.updated, r.labels, r.source],
      );
  });
  afterAll(async () => {
    db.close();
    await backend?.close();
    await database?.drop();
  });

  it("answers every search as the SQLite store does", async () => {
    for (const query of queries)
      expect(await backend.flows.search("main", query), JSON.stringify(query)).toEqual(
        store.searchSummaries("main", query),
      );
  });

  it("refuses what SQLite refuses, with the same SEARCH_INVALID message", async () => {
    for (const query of bad) {
      const expected = await failure(() => store.searchSummaries("main", query));
      expect(expected, JSON.stringify(query)).toMatchObject({ code: "SEARCH_INVALID" });
      expect(await failure(() => backend.flows.search("main", query)), JSON.stringify(query)).toEqual(expected);
    }
  });
});
