/**
 * The read model's contract: the same data written through `Backend`, the same assertions, on
 * SQLite and on a fresh PostgreSQL database.
 */
import type { Metric } from "@saker/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serviceAvailable } from "../testing/services.ts";
import type { LogEntry, WorkerJob } from "../executor/types.ts";
import type { Execution } from "../model/execution.ts";
import { MetricsApi } from "../api/metrics.ts";
import type { Instance } from "../runtime/instance.ts";
import type { Backend } from "./backend.ts";
import { PostgresBackend } from "./postgres/postgresBackend.ts";
import { createTestDatabase, type TestDatabase } from "./postgres/testDatabase.ts";
import { openDatabase } from "./sqlite/database.ts";
import { LogTupleReader } from "./logTupleReader.ts";
import { EXECUTION_COLUMNS } from "./sqlite/executionStore.ts";
import { LOG_COLUMNS } from "./searchColumns.ts";
import { FILTER_OPS, sortableFields, type SearchFilter, type SearchQuery } from "./search.ts";
import { SqliteBackend, sqliteStores } from "./sqlite/sqliteBackend.ts";

const postgresUp = await serviceAvailable("PostgreSQL", "127.0.0.1", 5432);

interface ExecutionSeed {
  id: string;
  tenantId?: string;
  namespace: string;
  flowId: string;
  state: string;
  start: string;
  end?: string;
  duration?: string;
  labels?: { key: string; value: string }[];
  parentId?: string;
}

function execution(s: ExecutionSeed): Execution {
  return {
    id: s.id,
    ...(s.tenantId ? { tenantId: s.tenantId } : {}),
    namespace: s.namespace,
    flowId: s.flowId,
    flowRevision: 1,
    state: {
      current: s.state,
      histories: [],
      startDate: s.start,
      ...(s.end ? { endDate: s.end } : {}),
      ...(s.duration ? { duration: s.duration } : {}),
    },
    labels: s.labels ?? [],
    ...(s.parentId ? { parentId: s.parentId } : {}),
    inputs: {},
    outputs: { big: "output" },
    taskRunList: [
      {
        id: `${s.id}-r`,
        executionId: s.id,
        namespace: s.namespace,
        flowId: s.flowId,
        taskId: "t1",
        state: { current: "SUCCESS", histories: [] },
        attempts: [],
        outputs: { n: 1 },
      },
    ],
  } as unknown as Execution;
}

const EXECUTIONS: ExecutionSeed[] = [
  {
    id: "e1",
    namespace: "company",
    flowId: "a",
    state: "SUCCESS",
    start: "2026-01-01T10:00:00.000Z",
    end: "2026-01-01T10:00:02.000Z",
    duration: "PT2S",
    labels: [{ key: "env", value: "prod" }],
  },
  {
    id: "e2",
    namespace: "company.team",
    flowId: "b",
    state: "FAILED",
    start: "2026-01-02T10:00:00.000Z",
    end: "2026-01-02T10:00:05.000Z",
    duration: "PT5S",
    labels: [{ key: "env", value: "dev" }],
  },
  { id: "e3", namespace: "companyx", flowId: "a", state: "RUNNING", start: "2026-01-03T10:00:00.000Z", parentId: "e1" },
  {
    id: "e4",
    namespace: "company.team",
    flowId: "b",
    state: "SUCCESS",
    start: "2026-01-02T12:00:00.000Z",
    end: "2026-01-02T12:00:01.000Z",
    duration: "PT1S",
  },
  {
    id: "o1",
    tenantId: "other",
    namespace: "company",
    flowId: "a",
    state: "SUCCESS",
    start: "2026-01-01T11:00:00.000Z",
    end: "2026-01-01T11:00:01.000Z",
  },
];

const LOGS: LogEntry[] = [
  {
    namespace: "company",
    flowId: "a",
    executionId: "e1",
    taskId: "t1",
    taskRunId: "e1-r",
    attemptNumber: 0,
    level: "INFO",
    message: "hello world",
    timestamp: "2026-01-01T10:00:00.500Z",
  },
  {
    namespace: "company",
    flowId: "a",
    executionId: "e1",
    taskId: "t2",
    level: "ERROR",
    message: "Boom",
    timestamp: "2026-01-01T10:00:01.000Z",
    thread: "main",
  },
  {
    namespace: "company.team",
    flowId: "b",
    executionId: "e2",
    taskId: "t1",
    attemptNumber: 1,
    level: "WARN",
    message: "careful",
    timestamp: "2026-01-02T10:00:01.000Z",
  },
  {
    namespace: "company",
    flowId: "a",
    triggerId: "sched",
    level: "DEBUG",
    message: "tick",
    timestamp: "2026-01-03T00:00:00.000Z",
  },
];

const job = (taskId: string): WorkerJob =>
  ({
    executionId: "e1",
    taskRunId: `e1-${taskId}`,
    attempt: 0,
    flow: { id: "a", namespace: "company", revision: 1 },
    task: { id: taskId, type: "io.kestra.plugin.core.log.Log" },
    variables: {},
    pluginVersion: "core@1",
  }) as unknown as WorkerJob;

async function seed(backend: Backend): Promise<void> {
  for (const s of EXECUTIONS)
    await backend.executions.insert({
      execution: execution(s),
      executorState: {} as never,
      finished: s.end !== undefined,
      ...(s.parentId ? { parentExecutionId: s.parentId } : {}),
    });
  await backend.logs.append(LOGS);
  const metrics: Metric[] = [
    { name: "count", type: "counter", value: 3 },
    { name: "time", type: "timer", value: 1.5, tags: { k: "v" } },
  ] as Metric[];
  await backend.metrics.append(job("t1"), metrics);
  await backend.metrics.append(job("t2"), [{ name: "count", type: "counter", value: 4 }] as Metric[]);
}

interface Opened {
  backend: Backend;
  close(): Promise<void>;
}

async function openSqlite(): Promise<Opened> {
  const backend = new SqliteBackend(sqliteStores(openDatabase(":memory:")));
  return { backend, close: () => backend.close() };
}

async function openPostgres(): Promise<Opened> {
  const database: TestDatabase = await createTestDatabase();
  const backend = await PostgresBackend.open({ url: database.url });
  return {
    backend,
    close: async () => {
      await backend.close();
      await database.drop();
    },
  };
}

const filter = (field: string, op: SearchFilter["op"], ...values: string[]): SearchFilter => ({ field, op, values });

describe.each([
  { name: "SQLite", open: openSqlite, skip: false },
  { name: "PostgreSQL", open: openPostgres, skip: !postgresUp },
])("ReadModel on $name", ({ open, skip }) => {
  let opened: Opened;
  let backend: Backend;
  beforeAll(async () => {
    if (skip) return;
    opened = await open();
    backend = opened.backend;
    await seed(backend);
  });
  afterAll(async () => {
    await opened?.close();
  });

  const ids = async (query: SearchQuery) =>
    (await backend.reads.executions.searchSummaries("main", query)).results.map((x) => x.id);

  it.skipIf(skip)("searches executions by namespace prefix, flow, states, dates, labels, parent and text", async () => {
    expect(await ids({})).toEqual(["e3", "e4", "e2", "e1"]);
    expect(await ids({ filters: [filter("namespace", "PREFIX", "company")] })).toEqual(["e4", "e2", "e1"]);
    expect(await ids({ filters: [filter("namespace", "STARTS_WITH", "company.")] })).toEqual(["e4", "e2"]);
    expect(await ids({ filters: [filter("namespace", "ENDS_WITH", "x")] })).toEqual(["e3"]);
    expect(await ids({ filters: [filter("flowId", "EQUALS", "b")] })).toEqual(["e4", "e2"]);
    expect(await ids({ filters: [filter("state", "IN", "SUCCESS", "FAILED")] })).toEqual(["e4", "e2", "e1"]);
    expect(await ids({ filters: [filter("state", "NOT_IN", "SUCCESS")] })).toEqual(["e3", "e2"]);
    expect(
      await ids({ filters: [filter("startDate", "GREATER_THAN_OR_EQUAL_TO", "2026-01-02T00:00:00.000Z")] }),
    ).toEqual(["e3", "e4", "e2"]);
    expect(await ids({ filters: [filter("startDate", "LESS_THAN", "2026-01-02T11:00:00+00:00")] })).toEqual([
      "e2",
      "e1",
    ]);
    expect(await ids({ filters: [filter("endDate", "GREATER_THAN", "2026-01-02T00:00:00Z")] })).toEqual(["e4", "e2"]);
    expect(await ids({ filters: [filter("labels", "EQUALS", "env:prod")] })).toEqual(["e1"]);
    expect(await ids({ filters: [filter("labels", "NOT_EQUALS", "env:prod")] })).toEqual(["e3", "e4", "e2"]);
    expect(await ids({ filters: [filter("labels", "CONTAINS", "ENV:D")] })).toEqual(["e2"]);
    expect(await ids({ filters: [filter("parentId", "EQUALS", "e1")] })).toEqual(["e3"]);
    expect(await ids({ filters: [filter("q", "CONTAINS", "TEAM")] })).toEqual(["e4", "e2"]);
    expect(await ids({ filters: [filter("id", "REGEX", "^e[12]$")] })).toEqual(["e2", "e1"]);
    expect(await ids({ filters: [filter("flowRevision", "EQUALS", "1")] })).toHaveLength(4);
    expect(await ids({ filters: [filter("flowRevision", "EQUALS", "abc")] })).toEqual([]);
    expect(await ids({ filters: [filter("flowRevision", "STARTS_WITH", "1")] })).toHaveLength(4);
    expect(await ids({ filters: [filter("duration", "GREATER_THAN", "PT1S")] })).toEqual(["e2", "e1"]);
  });

  it.skipIf(skip)("sorts by bytes with NULLs first ascending, durations by length, and pages with totals", async () => {
    expect(await ids({ sort: ["namespace:asc", "startDate:desc"] })).toEqual(["e1", "e4", "e2", "e3"]);
    expect(await ids({ sort: [{ field: "duration", desc: true }] })).toEqual(["e2", "e1", "e4", "e3"]);
    expect(await ids({ sort: ["endDate:asc"] })).toEqual(["e3", "e1", "e2", "e4"]);
    expect(await ids({ sort: ["endDate:desc"] })).toEqual(["e4", "e2", "e1", "e3"]);
    const page = await backend.reads.executions.searchSummaries("main", { page: 2, size: 3 });
    expect(page.total).toBe(4);
    expect(page.results.map((x) => x.id)).toEqual(["e1"]);
    // summaries: no outputs, of the execution or its runs
    expect(page.results[0]).not.toHaveProperty("outputs");
    expect(page.results[0]!.taskRunList[0]).not.toHaveProperty("outputs");
    expect(page.results[0]!.taskRunList[0]!.taskId).toBe("t1");
    expect(await backend.reads.executions.searchSummaries("main", { page: 5, size: 3 })).toEqual({
      results: [],
      total: 4,
    });
    expect(
      await backend.reads.executions.searchIds("main", {
        filters: [filter("flowId", "EQUALS", "a")],
        sort: ["id:asc"],
      }),
    ).toEqual(["e1", "e3"]);
  });

  it.skipIf(skip)("takes every field with every operation, and sorts on every sortable field", async () => {
    const value = (op: string) => (op.includes("THAN") ? "2026-01-02T00:00:00Z" : op === "REGEX" ? "^e" : "e1");
    for (const field of [...Object.keys(EXECUTION_COLUMNS.fields), "labels", "q"]) {
      for (const op of FILTER_OPS) {
        if (field === "labels" && !["EQUALS", "NOT_EQUALS", "CONTAINS", "IN", "NOT_IN"].includes(op)) continue;
        const v = field === "labels" && op !== "CONTAINS" ? "env:prod" : value(op);
        await expect(
          backend.reads.executions.searchSummaries("main", { filters: [filter(field, op, v)] }),
          `${field} ${op}`,
        ).resolves.toHaveProperty("total");
      }
    }
    for (const field of sortableFields(EXECUTION_COLUMNS))
      for (const dir of ["asc", "desc"])
        expect(await ids({ sort: [`${field}:${dir}`] }), `${field}:${dir}`).toHaveLength(4);
    for (const field of sortableFields(LOG_COLUMNS))
      expect((await backend.reads.logs.search({ tenantId: "main" }, { sort: [`${field}:asc`] })).total).toBe(4);
  });

  it.skipIf(skip)("refuses an unknown sort field or filter, a bad page or size, a bad pattern", async () => {
    const search = (query: SearchQuery) => backend.reads.executions.searchSummaries("main", query);
    await expect(search({ sort: ["bogus:asc"] })).rejects.toMatchObject({ code: "SEARCH_INVALID" });
    await expect(search({ sort: ["id:sideways"] })).rejects.toMatchObject({ code: "SEARCH_INVALID" });
    await expect(search({ page: 0 })).rejects.toMatchObject({ code: "SEARCH_INVALID" });
    await expect(search({ page: -1 })).rejects.toMatchObject({ code: "SEARCH_INVALID" });
    await expect(search({ size: 1_000_000 })).rejects.toMatchObject({ code: "SEARCH_INVALID" });
    await expect(search({ filters: [filter("nope", "EQUALS", "x")] })).rejects.toMatchObject({
      code: "SEARCH_INVALID",
    });
    await expect(search({ filters: [filter("id", "REGEX", "(")] })).rejects.toMatchObject({ code: "SEARCH_INVALID" });
    await expect(backend.reads.logs.search({ tenantId: "main" }, { sort: ["message:asc"] })).rejects.toMatchObject({
      code: "SEARCH_INVALID",
    });
  });

  it.skipIf(skip)("reads an execution's text as stored, and the flows that have executions", async () => {
    const text = await backend.reads.executions.text("e1");
    expect(JSON.parse(text!.json)).toEqual(execution(EXECUTIONS[0]!));
    expect(text!.summary).not.toHaveProperty("outputs");
    expect(text!.summary.taskRunList).toHaveLength(1);
    expect(await backend.reads.executions.jsonText("e2")).toEqual({
      json: JSON.stringify(execution(EXECUTIONS[1]!)),
      deleted: false,
    });
    expect(await backend.reads.executions.text("nope")).toBeUndefined();
    expect(await backend.reads.executions.jsonText("nope")).toBeUndefined();
    expect(await backend.reads.executions.executedFlows("main")).toEqual([
      { namespace: "company", flowId: "a" },
      { namespace: "company.team", flowId: "b" },
      { namespace: "companyx", flowId: "a" },
    ]);
  });

  it.skipIf(skip)("searches logs by level, dates, task and text, sorted and paged", async () => {
    const messages = async (base: object, query: SearchQuery = {}) =>
      (await backend.reads.logs.search({ tenantId: "main", ...base }, query)).results.map((l) => l.message);
    expect(await messages({})).toEqual(["tick", "careful", "Boom", "hello world"]);
    expect(await messages({ minLevel: "WARN" })).toEqual(["careful", "Boom"]);
    expect(await messages({ startDate: "2026-01-01T10:00:01.000Z", endDate: "2026-01-02T10:00:01.000Z" })).toEqual([
      "careful",
      "Boom",
    ]);
    expect(await messages({}, { filters: [filter("taskId", "EQUALS", "t1")] })).toEqual(["careful", "hello world"]);
    expect(await messages({}, { filters: [filter("q", "CONTAINS", "BOOM")] })).toEqual(["Boom"]);
    expect(await messages({}, { filters: [filter("namespace", "PREFIX", "company.team")] })).toEqual(["careful"]);
    expect(await messages({}, { filters: [filter("triggerId", "EQUALS", "sched")] })).toEqual(["tick"]);
    expect(await messages({}, { sort: ["level:asc"] })).toEqual(["tick", "Boom", "hello world", "careful"]);
    expect(await messages({}, { sort: ["taskId:asc"] })).toEqual(["tick", "hello world", "careful", "Boom"]);
    const page = await backend.reads.logs.search({ tenantId: "main" }, { sort: ["timestamp:asc"], page: 2, size: 3 });
    expect(page.total).toBe(4);
    expect(page.results).toEqual([{ seq: 4, ...LOGS[3] }]);
  });

  it.skipIf(skip)("gives an execution's logs a page at a time, as tuples", async () => {
    const reader = new LogTupleReader();
    const pages: string[][] = [];
    for await (const page of backend.reads.logs.pages({ executionId: "e1" }, 1))
      pages.push(page.map((t) => reader.json(t, t[2])));
    // the stored lines as they were given (the same keys, in the same order)
    expect(pages).toEqual([[JSON.stringify(LOGS[0])], [JSON.stringify(LOGS[1])]]);
    const after: number[] = [];
    for await (const page of backend.reads.logs.pages({ tenantId: "main", afterSeq: 1, minLevel: "WARN" }))
      after.push(...page.map((t) => t[0]));
    expect(after).toEqual([2, 3]);
    const attempts: string[] = [];
    for await (const page of backend.reads.logs.pages({ attemptNumber: 1 }))
      attempts.push(...page.map((t) => reader.log(t).message));
    expect(attempts).toEqual(["careful"]);
  });

  it.skipIf(skip)("pages an execution's metrics, lists names and tasks, aggregates", async () => {
    const page = await backend.reads.metrics.page({
      tenantId: "main",
      executionId: "e1",
      page: 1,
      size: 2,
      sort: [{ column: "value", descending: true }],
    });
    expect(page.total).toBe(3);
    expect(page.results.map((m) => [m.taskId, m.name, m.value])).toEqual([
      ["t2", "count", 4],
      ["t1", "count", 3],
    ]);
    const byTask = await backend.reads.metrics.page({
      tenantId: "main",
      executionId: "e1",
      taskId: "t1",
      page: 1,
      size: 10,
      sort: [{ column: "name", descending: true }],
    });
    expect(byTask.results.map((m) => [m.name, m.type, m.tags])).toEqual([
      ["time", "timer", { k: "v" }],
      ["count", "counter", undefined],
    ]);
    expect(await backend.reads.metrics.names("main", "company", "a")).toEqual(["count", "time"]);
    expect(await backend.reads.metrics.names("main", "company", "a", "t2")).toEqual(["count"]);
    expect(await backend.reads.metrics.tasks("main", "company", "a")).toEqual(["t1", "t2"]);
    const now = Date.now();
    const aggregates = await backend.reads.metrics.aggregate({
      tenantId: "main",
      namespace: "company",
      flowId: "a",
      name: "count",
      startDate: new Date(now - 3600_000).toISOString(),
      endDate: new Date(now + 3600_000).toISOString(),
      aggregation: "sum",
    });
    expect(aggregates.groupBy).toBe("minute");
    // the two tasks' metrics may fall in two minutes
    expect(aggregates.aggregations.reduce((sum, a) => sum + a.value, 0)).toBe(7);
  });

  it.skipIf(skip)("refuses through the API a bad metrics page, size, sort column or aggregation", async () => {
    const api = new MetricsApi({ config: { tenantId: "main" }, backend } as unknown as Instance);
    const query = { executionId: "e1", page: 1, size: 10, sort: [] };
    expect((await api.page(query)).total).toBe(3);
    await expect(api.page({ ...query, page: 0 })).rejects.toMatchObject({ code: "SEARCH_INVALID" });
    await expect(api.page({ ...query, page: -2 })).rejects.toMatchObject({ code: "SEARCH_INVALID" });
    await expect(api.page({ ...query, size: 50_000 })).rejects.toMatchObject({ code: "SEARCH_INVALID" });
    await expect(
      api.page({ ...query, sort: [{ column: "colour" as "name", descending: false }] }),
    ).rejects.toMatchObject({ code: "SEARCH_INVALID", message: expect.stringContaining("colour") as unknown });
    await expect(
      api.aggregate({
        namespace: "company",
        flowId: "a",
        name: "count",
        startDate: "2026-01-01T00:00:00.000Z",
        endDate: "2026-01-02T00:00:00.000Z",
        aggregation: "median" as "sum",
      }),
    ).rejects.toMatchObject({ code: "SEARCH_INVALID" });
  });

  it.skipIf(skip)("counts executions per day, week and month, per flow and namespace", async () => {
    const period = { tenantId: "main", startDate: "2026-01-01T00:00:00.000Z", endDate: "2026-01-04T00:00:00.000Z" };
    const daily = await backend.reads.stats.dailyExecutions(period);
    expect(daily.map((d) => d.startDate)).toEqual([
      "2026-01-01T00:00:00.000Z",
      "2026-01-02T00:00:00.000Z",
      "2026-01-03T00:00:00.000Z",
      "2026-01-04T00:00:00.000Z",
    ]);
    expect(daily[0]).toMatchObject({
      groupBy: "day",
      executionCounts: { SUCCESS: 1, FAILED: 0 },
      duration: { min: "PT2S", max: "PT2S", sum: "PT2S", avg: "PT2S", count: 1 },
    });
    expect(daily[1]).toMatchObject({
      executionCounts: { SUCCESS: 1, FAILED: 1 },
      duration: { min: "PT1S", max: "PT5S", sum: "PT6S", avg: "PT3S", count: 2 },
    });
    expect(daily[2]!.executionCounts.RUNNING).toBe(1);
    expect(daily[3]!.duration).toEqual({ count: 0 });
    const filtered = await backend.reads.stats.dailyExecutions({
      ...period,
      namespace: "company",
      states: ["SUCCESS"],
      q: "TEAM",
    });
    expect(filtered.map((d) => d.executionCounts.SUCCESS)).toEqual([0, 1, 0, 0]);
    const weekly = await backend.reads.stats.dailyExecutions({ ...period, endDate: "2026-08-01T00:00:00.000Z" });
    expect(weekly[0]).toMatchObject({ startDate: "2025-12-29T00:00:00.000Z", groupBy: "week" });
    expect(weekly[0]!.duration.count).toBe(4);
    const monthly = await backend.reads.stats.dailyExecutions({
      tenantId: "main",
      startDate: "2025-06-01T00:00:00.000Z",
      endDate: "2026-07-01T00:00:00.000Z",
    });
    expect(monthly.find((m) => m.startDate === "2026-01-01T00:00:00.000Z")).toMatchObject({
      groupBy: "month",
      duration: { count: 4 },
    });
    const byFlow = await backend.reads.stats.dailyExecutionsByFlow(period, false);
    expect(Object.keys(byFlow).sort()).toEqual(["company", "company.team", "companyx"]);
    expect(byFlow["company.team"]!.b!.map((d) => d.duration.count)).toEqual([0, 2, 0, 0]);
    const byNamespace = await backend.reads.stats.dailyExecutionsByFlow(
      { ...period, flows: [{ namespace: "company", id: "a" }] },
      true,
    );
    expect(Object.keys(byNamespace)).toEqual(["company"]);
    expect(byNamespace.company!["*"]!.map((d) => d.duration.count)).toEqual([1, 0, 0, 0]);
    const counts = await backend.reads.stats.countsByNamespace(period);
    expect(Object.keys(counts)).toEqual(["company", "company.team", "companyx"]);
    expect(counts["company.team"]).toMatchObject({ total: 2, counts: { SUCCESS: 1, FAILED: 1, RUNNING: 0 } });
    expect(await backend.reads.stats.countsByNamespace({ ...period, namespace: "companyx" })).toEqual({
      companyx: { total: 1, counts: expect.objectContaining({ RUNNING: 1, SUCCESS: 0 }) as unknown },
    });
  });

  it.skipIf(skip)("gives each flow's latest ended execution, and counts log lines per level", async () => {
    const latest = await backend.reads.stats.latestByFlow("main", [
      { namespace: "company.team", id: "b" },
      { namespace: "companyx", id: "a" },
      { namespace: "company", id: "a" },
    ]);
    expect(latest.map((x) => x.id)).toEqual(["e4", "e1"]);
    expect(latest[0]).not.toHaveProperty("outputs");
    const period = { tenantId: "main", startDate: "2026-01-01T00:00:00.000Z", endDate: "2026-01-04T00:00:00.000Z" };
    const logs = await backend.reads.stats.dailyLogs(period);
    expect(logs.map((d) => [d.timestamp, d.counts.INFO, d.counts.ERROR, d.counts.WARN, d.counts.DEBUG])).toEqual([
      ["2026-01-01T00:00:00.000Z", 1, 1, 0, 0],
      ["2026-01-02T00:00:00.000Z", 0, 0, 1, 0],
      ["2026-01-03T00:00:00.000Z", 0, 0, 0, 1],
      ["2026-01-04T00:00:00.000Z", 0, 0, 0, 0],
    ]);
    const minutes = await backend.reads.stats.dailyLogs({
      ...period,
      startDate: "2026-01-01T10:00:00.000Z",
      endDate: "2026-01-01T10:02:00.000Z",
      namespace: "company",
      flowId: "a",
      minLevel: "INFO",
      q: "WORLD",
    });
    expect(minutes.map((d) => [d.timestamp, d.groupBy, d.counts.INFO, d.counts.ERROR])).toEqual([
      ["2026-01-01T10:00:00.000Z", "minute", 1, 0],
      ["2026-01-01T10:01:00.000Z", "minute", 0, 0],
      ["2026-01-01T10:02:00.000Z", "minute", 0, 0],
    ]);
    const hours = await backend.reads.stats.dailyLogs({ ...period, endDate: "2026-01-01T12:00:00.000Z" });
    expect(hours[0]!.groupBy).toBe("hour");
    expect(hours[10]).toMatchObject({ timestamp: "2026-01-01T10:00:00.000Z", counts: { INFO: 1, ERROR: 1 } });
  });

  // last: it deletes what the others read
  it.skipIf(skip)(
    "deletes an execution, its logs (some levels) and metrics, a flow's and a trigger's logs",
    async () => {
      expect(await backend.reads.logs.deleteByExecution("e1", ["ERROR"])).toBe(1);
      expect(await backend.reads.logs.deleteByFlow("main", "company", "a", "sched")).toBe(1);
      expect((await backend.logs.find({ namespace: "company" })).map((l) => l.message)).toEqual(["hello world"]);
      expect(await backend.reads.logs.deleteByFlow("main", "company", "a")).toBe(1);
      expect(
        await backend.reads.logs.purge({ tenantId: "main", namespace: "company", endDate: "2026-01-02T10:00:01.000Z" }),
      ).toBe(1);
      expect(await backend.logs.find({})).toEqual([]);
      expect(await backend.reads.metrics.deleteByExecution("e1")).toBe(3);
      expect(await backend.reads.executions.delete("e3")).toBe(true);
      expect(await backend.reads.executions.delete("e3")).toBe(false);
      expect(await backend.reads.executions.searchIds("main", {})).toEqual(["e4", "e2", "e1"]);
      expect(await backend.reads.executions.text("e3")).toBeUndefined();
    },
  );
});

describe.skipIf(!postgresUp)("ReadModel on both backends", () => {
  let sqlite: Opened;
  let postgres: Opened;
  beforeAll(async () => {
    [sqlite, postgres] = await Promise.all([openSqlite(), openPostgres()]);
    await seed(sqlite.backend);
    await seed(postgres.backend);
  });
  afterAll(async () => {
    await sqlite?.close();
    await postgres?.close();
  });

  /** What each backend answers to a search (the ids, or the error code it throws). */
  const answers =
    <T>(search: (backend: Backend, query: SearchQuery) => Promise<T>) =>
    (query: SearchQuery) =>
      Promise.all(
        [sqlite, postgres].map(({ backend }) => search(backend, query).catch((error: { code?: string }) => error.code)),
      );

  /** Every field (and `extra` ones) with every operation and value, then every sort: both backends answer alike. */
  async function expectAlike(
    answer: (query: SearchQuery) => Promise<unknown[]>,
    fields: readonly string[],
    sortable: readonly string[],
    values: readonly string[],
    sortQuery: Omit<SearchQuery, "sort"> = {},
  ): Promise<void> {
    for (const field of fields)
      for (const op of FILTER_OPS)
        for (const value of values) {
          const [a, b] = await answer({ filters: [filter(field, op, value)] });
          expect(b, `${field} ${op} ${value}`).toEqual(a);
        }
    for (const field of sortable)
      for (const dir of ["asc", "desc"]) {
        const [a, b] = await answer({ ...sortQuery, sort: [`${field}:${dir}`] });
        expect(b, `${field}:${dir}`).toEqual(a);
      }
  }

  it("answers every filter value and operation, and every sort, alike", async () => {
    await expectAlike(
      answers((backend, query) =>
        backend.reads.executions
          .searchSummaries("main", query)
          .then((page) => ({ total: page.total, ids: page.results.map((x) => x.id) })),
      ),
      [...Object.keys(EXECUTION_COLUMNS.fields), "labels", "q"],
      sortableFields(EXECUTION_COLUMNS),
      ["e1", "1", "2026-01-02T00:00:00Z", "PT2S", "company.", "env:prod"],
      { size: 2, page: 2 },
    );
  });
  it("answers every log filter and sort alike", async () => {
    await expectAlike(
      answers((backend, query) =>
        backend.reads.logs
          .search({ tenantId: "main" }, query)
          .then((page) => ({ total: page.total, seqs: page.results.map((l) => l.seq) })),
      ),
      [...Object.keys(LOG_COLUMNS.fields), "q"],
      sortableFields(LOG_COLUMNS),
      ["e1", "t1", "company", "INFO", "2026-01-02T00:00:00Z", "^h", "o"],
    );
  }, 180_000);
});
