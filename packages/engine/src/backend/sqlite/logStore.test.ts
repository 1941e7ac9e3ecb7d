import { describe, expect, it } from "vitest";
import { openDatabase } from "./database.ts";
import { LogStore } from "./logStore.ts";

describe("LogStore pages", () => {
  const store = new LogStore(openDatabase(":memory:"));
  const at = (second: number) => `2026-01-01T00:00:${String(second).padStart(2, "0")}.000Z`;
  store.append([
    { namespace: "company", flowId: "a", level: "INFO", message: "m0", timestamp: at(1) },
    { namespace: "company.team", flowId: "b", level: "INFO", message: "m1", timestamp: at(3) },
    { namespace: "companyx", flowId: "c", level: "INFO", message: "m2", timestamp: at(2) },
    { namespace: "company_y", flowId: "d", level: "INFO", message: "m3", timestamp: at(3) },
    { namespace: "company.team", flowId: "b", level: "DEBUG", message: "m4", timestamp: at(3) },
  ]);

  it("sorts newest first (ties in written order), skips and limits, and counts", () => {
    expect(store.find({ newestFirst: true }).map((l) => l.message)).toEqual(["m1", "m3", "m4", "m2", "m0"]);
    expect(store.find({ newestFirst: true, offset: 1, limit: 2 }).map((l) => l.message)).toEqual(["m3", "m4"]);
    expect(store.find({ offset: 3 }).map((l) => l.message)).toEqual(["m3", "m4"]);
    expect(store.count({ minLevel: "INFO" })).toBe(4);
  });

  it("takes a namespace with the ones below it, wildcards in the name taken literally", () => {
    expect(store.find({ namespacePrefix: "company" }).map((l) => l.namespace)).toEqual([
      "company",
      "company.team",
      "company.team",
    ]);
    expect(store.count({ namespacePrefix: "company_y" })).toBe(1);
    expect(store.count({ namespacePrefix: "company%" })).toBe(0);
  });
});
