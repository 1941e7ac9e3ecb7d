import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import type { LogEntry } from "../executor/types.ts";
import { likeBelowNamespace, likeContains, likeEscape, likePrefix, likeSuffix } from "./like.ts";
import { openDatabase } from "./sqlite/database.ts";
import { sqliteStores } from "./sqlite/sqliteBackend.ts";

describe("LIKE patterns of literal text", () => {
  it("escapes the wildcards and the escape character", () => {
    expect(likeEscape(String.raw`a%b_c\d`)).toBe(String.raw`a\%b\_c\\d`);
    expect(likePrefix("50%_")).toBe(String.raw`50\%\_%`);
    expect(likeContains("x_y")).toBe(String.raw`%x\_y%`);
    expect(likeSuffix("%")).toBe(String.raw`%\%`);
    expect(likeBelowNamespace("a_b")).toBe(String.raw`a\_b.%`);
  });

  it("matches the text literally in SQLite, with ESCAPE '\\'", () => {
    const db = new Database(":memory:");
    db.exec("CREATE TABLE t (v TEXT)");
    const insert = db.prepare("INSERT INTO t VALUES (?)");
    for (const v of ["50%_off", "50xyoff", "a_b.c", "axb.c", "a_b", String.raw`back\slash`, "backXslash"])
      insert.run(v);
    const matching = (pattern: string) =>
      db.prepare("SELECT v FROM t WHERE v LIKE ? ESCAPE '\\' ORDER BY v").pluck().all(pattern);
    expect(matching(likePrefix("50%_"))).toEqual(["50%_off"]);
    expect(matching(likeBelowNamespace("a_b"))).toEqual(["a_b.c"]);
    expect(matching(likeContains(String.raw`k\s`))).toEqual([String.raw`back\slash`]);
    expect(matching(likeSuffix("_off"))).toEqual(["50%_off"]);
    db.close();
  });
});

describe("namespace and key filters of the SQLite stores", () => {
  it("take a namespace's `_` and `%` literally, and list KV keys by a case-sensitive prefix", () => {
    const stores = sqliteStores(openDatabase(":memory:"));
    const log = (namespace: string): LogEntry => ({
      namespace,
      flowId: "f",
      executionId: `e-${namespace}`,
      level: "INFO",
      message: namespace,
      timestamp: "2026-01-01T00:00:00.000Z",
    });
    stores.logs.append(["my_team", "my_team.sub", "myxteam.sub", "my%team"].map(log));
    expect(stores.logs.purge({ tenantId: "main", namespace: "my_team", endDate: "2027-01-01T00:00:00.000Z" })).toBe(2);
    expect(stores.logs.find({}).map((l) => l.message)).toEqual(["myxteam.sub", "my%team"]);

    const entry = (key: string) => ({ key, value: 1, type: "JSON" as const, updateDate: "2026-01-01T00:00:00.000Z" });
    for (const key of ["Report_1", "report_2", "reportX3", "rep*rt"]) stores.kv.set("main", "ns", entry(key));
    expect(stores.kv.list("main", "ns", "report_").map((e) => e.key)).toEqual(["report_2"]);
    expect(stores.kv.list("main", "ns", "rep*").map((e) => e.key)).toEqual(["rep*rt"]);
    stores.db.close();
  });
});
