import { describe, expect, it } from "vitest";
import type { LogEntry } from "../../executor/types.ts";
import { openDatabase } from "./database.ts";
import { LogTupleReader } from "../logTupleReader.ts";
import { LogStore } from "./logStore.ts";

describe("LogStore.pages and LogTupleReader", () => {
  const store = new LogStore(openDatabase(":memory:"));
  const entries: LogEntry[] = Array.from({ length: 23 }, (_, i) => ({
    ...(i % 4 === 1 ? { tenantId: "acme" } : {}),
    namespace: "company",
    flowId: i % 2 ? "a" : "b",
    ...(i % 6 ? { executionId: i % 3 ? "x1" : "x2" } : {}),
    ...(i % 5 ? { taskId: `t${i % 2}`, taskRunId: `r${i % 3}` } : {}),
    ...(i % 3 === 0 ? { attemptNumber: i % 2 } : {}),
    ...(i % 7 === 0 ? { triggerId: "daily", thread: "main-1" } : {}),
    level: i % 2 ? "INFO" : "WARN",
    message: i === 8 ? `quote " slash \\ line\nbreak é ☃` : `m${i}`,
    timestamp: `2026-01-01T00:00:${String(i).padStart(2, "0")}.000Z`,
  }));
  store.append(entries);

  it("reads what `find` reads, in pages of at most `size`, after `afterSeq`, with the same filters", () => {
    const queries = [
      { executionId: "x1" },
      { executionId: "x1", minLevel: "WARN" as const },
      { executionId: "x1", taskId: "t1", attemptNumber: 0 },
      { executionId: "x2", taskRunId: "r0" },
      { executionId: "x1", afterSeq: 9 },
      { executionId: "none" },
    ];
    for (const query of queries) {
      const pages = [...store.pages(query, 3)];
      expect(pages.every((p) => p.length > 0 && p.length <= 3)).toBe(true);
      const reader = new LogTupleReader();
      expect(pages.flat().map((t) => reader.log(t))).toEqual(store.find(query));
    }
  });

  it("writes each entry's JSON as JSON.stringify wrote the stored log without its seq", () => {
    const reader = new LogTupleReader();
    for (const t of [...store.pages({}, 5)].flat()) {
      const { seq: _seq, ...entry } = reader.log(t);
      expect(reader.json(t, t[2])).toBe(JSON.stringify(entry));
      expect(reader.level(t)).toBe(entry.level);
    }
  });

  it("filters by attempt: entries without one are left out", () => {
    const attempts = [...store.pages({ attemptNumber: 1 })].flat().map((t) => new LogTupleReader().log(t));
    expect(attempts.length).toBeGreaterThan(0);
    expect(attempts.every((l) => l.attemptNumber === 1)).toBe(true);
  });
});
