import { describe, expect, it } from "vitest";
import { openDatabase } from "./database.ts";
import type { Backend } from "../backend.ts";
import { SqliteBackend, sqliteStores } from "./sqliteBackend.ts";

const open = () => new SqliteBackend(sqliteStores(openDatabase(":memory:")));
const job = (key: string) => ({ topic: "worker" as const, key, payload: { key } });
const keys = async (backend: Backend) =>
  (await backend.queue.claimed<{ key: string }>("worker"))
    .map((m) => m.key)
    .concat((await backend.queue.claim<{ key: string }>("worker", 100, "t", 60_000)).map((m) => m.key));
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("SqliteBackend.transaction", () => {
  it("commits what fn wrote, and rolls all of it back when fn throws", async () => {
    const backend = open();
    await backend.transaction(async (tx) => {
      await tx.queue.send([job("a")]);
      await tx.logs.append([{ namespace: "n", flowId: "f", level: "INFO", message: "kept", timestamp: "t" }]);
    });
    await expect(
      backend.transaction(async (tx) => {
        await tx.queue.send([job("b")]);
        await tick(); // a real await inside the transaction
        await tx.logs.append([{ namespace: "n", flowId: "f", level: "INFO", message: "lost", timestamp: "t" }]);
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await keys(backend)).toEqual(["a"]);
    expect((await backend.logs.find({})).map((l) => l.message)).toEqual(["kept"]);
    expect(backend.db.inTransaction).toBe(false);
    await backend.close();
  });

  it("runs two concurrent transactions one after the other", async () => {
    const backend = open();
    const order: string[] = [];
    const run = (name: string) =>
      backend.transaction(async (tx) => {
        order.push(`${name} begin`);
        await tx.queue.send([job(name)]);
        await tick();
        order.push(`${name} end`);
      });
    await Promise.all([run("one"), run("two")]);
    expect(order).toEqual(["one begin", "one end", "two begin", "two end"]);
    expect(await keys(backend)).toEqual(["one", "two"]);
    await backend.close();
  });

  it("makes a call outside the open transaction wait for its end, and not see what it rolls back", async () => {
    const backend = open();
    let outside: Promise<unknown> | undefined;
    let seen: string[] | undefined;
    const failing = backend.transaction(async (tx) => {
      await tx.queue.send([job("inside")]);
      outside = Promise.all([
        backend.queue.send([job("outside")]),
        backend.queue.hasKey("inside").then((has) => (seen = has ? ["inside"] : [])),
      ]);
      await tick();
      expect(seen).toBeUndefined(); // still waiting
      throw new Error("rolled back");
    });
    await expect(failing).rejects.toThrow("rolled back");
    await outside;
    expect(seen).toEqual([]);
    expect(await keys(backend)).toEqual(["outside"]);
    await backend.close();
  });

  it("reuses the open transaction for a nested one", async () => {
    const backend = open();
    await expect(
      backend.transaction(async (tx) => {
        await tx.transaction(async (inner) => inner.queue.send([job("nested")]));
        throw new Error("outer fails");
      }),
    ).rejects.toThrow("outer fails");
    expect(await keys(backend)).toEqual([]);
    await backend.close();
  });

  it("refuses a transaction's backend once the transaction ended", async () => {
    const backend = open();
    let leaked: Backend | undefined;
    await backend.transaction(async (tx) => {
      leaked = tx;
    });
    await expect(leaked!.queue.send([job("late")])).rejects.toThrow("after its end");
    await backend.close();
  });

  it("rolls back and frees the lock when COMMIT itself fails", async () => {
    const backend = open();
    backend.db.pragma("foreign_keys = ON");
    backend.db.exec(
      "CREATE TABLE parent (id INTEGER PRIMARY KEY); CREATE TABLE child (p INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)",
    );
    await expect(
      backend.transaction(async (tx) => {
        await tx.queue.send([job("with-bad-child")]);
        backend.db.prepare("INSERT INTO child (p) VALUES (42)").run(); // fails only at COMMIT
      }),
    ).rejects.toThrow(/FOREIGN KEY/);
    expect(backend.db.inTransaction).toBe(false);
    expect(await keys(backend)).toEqual([]);
    await backend.transaction(async (tx) => tx.queue.send([job("after")]));
    expect(await keys(backend)).toEqual(["after"]);
    await backend.close();
  });
});

describe("SqliteBackend repositories", () => {
  it("updates a trigger's state atomically, inside a transaction as part of it", async () => {
    const backend = open();
    const key = { namespace: "tr", flowId: "f", triggerId: "t" };
    await Promise.all(
      Array.from({ length: 5 }, () =>
        backend.triggers.update("main", key, (current) => ({ ...current, n: Number(current.n ?? 0) + 1 })),
      ),
    );
    expect(await backend.triggers.get("main", key)).toMatchObject({ ...key, n: 5 });
    await expect(
      backend.transaction(async (tx) => {
        await tx.triggers.update("main", key, (current) => ({ ...current, n: 99 }));
        throw new Error("rolled back");
      }),
    ).rejects.toThrow("rolled back");
    expect((await backend.triggers.get("main", key))?.n).toBe(5);
    await backend.close();
  });

  it("searches the latest flow revisions and lists their namespaces", async () => {
    const backend = open();
    backend.stores.flows.save("main", "a.b", "one", "id: one", false);
    backend.stores.flows.save("main", "a", "two", "id: two", false);
    backend.stores.flows.save("main", "c", "gone", "id: gone", false);
    backend.stores.flows.delete("main", "c", "gone");
    expect(await backend.flows.namespaces("main")).toEqual(["a", "a.b"]);
    const page = await backend.flows.search("main", { sort: ["id:desc"], size: 1 });
    expect(page).toMatchObject({ total: 2, results: [{ id: "two", namespace: "a" }] });
    await backend.close();
  });
});
