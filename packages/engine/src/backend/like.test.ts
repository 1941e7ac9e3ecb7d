import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { likeBelowNamespace, likeContains, likeEscape, likePrefix, likeSuffix } from "./like.ts";

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
