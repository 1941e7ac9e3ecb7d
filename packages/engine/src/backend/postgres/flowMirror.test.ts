import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serviceAvailable } from "../../testing/services.ts";
import { FlowMirror } from "./flowMirror.ts";
import { PostgresBackend } from "./postgresBackend.ts";
import { createTestDatabase, type TestDatabase } from "./testDatabase.ts";

const up = await serviceAvailable("PostgreSQL", "127.0.0.1", 5432);

describe.skipIf(!up)("FlowMirror", () => {
  let database: TestDatabase;
  let a: PostgresBackend;
  let b: PostgresBackend;
  let mirrorA: FlowMirror;
  let mirrorB: FlowMirror;

  beforeAll(async () => {
    database = await createTestDatabase();
    a = await PostgresBackend.open({ url: database.url });
    b = await PostgresBackend.open({ url: database.url });
    mirrorA = await FlowMirror.load(a.flows, a.notifier, (fn) =>
      a.transaction((tx) => fn((tx as unknown as PostgresBackend).flows)),
    );
    mirrorB = await FlowMirror.load(b.flows, b.notifier);
  });
  afterAll(async () => {
    mirrorA?.close();
    mirrorB?.close();
    await a?.close();
    await b?.close();
    await database?.drop();
  });

  it("saves revisions at once in memory, writes them behind, and another process hears of them", async () => {
    const first = mirrorA.save("main", "m.a", "f", "source 1", false);
    expect(first).toMatchObject({ created: true, flow: { revision: 1 } });
    expect(mirrorA.save("main", "m.a", "f", "source 1", false).created).toBe(false);
    mirrorA.save("main", "m.a", "f", "source 2", true, [{ key: "k", value: "v" }]);
    await mirrorA.flush();
    expect((await b.flows.revisions("main", "m.a", "f")).map((f) => f.source)).toEqual(["source 1", "source 2"]);
    await expect.poll(() => mirrorB.latest("main", "m.a", "f")?.revision, { timeout: 5000 }).toBe(2);
    expect(mirrorB.heads("main")).toEqual([{ namespace: "m.a", id: "f", revision: 2, disabled: true }]);

    expect(mirrorB.delete("main", "m.a", "f")).toBe(true);
    await mirrorB.flush();
    await expect.poll(() => mirrorA.all("main").length, { timeout: 5000 }).toBe(0);
    expect(mirrorA.latest("main", "m.a", "f")).toMatchObject({ revision: 3, deleted: true, source: "source 2" });
    expect(mirrorA.deleteRevisions("main", "m.a", "f", [1, 2])).toBe(2);
    await mirrorA.flush();
    expect((await b.flows.revisions("main", "m.a", "f")).map((f) => f.revision)).toEqual([3]);
  });

  it("rejects the flush of a revision another process saved first, and reloads that flow", async () => {
    mirrorA.save("main", "m.b", "g", "from a", false);
    await mirrorA.flush();
    // B has not heard of A's revision yet (the notification needs I/O): it saves the same number
    expect(mirrorB.save("main", "m.b", "g", "from b", false).flow.revision).toBe(1);
    await expect(mirrorB.flush()).rejects.toThrow(/duplicate key/);
    expect(mirrorB.latest("main", "m.b", "g")).toMatchObject({ revision: 1, source: "from a" });
  });

  it("writes the saves and deletes of `together` in one transaction: all of them, or none when one fails", async () => {
    mirrorA.save("main", "m.c", "x", "x 1", false);
    mirrorA.save("main", "m.c", "gone", "g 1", false);
    await mirrorA.flush();
    mirrorA.together(() => {
      mirrorA.save("main", "m.c", "x", "x 2", false);
      mirrorA.delete("main", "m.c", "gone");
    });
    await mirrorA.flush();
    expect((await b.flows.revisions("main", "m.c", "x")).map((f) => f.source)).toEqual(["x 1", "x 2"]);
    expect(await b.flows.latest("main", "m.c", "gone")).toMatchObject({ revision: 2, deleted: true });

    // B saves flow y first; A, not told yet, saves its own y with x in one batch: neither is written
    mirrorB.save("main", "m.c", "y", "y from b", false);
    await mirrorB.flush();
    mirrorA.together(() => {
      mirrorA.save("main", "m.c", "x", "x 3", false);
      mirrorA.save("main", "m.c", "y", "y from a", false);
    });
    await expect(mirrorA.flush()).rejects.toThrow(/duplicate key/);
    expect((await b.flows.revisions("main", "m.c", "x")).map((f) => f.revision)).toEqual([1, 2]);
    expect(mirrorA.latest("main", "m.c", "x")).toMatchObject({ revision: 2, source: "x 2" });
    expect(mirrorA.latest("main", "m.c", "y")).toMatchObject({ revision: 1, source: "y from b" });

    // a batch whose function throws writes nothing, and its flows are read again
    expect(() =>
      mirrorA.together(() => {
        mirrorA.save("main", "m.c", "x", "x 4", false);
        throw new Error("half way");
      }),
    ).toThrow("half way");
    await mirrorA.flush();
    expect(mirrorA.latest("main", "m.c", "x")).toMatchObject({ revision: 2 });
    expect((await b.flows.revisions("main", "m.c", "x")).map((f) => f.revision)).toEqual([1, 2]);
  });

  it("catches up with a revision another process committed before its notification arrives", async () => {
    mirrorA.save("main", "m.d", "z", "z 1", false);
    await mirrorA.flush();
    await mirrorB.refresh("main", "m.d", "z");
    expect(mirrorB.latest("main", "m.d", "z")?.revision).toBe(1);
    mirrorA.save("main", "m.d", "z", "z 2", false);
    await mirrorA.flush();
    await mirrorB.refresh("main", "m.d", "z");
    expect(mirrorB.latest("main", "m.d", "z")).toMatchObject({ revision: 2, source: "z 2" });
    await mirrorB.refresh("main", "m.d", "z", 1);
    expect(mirrorB.revision("main", "m.d", "z", 1)?.source).toBe("z 1");
  });
});
