import { describe, expect, it } from "vitest";
import { DiskFullError, isDiskFull } from "../storage/diskFull.ts";
import { backoffMs, DiskWatch } from "./diskWatch.ts";

describe("DiskWatch", () => {
  it("reports a full disk once until space is back, then says so once", async () => {
    const lines: string[] = [];
    const watch = new DiskWatch("/data", (line) => lines.push(line));
    const full = Object.assign(new Error("database or disk is full"), { code: "SQLITE_FULL" });
    watch.report(full);
    await watch.wait(full, 0);
    watch.report(new DiskFullError("/data/storage", "writing a file"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("The disk is full: no space left in the data folder '/data'");
    watch.ok();
    watch.ok();
    expect(lines).toEqual([lines[0], "Disk space is available again in '/data'; resuming."]);
  });

  it("knows disk-full errors and backs off up to 5 s", () => {
    expect(isDiskFull(Object.assign(new Error("no space"), { code: "ENOSPC" }))).toBe(true);
    expect(isDiskFull(Object.assign(new Error("quota"), { code: "EDQUOT" }))).toBe(true);
    expect(isDiskFull(Object.assign(new Error("busy"), { code: "SQLITE_BUSY" }))).toBe(false);
    expect(isDiskFull(undefined)).toBe(false);
    expect([0, 1, 2, 5, 50].map(backoffMs)).toEqual([250, 500, 1000, 5000, 5000]);
  });
});
