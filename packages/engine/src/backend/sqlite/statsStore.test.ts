import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import type { Execution } from "../../model/execution.ts";
import type { WorkerJob } from "../../executor/types.ts";
import { openDatabase } from "./database.ts";
import { KvStore } from "./kvStore.ts";
import { MIGRATIONS } from "./migrations.ts";
import { ExecutionStore } from "./executionStore.ts";
import { LogStore } from "./logStore.ts";
import { MetricStore } from "./metricStore.ts";
import { StatsStore } from "./statsStore.ts";
import { bucketKeys, bucketSize } from "../timeBuckets.ts";

function execution(
  id: string,
  namespace: string,
  flowId: string,
  state: string,
  startDate: string,
  seconds?: number,
): Execution {
  const endDate = seconds === undefined ? undefined : new Date(Date.parse(startDate) + seconds * 1000).toISOString();
  return {
    id,
    namespace,
    flowId,
    flowRevision: 1,
    taskRunList: [],
    outputs: { secret: "big" },
    labels: [],
    state: { current: state, histories: [], duration: "PT0S", startDate, ...(endDate ? { endDate } : {}) },
    originalId: id,
    deleted: false,
    metadata: { attemptNumber: 1, originalCreatedDate: startDate },
  } as unknown as Execution;
}

function open() {
  const db = openDatabase(":memory:");
  const executions = new ExecutionStore(db);
  const add = (x: Execution) =>
    executions.insert({ execution: x, executorState: { dispatched: [] }, finished: x.state.endDate !== undefined });
  add(execution("a1", "company.team", "alpha", "SUCCESS", "2026-03-02T10:00:00.000Z", 2));
  add(execution("a2", "company.team", "alpha", "SUCCESS", "2026-03-02T11:00:00.000Z", 4));
  add(execution("a3", "company.team", "alpha", "FAILED", "2026-03-03T09:00:00.000Z", 1));
  add(execution("b1", "company.team.sub", "beta", "WARNING", "2026-03-02T12:00:00.000Z", 10));
  add(execution("b2", "company.team.sub", "beta", "SUCCESS", "2026-03-04T12:00:00.000Z", 3));
  add(execution("s1", "system", "cleanup", "SUCCESS", "2026-03-02T01:00:00.000Z", 1));
  add(execution("old", "company.team", "alpha", "SUCCESS", "2025-01-01T00:00:00.000Z", 1));
  return { db, stats: new StatsStore(db) };
}

const MARCH = { tenantId: "main", startDate: "2026-03-01T00:00:00.000Z", endDate: "2026-03-05T00:00:00.000Z" };

describe("time buckets", () => {
  it("follow the length of the period as Kestra's", () => {
    const at = (iso: string) => Date.parse(iso);
    expect(bucketSize(at("2024-01-01T00:00:00Z"), at("2025-01-02T00:00:00Z"))).toBe("month");
    expect(bucketSize(at("2024-01-01T00:00:00Z"), at("2024-07-01T00:00:00Z"))).toBe("week");
    expect(bucketSize(at("2024-01-01T00:00:00Z"), at("2024-01-03T00:00:00Z"))).toBe("day");
    expect(bucketSize(at("2024-01-01T00:00:00Z"), at("2024-01-02T00:00:00Z"))).toBe("hour");
    expect(bucketSize(at("2024-01-01T00:00:00Z"), at("2024-01-01T06:00:00Z"))).toBe("minute");
    expect(bucketKeys(at("2024-01-31T10:00:00Z"), at("2024-03-01T00:00:00Z"), "month")).toEqual([
      "2024-01",
      "2024-02",
      "2024-03",
    ]);
    // 2024-01-03 is a Wednesday: its week starts on Monday 2024-01-01.
    expect(bucketKeys(at("2024-01-03T10:00:00Z"), at("2024-01-15T00:00:00Z"), "week")).toEqual([
      "2024-01-01",
      "2024-01-08",
      "2024-01-15",
    ]);
    expect(bucketKeys(at("2024-01-01T23:58:30Z"), at("2024-01-02T00:00:10Z"), "minute")).toEqual([
      "2024-01-01T23:58",
      "2024-01-01T23:59",
      "2024-01-02T00:00",
    ]);
  });
});

describe("execution statistics", () => {
  it("count per day and state, with durations in seconds, every day of the period listed", () => {
    const { stats } = open();
    const days = stats.dailyExecutions(MARCH);
    expect(days.map((d) => d.startDate)).toEqual(
      ["2026-03-01", "2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05"].map((d) => `${d}T00:00:00.000Z`),
    );
    expect(days.every((d) => d.groupBy === "day")).toBe(true);
    expect(days[0]).toMatchObject({ duration: { count: 0 } });
    expect(Object.keys(days[0]!.duration)).toEqual(["count"]);
    expect(days[0]!.executionCounts).toEqual({
      CREATED: 0,
      RUNNING: 0,
      RESTARTED: 0,
      KILLING: 0,
      SUCCESS: 0,
      WARNING: 0,
      FAILED: 0,
      KILLED: 0,
      PAUSED: 0,
      QUEUED: 0,
      CANCELLED: 0,
    });
    expect(days[1]!.executionCounts).toMatchObject({ SUCCESS: 3, WARNING: 1, FAILED: 0 });
    expect(days[1]!.duration).toEqual({ min: "PT1S", avg: "PT4.25S", max: "PT10S", sum: "PT17S", count: 4 });
    expect(days[2]!.executionCounts).toMatchObject({ FAILED: 1 });
  });

  it("filter by namespace (with those below it), flow, state, text and scope", () => {
    const { stats } = open();
    const total = (days: { duration: { count: number } }[]) => days.reduce((n, d) => n + d.duration.count, 0);
    expect(total(stats.dailyExecutions(MARCH))).toBe(6);
    expect(total(stats.dailyExecutions({ ...MARCH, namespace: "company.team" }))).toBe(5);
    expect(total(stats.dailyExecutions({ ...MARCH, namespace: "company.team", flowId: "alpha" }))).toBe(3);
    // With a flow id the namespace is exact: beta is in company.team.sub.
    expect(total(stats.dailyExecutions({ ...MARCH, namespace: "company.team", flowId: "beta" }))).toBe(0);
    expect(total(stats.dailyExecutions({ ...MARCH, states: ["FAILED", "WARNING"] }))).toBe(2);
    expect(total(stats.dailyExecutions({ ...MARCH, q: "bet" }))).toBe(2);
    expect(total(stats.dailyExecutions({ ...MARCH, scope: { systemNamespace: "system", only: "USER" } }))).toBe(5);
    expect(total(stats.dailyExecutions({ ...MARCH, scope: { systemNamespace: "system", only: "SYSTEM" } }))).toBe(1);
    expect(total(stats.dailyExecutions({ ...MARCH, q: "100%" }))).toBe(0);
  });

  it("group by namespace and flow, or by namespace only under '*'", () => {
    const { stats } = open();
    const byFlow = stats.dailyExecutionsByFlow(MARCH, false);
    expect(Object.keys(byFlow).sort()).toEqual(["company.team", "company.team.sub", "system"]);
    expect(Object.keys(byFlow["company.team"]!)).toEqual(["alpha"]);
    expect(byFlow["company.team"]!.alpha!.map((d) => d.executionCounts.SUCCESS)).toEqual([0, 2, 0, 0, 0]);
    const only = stats.dailyExecutionsByFlow(
      { ...MARCH, flows: [{ namespace: "company.team.sub", id: "beta" }] },
      true,
    );
    expect(Object.keys(only)).toEqual(["company.team.sub"]);
    expect(only["company.team.sub"]!["*"]!.reduce((n, d) => n + d.duration.count, 0)).toBe(2);
  });

  it("count per namespace and state", () => {
    const { stats } = open();
    const counts = stats.countsByNamespace(MARCH);
    expect(counts["company.team"]).toEqual({
      counts: expect.objectContaining({ SUCCESS: 2, FAILED: 1, RUNNING: 0 }),
      total: 3,
    });
    expect(Object.keys(stats.countsByNamespace({ ...MARCH, namespace: "company.team" }))).toEqual(["company.team"]);
  });

  it("give the execution of each flow that ended last, without outputs", () => {
    const { stats } = open();
    const latest = stats.latestByFlow("main", [
      { namespace: "company.team.sub", id: "beta" },
      { namespace: "company.team", id: "alpha" },
      { namespace: "none", id: "x" },
    ]);
    expect(latest.map((x) => x.id)).toEqual(["b2", "a3"]);
    expect(latest[0]!.outputs).toBeUndefined();
    expect(stats.latestByFlow("main", [])).toEqual([]);
  });
});

describe("log statistics", () => {
  it("count per bucket and level, from a minimum level", () => {
    const db = openDatabase(":memory:");
    const logs = new LogStore(db);
    const line = (level: "DEBUG" | "INFO" | "WARN" | "ERROR", timestamp: string, message = "m") => ({
      tenantId: "main",
      namespace: "company.team",
      flowId: "alpha",
      executionId: "a1",
      level,
      message,
      timestamp,
    });
    logs.append([
      line("INFO", "2026-03-02T10:00:00.000Z"),
      line("INFO", "2026-03-02T10:30:00.000Z", "hello world"),
      line("ERROR", "2026-03-03T10:00:00.000Z"),
      line("DEBUG", "2026-03-03T11:00:00.000Z"),
    ]);
    const stats = new StatsStore(db);
    const days = stats.dailyLogs(MARCH);
    expect(days.map((d) => d.timestamp.slice(0, 10))).toEqual([
      "2026-03-01",
      "2026-03-02",
      "2026-03-03",
      "2026-03-04",
      "2026-03-05",
    ]);
    expect(days[1]!.counts).toEqual({ TRACE: 0, DEBUG: 0, INFO: 2, WARN: 0, ERROR: 0 });
    expect(stats.dailyLogs({ ...MARCH, minLevel: "INFO" })[2]!.counts).toEqual({
      TRACE: 0,
      DEBUG: 0,
      INFO: 0,
      WARN: 0,
      ERROR: 1,
    });
    expect(stats.dailyLogs({ ...MARCH, q: "world" })[1]!.counts.INFO).toBe(1);
    expect(
      stats.dailyLogs({ ...MARCH, namespace: "other" }).every((d) => Object.values(d.counts).every((n) => n === 0)),
    ).toBe(true);
  });
});

describe("metric aggregates", () => {
  it("aggregate one metric per bucket, 0 where none, by flow or task", () => {
    const db = openDatabase(":memory:");
    const metrics = new MetricStore(db);
    const job = (taskId: string) =>
      ({
        flow: { namespace: "company.team", id: "alpha", revision: 1 },
        executionId: "a1",
        task: { id: taskId },
        taskRunId: `${taskId}-run`,
      }) as unknown as WorkerJob;
    metrics.append(job("load"), [
      { name: "rows", type: "counter", value: 10 },
      { name: "rows", type: "counter", value: 30 },
    ]);
    metrics.append(job("save"), [
      { name: "rows", type: "counter", value: 5 },
      { name: "took", type: "timer", value: 250 },
    ]);
    const now = Date.now();
    const period = {
      tenantId: "main",
      namespace: "company.team",
      flowId: "alpha",
      name: "rows",
      startDate: new Date(now - 3_600_000).toISOString(),
      endDate: new Date(now).toISOString(),
    };
    const sum = metrics.aggregate({ ...period, aggregation: "sum" });
    expect(sum.groupBy).toBe("minute");
    expect(sum.aggregations).toHaveLength(61);
    expect(sum.aggregations.filter((a) => a.name === "rows").reduce((n, a) => n + a.value, 0)).toBe(45);
    expect(sum.aggregations.filter((a) => a.name === undefined).every((a) => a.value === 0)).toBe(true);
    expect(
      metrics.aggregate({ ...period, aggregation: "max", taskId: "load" }).aggregations.find((a) => a.name)!.value,
    ).toBe(30);
    expect(
      metrics.aggregate({ ...period, aggregation: "avg", taskId: "load" }).aggregations.find((a) => a.name)!.value,
    ).toBe(20);
    expect(metrics.names("main", "company.team", "alpha")).toEqual(["rows", "took"]);
    expect(metrics.names("main", "company.team", "alpha", "save")).toEqual(["rows", "took"]);
    expect(metrics.tasks("main", "company.team", "alpha")).toEqual(["load", "save"]);
    const page = metrics.page({
      tenantId: "main",
      executionId: "a1",
      page: 1,
      size: 2,
      sort: [{ column: "value", descending: true }],
    });
    expect(page.total).toBe(4);
    expect(page.results.map((m) => m.value)).toEqual([250, 30]);
    expect(page.results[0]).toMatchObject({
      namespace: "company.team",
      flowId: "alpha",
      taskId: "save",
      taskRunId: "save-run",
      type: "timer",
      name: "took",
      deleted: false,
    });
  });
});

describe("migration 3", () => {
  const work = mkdtempSync(join(tmpdir(), "saker-migration3-"));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("gives existing keys their last update as creation date, and existing metrics the default tenant", () => {
    const file = join(work, "v2.db");
    const old = new Database(file);
    old.exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied TEXT NOT NULL)");
    for (const m of MIGRATIONS.slice(0, 2)) {
      old.exec(m.sql);
      old.prepare("INSERT INTO schema_migrations VALUES (?, ?, '2026-01-01')").run(m.version, m.name);
    }
    old
      .prepare(
        "INSERT INTO kv (tenant_id, namespace, key, value, type, update_date) VALUES ('main', 'ns', 'k', '1', 'NUMBER', '2026-01-02T00:00:00.000Z')",
      )
      .run();
    old
      .prepare(
        "INSERT INTO metrics (namespace, flow_id, execution_id, task_id, name, type, value, timestamp) VALUES ('ns', 'f', 'x', 't', 'rows', 'counter', 3, '2026-01-02T00:00:00.000Z')",
      )
      .run();
    old.close();

    const db = openDatabase(file);
    const kv = new KvStore(db);
    expect(kv.get("main", "ns", "k")).toMatchObject({
      creationDate: "2026-01-02T00:00:00.000Z",
      updateDate: "2026-01-02T00:00:00.000Z",
    });
    kv.set("main", "ns", { key: "k", value: 2, type: "NUMBER", updateDate: "2026-01-03T00:00:00.000Z" });
    expect(kv.get("main", "ns", "k")).toMatchObject({
      value: 2,
      creationDate: "2026-01-02T00:00:00.000Z",
      updateDate: "2026-01-03T00:00:00.000Z",
    });
    expect(new MetricStore(db).names("main", "ns", "f")).toEqual(["rows"]);
    db.close();
  });
});
