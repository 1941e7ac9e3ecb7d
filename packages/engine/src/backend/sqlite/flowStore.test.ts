/**
 * The latest revision of a flow, kept in memory by the store between creations of executions: it
 * is what the database holds now, whoever wrote it (this connection, another one on the same
 * file), and a save rolled back is never served.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase, type SqliteDatabase } from "./database.ts";
import { FlowStore } from "./flowStore.ts";

const source = (message: string) =>
  `id: hello\nnamespace: company.team\ntasks:\n  - id: log\n    message: ${message}\n`;

describe("FlowStore.latest", () => {
  let dir: string | undefined;
  const opened: SqliteDatabase[] = [];
  const open = (file: string) => {
    const db = openDatabase(file);
    opened.push(db);
    return new FlowStore(db);
  };
  afterEach(() => {
    for (const db of opened.splice(0)) db.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });
  const twoConnections = () => {
    dir = mkdtempSync(join(tmpdir(), "saker-flowstore-"));
    const file = join(dir, "saker.db");
    return [open(file), open(file)] as const;
  };

  it("sees a revision another connection saved, deleted or purged since the last read, from the next turn", async () => {
    const [mine, other] = twoConnections();
    const turn = () => new Promise((resolve) => setImmediate(resolve));
    mine.save("main", "company.team", "hello", source("one"), false);
    expect(mine.latest("main", "company.team", "hello")?.revision).toBe(1);

    other.save("main", "company.team", "hello", source("two"), false);
    // PRAGMA data_version is read once per turn: in this one the other's commit is not seen yet
    expect(mine.latest("main", "company.team", "hello")?.revision).toBe(1);
    await turn();
    expect(mine.latest("main", "company.team", "hello")).toMatchObject({ revision: 2, source: source("two") });

    other.delete("main", "company.team", "hello");
    await turn();
    expect(mine.latest("main", "company.team", "hello")).toMatchObject({ revision: 3, deleted: true });

    // the deleted revision purged, then the flow saved again: the same number with another source
    other.deleteRevisions("main", "company.team", "hello", [3]);
    await turn();
    expect(mine.latest("main", "company.team", "hello")?.revision).toBe(2);
    other.save("main", "company.team", "hello", source("three"), false);
    await turn();
    expect(mine.latest("main", "company.team", "hello")).toMatchObject({ revision: 3, source: source("three") });
  });

  it("sees what this connection saved, deleted or purged", () => {
    const [mine] = twoConnections();
    mine.save("main", "company.team", "hello", source("one"), false);
    expect(mine.latest("main", "company.team", "hello")?.revision).toBe(1);
    mine.save("main", "company.team", "hello", source("two"), true);
    expect(mine.latest("main", "company.team", "hello")).toMatchObject({ revision: 2, disabled: true });
    mine.delete("main", "company.team", "hello");
    expect(mine.latest("main", "company.team", "hello")).toMatchObject({ revision: 3, deleted: true });
    mine.deleteRevisions("main", "company.team", "hello", [3]);
    expect(mine.latest("main", "company.team", "hello")?.revision).toBe(2);
  });

  it("does not serve a revision whose save was rolled back, even one read inside its transaction", () => {
    const db = openDatabase(":memory:");
    opened.push(db);
    const store = new FlowStore(db);
    store.save("main", "company.team", "hello", source("one"), false);
    expect(store.latest("main", "company.team", "hello")?.revision).toBe(1);
    // a save read back inside its transaction (as revision `seen`), then rolled back
    const saveRolledBack = (id: string, seen: number) =>
      expect(() =>
        db.transaction(() => {
          store.save("main", "company.team", id, source("two"), false);
          expect(store.latest("main", "company.team", id)?.revision).toBe(seen);
          throw new Error("rolled back");
        })(),
      ).toThrow("rolled back");
    saveRolledBack("hello", 2);
    expect(store.latest("main", "company.team", "hello")).toMatchObject({ revision: 1, source: source("one") });
    // and a flow that had no revision before the rolled-back save has none after it
    saveRolledBack("other", 1);
    expect(store.latest("main", "company.team", "other")).toBeUndefined();
  });

  it("keeps flows of other tenants and namespaces apart", () => {
    const [mine] = twoConnections();
    mine.save("main", "a", "b.c", source("one"), false);
    mine.save("main", "a.b", "c", source("two"), false);
    mine.save("other", "a", "b.c", source("three"), false);
    expect(mine.latest("main", "a", "b.c")?.source).toBe(source("one"));
    expect(mine.latest("main", "a.b", "c")?.source).toBe(source("two"));
    expect(mine.latest("other", "a", "b.c")?.source).toBe(source("three"));
    expect(mine.latest("other", "a.b", "c")).toBeUndefined();
  });
});
