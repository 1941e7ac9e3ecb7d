import { describe, expect, it, vi } from "vitest";
import { Lru } from "./lru.ts";

describe("Lru", () => {
  it("drops the least recently used entry past its capacity", () => {
    const lru = new Lru<string, number>(2);
    lru.set("a", 1);
    lru.set("b", 2);
    expect(lru.get("a")).toBe(1); // a is now the most recent
    lru.set("c", 3);
    expect(lru.get("b")).toBeUndefined();
    expect(lru.get("a")).toBe(1);
    expect(lru.get("c")).toBe(3);
    expect(lru.size).toBe(2);
  });

  it("keeps the order of use, and does not move the newest entry when it is read again", () => {
    const lru = new Lru<string, number>(2);
    lru.set("a", 1);
    lru.set("b", 2);
    expect(lru.get("b")).toBe(2);
    // reading the newest entry again leaves the map as it is (no delete and set)
    const map = (lru as unknown as { map: Map<string, number> }).map;
    const deletes = vi.spyOn(map, "delete");
    expect(lru.get("a")).toBe(1);
    expect(lru.get("a")).toBe(1);
    expect(deletes).toHaveBeenCalledTimes(1);
    deletes.mockRestore();
    // a is the most recent: b goes first
    lru.set("c", 3);
    expect(lru.get("b")).toBeUndefined();
    lru.delete("c");
    lru.set("d", 4);
    expect(lru.get("a")).toBe(1); // a is the most recent again: d goes first
    lru.set("e", 5);
    expect(lru.get("d")).toBeUndefined();
    expect(lru.get("a")).toBe(1);
    expect(lru.get("e")).toBe(5);
  });

  it("with weights, drops the oldest entries until the total fits, and always keeps the newest", () => {
    const lru = new Lru<string, number[]>(100, { weigh: (v) => v.length, maxWeight: 10 });
    lru.set("a", [1, 2, 3, 4]);
    lru.set("b", [1, 2, 3, 4]);
    expect(lru.weight).toBe(8);
    lru.set("c", [1, 2, 3]); // 11 > 10: a goes
    expect(lru.get("a")).toBeUndefined();
    expect(lru.weight).toBe(7);
    lru.set(
      "huge",
      Array.from({ length: 50 }, (_, i) => i),
    ); // alone past the bound: kept, the rest goes
    expect(lru.size).toBe(1);
    expect(lru.get("huge")).toHaveLength(50);
    expect(lru.weight).toBe(50);
  });

  it("counts a replaced or deleted entry's weight out", () => {
    const lru = new Lru<string, number[]>(100, { weigh: (v) => v.length, maxWeight: 10 });
    lru.set("a", [1, 2, 3]);
    lru.set("a", [1]);
    expect(lru.weight).toBe(1);
    lru.delete("a");
    lru.delete("a");
    expect(lru.weight).toBe(0);
    lru.set("b", [1, 2]);
    lru.clear();
    expect(lru.weight).toBe(0);
    expect(lru.size).toBe(0);
  });
});
