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
    mirrorA = await FlowMirror.load(a.flows, a.notifier);
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
});
