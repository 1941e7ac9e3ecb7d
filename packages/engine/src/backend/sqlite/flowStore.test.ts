import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "./database.ts";
import { FlowStore, LATEST_CACHE_SIZE } from "./flowStore.ts";

const source = (id: string, message: string) => `id: ${id}\nnamespace: company\ntasks: [] # ${message}\n`;

describe("FlowStore's latest revisions kept in memory", () => {
  const homes: string[] = [];
  afterEach(() => {
    for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
  });

  it("reads a flow once, and again after a new revision or a deletion", () => {
    const store = new FlowStore(openDatabase(":memory:"));
    store.save("main", "company", "a", source("a", "one"), false);
    const first = store.latest("main", "company", "a");
    expect(first?.revision).toBe(1);
    expect(store.latest("main", "company", "a")).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    store.save("main", "company", "a", source("a", "two"), false);
    expect(store.latest("main", "company", "a")?.revision).toBe(2);
    expect(store.delete("main", "company", "a")).toBe(true);
    expect(store.latest("main", "company", "a")).toMatchObject({ revision: 3, deleted: true });
    store.deleteRevisions("main", "company", "a", [3]);
    expect(store.latest("main", "company", "a")).toMatchObject({ revision: 2, deleted: false });
  });

  it("sees a revision saved by another store on the same connection", () => {
    const db = openDatabase(":memory:");
    const store = new FlowStore(db);
    expect(store.latest("main", "company", "a")).toBeUndefined();
    new FlowStore(db).save("main", "company", "a", source("a", "one"), false);
    expect(store.latest("main", "company", "a")?.revision).toBe(1);
  });

  it("sees a revision another connection (another process) committed", () => {
    const home = mkdtempSync(join(tmpdir(), "saker-flowstore-"));
    homes.push(home);
    const file = join(home, "saker.db");
    const mine = openDatabase(file);
    const store = new FlowStore(mine);
    store.save("main", "company", "a", source("a", "one"), false);
    expect(store.latest("main", "company", "a")?.revision).toBe(1);
    const other = openDatabase(file);
    new FlowStore(other).save("main", "company", "a", source("a", "two"), false);
    expect(store.latest("main", "company", "a")?.revision).toBe(2);
    other.close();
    mine.close();
  });

  it("keeps nothing read inside a transaction that is rolled back", () => {
    const db = openDatabase(":memory:");
    const store = new FlowStore(db);
    store.save("main", "company", "a", source("a", "one"), false);
    expect(() =>
      db.transaction(() => {
        store.save("main", "company", "a", source("a", "two"), false);
        expect(store.latest("main", "company", "a")?.revision).toBe(2);
        throw new Error("rolled back");
      })(),
    ).toThrow("rolled back");
    expect(store.latest("main", "company", "a")?.revision).toBe(1);
  });

  it(`keeps at most ${LATEST_CACHE_SIZE} flows, the least recently read going first`, () => {
    const store = new FlowStore(openDatabase(":memory:"));
    for (let i = 0; i <= LATEST_CACHE_SIZE; i++) store.save("main", "company", `f${i}`, source(`f${i}`, "one"), false);
    const kept = store.latest("main", "company", "f0");
    const dropped = store.latest("main", "company", "f1");
    // f0 read again after f1: f1 is the least recently read when the cache is full
    expect(store.latest("main", "company", "f0")).toBe(kept);
    for (let i = 2; i <= LATEST_CACHE_SIZE; i++) store.latest("main", "company", `f${i}`);
    expect(store.latest("main", "company", "f0")).toBe(kept);
    expect(store.latest("main", "company", "f1")).not.toBe(dropped);
    expect(store.latest("main", "company", "f1")).toEqual(dropped);
  });
});
