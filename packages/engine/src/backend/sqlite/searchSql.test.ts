import { isSakerError } from "@saker/sdk";
import { beforeAll, describe, expect, it } from "vitest";
import type { Execution } from "../../model/execution.ts";
import { openDatabase, type SqliteDatabase } from "./database.ts";
import { ExecutionStore } from "./executionStore.ts";
import { FlowStore } from "./flowStore.ts";
import { LogStore } from "./logStore.ts";
import type { SearchFilter, SearchQuery } from "../search.ts";

interface Row {
  id: string;
  namespace: string;
  state: "SUCCESS" | "FAILED" | "RUNNING";
  startDate: string;
  labels: { key: string; value: string }[];
  duration: string;
  revision: number;
}

const ROWS: Row[] = [
  {
    id: "a",
    namespace: "company",
    state: "SUCCESS",
    startDate: "2024-01-01T10:00:00.000Z",
    labels: [{ key: "env", value: "prod" }],
    duration: "PT10S",
    revision: 1,
  },
  {
    id: "b",
    namespace: "company.team",
    state: "FAILED",
    startDate: "2024-01-02T10:00:00.000Z",
    labels: [{ key: "env", value: "dev" }],
    duration: "PT1M",
    revision: 12,
  },
  {
    id: "c",
    namespace: "companyx",
    state: "RUNNING",
    startDate: "2024-01-03T10:00:00.000Z",
    labels: [],
    duration: "PT2S",
    revision: 3,
  },
];

function execution(row: Row): Execution {
  const state = { current: row.state, histories: [], duration: row.duration, startDate: row.startDate };
  return {
    id: row.id,
    namespace: row.namespace,
    flowId: "flow",
    flowRevision: row.revision,
    taskRunList: [],
    labels: row.labels,
    state,
    originalId: row.id,
    deleted: false,
    metadata: { attemptNumber: 1, originalCreatedDate: row.startDate },
  } as unknown as Execution;
}

let db: SqliteDatabase;
let executions: ExecutionStore;

beforeAll(() => {
  db = openDatabase(":memory:");
  executions = new ExecutionStore(db);
  for (const row of ROWS)
    executions.insert({ execution: execution(row), executorState: { dispatched: [] }, finished: true });
  // another tenant's execution is never found
  executions.insert({
    execution: { ...execution({ ...ROWS[0]!, id: "other" }), tenantId: "else" },
    executorState: { dispatched: [] },
    finished: true,
  });
});

const ids = (query: SearchQuery) =>
  executions.searchSummaries("main", { size: 100, ...query }).results.map((x) => x.id);
const where = (...filters: SearchFilter[]) => ids({ filters, sort: ["id:asc"] });

function refusal(run: () => unknown): { code: string; message: string; path: unknown } {
  try {
    run();
  } catch (error) {
    if (!isSakerError(error)) throw error;
    const issues = error.details?.issues as { path: string }[] | undefined;
    return { code: error.code, message: error.message, path: issues?.[0]?.path };
  }
  throw new Error("expected a refusal");
}

describe("search filters in SQL", () => {
  it("PREFIX takes a namespace and its children, not a longer name", () => {
    expect(where({ field: "namespace", op: "PREFIX", values: ["company"] })).toEqual(["a", "b"]);
  });

  it("EQUALS, NOT_EQUALS, IN, NOT_IN", () => {
    expect(where({ field: "namespace", op: "EQUALS", values: ["company"] })).toEqual(["a"]);
    expect(where({ field: "state", op: "NOT_EQUALS", values: ["FAILED"] })).toEqual(["a", "c"]);
    expect(where({ field: "state", op: "IN", values: ["FAILED", "RUNNING"] })).toEqual(["b", "c"]);
    expect(where({ field: "state", op: "NOT_IN", values: ["FAILED", "RUNNING"] })).toEqual(["a"]);
    expect(where({ field: "flowRevision", op: "EQUALS", values: ["12"] })).toEqual(["b"]);
  });

  it("compares dates as instants and numbers as numbers, and combines filters with AND", () => {
    expect(where({ field: "startDate", op: "GREATER_THAN_OR_EQUAL_TO", values: ["2024-01-02T10:00:00Z"] })).toEqual([
      "b",
      "c",
    ]);
    // the same instant written with an offset
    expect(where({ field: "startDate", op: "LESS_THAN", values: ["2024-01-02T12:00:00+02:00"] })).toEqual(["a"]);
    expect(
      where(
        { field: "startDate", op: "LESS_THAN", values: ["2024-01-03T00:00:00Z"] },
        { field: "namespace", op: "PREFIX", values: ["company"] },
      ),
    ).toEqual(["a", "b"]);
    // 12 > 3 as numbers (as text "12" < "3")
    expect(where({ field: "flowRevision", op: "GREATER_THAN", values: ["3"] })).toEqual(["b"]);
  });

  it("matches labels as key:value", () => {
    expect(where({ field: "labels", op: "EQUALS", values: ["env:prod"] })).toEqual(["a"]);
    expect(where({ field: "labels", op: "NOT_EQUALS", values: ["env:prod"] })).toEqual(["b", "c"]);
    expect(where({ field: "labels", op: "CONTAINS", values: ["ENV:D"] })).toEqual(["b"]);
  });

  it("STARTS_WITH and ENDS_WITH are case-sensitive and take wildcards literally; CONTAINS, REGEX and q", () => {
    expect(where({ field: "namespace", op: "STARTS_WITH", values: ["companyx"] })).toEqual(["c"]);
    expect(where({ field: "namespace", op: "STARTS_WITH", values: ["COMPANY"] })).toEqual([]);
    expect(where({ field: "namespace", op: "STARTS_WITH", values: ["compan*"] })).toEqual([]);
    expect(where({ field: "namespace", op: "ENDS_WITH", values: [".team"] })).toEqual(["b"]);
    expect(where({ field: "namespace", op: "CONTAINS", values: ["TEAM"] })).toEqual(["b"]);
    expect(where({ field: "id", op: "REGEX", values: ["^[ab]$"] })).toEqual(["a", "b"]);
    expect(where({ field: "q", op: "EQUALS", values: ["x"] })).toEqual(["c"]);
    expect(where({ field: "q", op: "EQUALS", values: ["env:pr"] })).toEqual(["a"]);
  });

  it("binds values: SQL in a value is text to match, not SQL to run", () => {
    expect(where({ field: "id", op: "EQUALS", values: ["a' OR '1'='1"] })).toEqual([]);
    expect(where({ field: "namespace", op: "CONTAINS", values: ["%"] })).toEqual([]);
    expect(executions.searchSummaries("main", { size: 10 }).total).toBe(3);
  });

  it("a missing value matches the negative operations only", () => {
    expect(where({ field: "parentId", op: "NOT_EQUALS", values: ["x"] })).toEqual(["a", "b", "c"]);
    expect(where({ field: "parentId", op: "EQUALS", values: ["x"] })).toEqual([]);
  });

  it("filters on timeRange from now", () => {
    const query = { filters: [{ field: "timeRange", op: "EQUALS" as const, values: ["P2D"] }], sort: ["id:asc"] };
    // compiled against the real clock: the rows are years old
    expect(ids(query)).toEqual([]);
    expect(
      refusal(() => ids({ filters: [{ field: "timeRange", op: "EQUALS", values: ["yesterday"] }] })),
    ).toMatchObject({
      code: "SEARCH_INVALID",
      path: "filters[timeRange]",
    });
  });
});

describe("search sort and pages in SQL", () => {
  it("sorts newest first by default, by several keys, durations by length", () => {
    expect(ids({})).toEqual(["c", "b", "a"]);
    expect(ids({ sort: ["duration:desc"] })).toEqual(["b", "a", "c"]);
    expect(ids({ sort: ["state:asc"] })).toEqual(["b", "c", "a"]);
    expect(ids({ sort: [{ field: "flowRevision", desc: true }] })).toEqual(["b", "c", "a"]);
    expect(ids({ sort: ["namespace:asc,id:desc"] })).toEqual(["a", "b", "c"]);
  });

  it("pages from 1 and counts the total of every page", () => {
    const second = executions.searchSummaries("main", { sort: ["id:asc"], page: 2, size: 2 });
    expect(second).toMatchObject({ total: 3 });
    expect(second.results.map((x) => x.id)).toEqual(["c"]);
    expect(executions.searchSummaries("main", { page: 3, size: 2 })).toEqual({ results: [], total: 3 });
    expect(
      executions.searchSummaries("main", { filters: [{ field: "state", op: "EQUALS", values: ["FAILED"] }], size: 1 })
        .total,
    ).toBe(1);
    expect(executions.searchIds("main", { sort: ["id:desc"] })).toEqual(["c", "b", "a"]);
  });

  it("refuses an unknown sort field or direction, a bad page or size, with SEARCH_INVALID", () => {
    expect(refusal(() => ids({ sort: ["nope:asc"] }))).toMatchObject({
      code: "SEARCH_INVALID",
      path: "sort",
      message: expect.stringMatching(/^Invalid sort field 'nope'; expected one of id, namespace/),
    });
    // labels are a list: not a sort key
    expect(refusal(() => ids({ sort: ["labels:asc"] })).code).toBe("SEARCH_INVALID");
    expect(refusal(() => ids({ sort: [{ field: "id; DROP TABLE executions", desc: false }] })).path).toBe("sort");
    expect(refusal(() => ids({ sort: ["id:up"] })).message).toMatch(/Invalid sort direction 'up'/);
    expect(refusal(() => executions.searchSummaries("main", { page: 0 }))).toMatchObject({ path: "page" });
    expect(refusal(() => executions.searchSummaries("main", { size: 10_001 }))).toMatchObject({
      path: "size",
      message: "Invalid page size 10001: expected 1 to 10000",
    });
  });

  it("refuses unknown fields, operations, empty values and bad patterns", () => {
    expect(refusal(() => where({ field: "nope", op: "EQUALS", values: ["x"] }))).toMatchObject({
      code: "SEARCH_INVALID",
      path: "filters[nope]",
      message: expect.stringMatching(/^Unknown filter field 'nope'; expected one of id, namespace/),
    });
    expect(refusal(() => where({ field: "state", op: "LIKE" as "EQUALS", values: ["x"] })).message).toMatch(
      /Invalid filter operation 'LIKE'/,
    );
    expect(refusal(() => where({ field: "state", op: "EQUALS", values: [] })).message).toBe(
      "Filter 'state' has no value",
    );
    expect(refusal(() => where({ field: "id", op: "REGEX", values: ["(a"] })).message).toMatch(/^Invalid REGEX filter/);
    expect(refusal(() => where({ field: "labels", op: "EQUALS", values: ["novalue"] })).message).toMatch(
      /Invalid label 'novalue'/,
    );
  });
});

describe("flow and log searches in SQL", () => {
  it("search the latest revision of each flow, not the deleted ones", () => {
    const flows = new FlowStore(db);
    const source = (id: string, namespace: string, labels = "") =>
      `id: ${id}\nnamespace: ${namespace}\n${labels}tasks: []\n`;
    flows.save("main", "company", "one", source("one", "company"), false, []);
    flows.save("main", "company", "one", `${source("one", "company")}# v2\n`, false, [{ key: "team", value: "a" }]);
    flows.save("main", "company.team", "two", source("two", "company.team"), true, []);
    flows.save("main", "company", "gone", source("gone", "company"), false, []);
    flows.delete("main", "company", "gone");
    const page = flows.searchSummaries("main", { size: 10 });
    expect(page.results.map((f) => `${f.namespace}/${f.id}@${f.revision}`)).toEqual([
      "company/one@2",
      "company.team/two@1",
    ]);
    expect(page.total).toBe(2);
    const found = (query: SearchQuery) => flows.searchSummaries("main", query).results.map((f) => f.id);
    expect(found({ filters: [{ field: "labels", op: "EQUALS", values: ["team:a"] }] })).toEqual(["one"]);
    expect(found({ filters: [{ field: "disabled", op: "EQUALS", values: ["true"] }] })).toEqual(["two"]);
    expect(found({ sort: ["id:desc"], size: 1 })).toEqual(["two"]);
    expect(found({ sort: ["revision:desc"] })).toEqual(["one", "two"]);
    flows.save("main", "old.ns", "left", source("left", "old.ns"), false, []);
    expect(flows.latestNamespaces("main")).toEqual(["company", "company.team", "old.ns"]);
    flows.delete("main", "old.ns", "left");
    expect(flows.latestNamespaces("main")).toEqual(["company", "company.team"]);
  });

  it("search logs newest first within the store's scope", () => {
    const logs = new LogStore(db);
    const entry = (n: number, level: "INFO" | "ERROR", message: string) => ({
      namespace: "company",
      flowId: "flow",
      executionId: "a",
      taskId: "t",
      level,
      message,
      timestamp: `2024-01-01T00:00:0${n}.000Z`,
    });
    logs.append([entry(1, "INFO", "hello"), entry(2, "ERROR", "broken"), entry(3, "INFO", "Hello again")]);
    const messages = (query: SearchQuery, minLevel?: "ERROR") =>
      logs.search({ tenantId: "main", ...(minLevel ? { minLevel } : {}) }, query).results.map((l) => l.message);
    expect(messages({ size: 2 })).toEqual(["Hello again", "broken"]);
    expect(messages({ filters: [{ field: "q", op: "EQUALS", values: ["HELLO"] }] })).toEqual(["Hello again", "hello"]);
    expect(messages({ sort: ["timestamp:asc"] })).toEqual(["hello", "broken", "Hello again"]);
    expect(messages({}, "ERROR")).toEqual(["broken"]);
    expect(logs.search({ tenantId: "main" }, { page: 2, size: 2 }).total).toBe(3);
  });
});
