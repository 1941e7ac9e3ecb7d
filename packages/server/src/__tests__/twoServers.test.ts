/**
 * Two webservers on one PostgreSQL database, as behind a load balancer: what one is told, the
 * other answers at once. Server A serves the API only (no executor, no worker), so everything
 * that runs happens in B's process and A hears of it through the database's notifications.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createEngineApi,
  createTestDatabase,
  eventually,
  serviceAvailable,
  type TestDatabase,
} from "@saker/engine/testing";
import { json, postYaml, readEvents, startTestApi, type TestApi } from "./testApi.ts";

/** What the test needs of the PostgreSQL backend's pool (node-postgres). */
interface Pool {
  connect(): Promise<{ query(text: string, values?: unknown[]): Promise<unknown>; release(): void }>;
  query<R>(text: string): Promise<{ rows: R[] }>;
}

const up = await serviceAvailable("PostgreSQL", "127.0.0.1", 5432);

const FLOW = `id: shared
namespace: two.servers
labels:
  team: both
tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: "hello from {{ flow.id }}"
triggers:
  - id: nightly
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 3 * * *"
`;

const TRIGGER = { namespace: "two.servers", flowId: "shared", triggerId: "nightly" };

describe.skipIf(!up)("two webservers on one PostgreSQL database", () => {
  let database: TestDatabase;
  let a: TestApi;
  let b: TestApi;

  beforeAll(async () => {
    database = await createTestDatabase();
    const overrides = { database: { type: "postgres", url: database.url } };
    a = await startTestApi({ overrides, executor: false, worker: false });
    b = await startTestApi({ overrides });
  }, 60_000);
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await database?.drop();
  });

  const setDisabled = (server: TestApi, disabled: boolean) =>
    fetch(`${server.api}/triggers`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...TRIGGER, disabled }),
    });

  it("lists and runs on one a flow saved through the other, and follows the run from the server that does not run it", async () => {
    expect((await postYaml(`${a.api}/flows`, FLOW)).status).toBe(200);
    // no waiting: B reads the committed flow (the search from the database, the flow read again when B's copy lacks it)
    const listed = await json(await fetch(`${b.api}/flows/search?namespace=two.servers`));
    expect(listed).toMatchObject({ total: 1, results: [{ id: "shared", namespace: "two.servers", revision: 1 }] });
    expect(await json(await fetch(`${b.api}/flows/two.servers/shared`))).toMatchObject({ revision: 1 });
    expect(await json(await fetch(`${b.api}/flows/distinct-namespaces`))).toContain("two.servers");

    // a second revision saved through B is A's latest
    expect(
      (await postYaml(`${b.api}/flows/two.servers/shared`, FLOW.replace("hello from", "hi from"), "PUT")).status,
    ).toBe(200);
    expect(await json(await fetch(`${a.api}/flows/two.servers/shared`))).toMatchObject({ revision: 2 });

    // started through A, which runs nothing: B's executor and worker run it
    const created = await json(await fetch(`${a.api}/executions/two.servers/shared`, { method: "POST" }));
    expect(created).toMatchObject({ flowRevision: 2 });
    const { events } = await readEvents(`${a.api}/executions/${created.id}/follow`);
    const end = events.at(-1)!;
    expect(end.id).toBe("end");
    expect(JSON.parse(end.data)).toMatchObject({ id: created.id, state: { current: "SUCCESS" } });
  });

  it("sees on one server the KV entries written through the other", async () => {
    const put = await fetch(`${a.api}/namespaces/two.servers/kv/greeting`, {
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ to: "b" }),
    });
    expect(put.status).toBe(200);
    expect(await json(await fetch(`${b.api}/namespaces/two.servers/kv/greeting`))).toEqual({
      type: "JSON",
      value: { to: "b" },
    });
    expect((await fetch(`${b.api}/namespaces/two.servers/kv/greeting`, { method: "DELETE" })).status).toBe(200);
    expect((await fetch(`${a.api}/namespaces/two.servers/kv/greeting`)).status).toBe(404);
  });

  it("sees on one server a trigger toggled through the other; concurrent toggles end in one state both agree on", async () => {
    expect(await json(await setDisabled(a, true))).toMatchObject({ ...TRIGGER, disabled: true });
    const onB = await json(await fetch(`${b.api}/triggers/two.servers/shared`));
    expect(onB.results[0]).toMatchObject({ ...TRIGGER, disabled: true });

    // toggles from both servers at once: each is applied whole (the row is locked meanwhile)
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => setDisabled(i % 2 === 0 ? a : b, i % 3 === 0)),
    );
    expect(answers.map((r) => r.status)).toEqual(Array.from({ length: 10 }, () => 200));
    const seenByA = (await json(await fetch(`${a.api}/triggers/two.servers/shared`))).results[0];
    const seenByB = (await json(await fetch(`${b.api}/triggers/two.servers/shared`))).results[0];
    expect(seenByA.disabled).toBe(seenByB.disabled);

    // two backfills asked at once, one through each process: one starts, the other is told why not
    const request = { start: "2026-01-01T00:00:00Z", paused: true };
    const both = await Promise.allSettled(
      [a, b].map((server) => createEngineApi(server.test.instance).triggers.startBackfill(TRIGGER, request)),
    );
    expect(both.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const refused = both.find((r) => r.status === "rejected");
    expect(refused?.reason).toMatchObject({ code: "BACKFILL_RUNNING", message: expect.stringContaining("nightly") });
    expect((await json(await fetch(`${b.api}/triggers/two.servers/shared`))).results[0].backfill).toMatchObject({
      paused: true,
    });
  });

  it("keeps both of two label edits of one execution made at once through the two servers", async () => {
    const flow = `id: labelled\nnamespace: two.servers\ntasks:\n  - id: hello\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n`;
    expect((await postYaml(`${a.api}/flows`, flow)).status).toBe(200);
    const created = await json(await fetch(`${a.api}/executions/two.servers/labelled`, { method: "POST" }));
    const { events } = await readEvents(`${a.api}/executions/${created.id}/follow`);
    expect(JSON.parse(events.at(-1)!.data)).toMatchObject({ state: { current: "SUCCESS" } });

    // A third connection holds the execution's row, so that both edits start before either ends.
    const pool = (a.test.instance.backend as unknown as { pool: Pool }).pool;
    const holder = await pool.connect();
    const waitingOnLocks = async () =>
      Number(
        (
          await pool.query<{ n: string }>(
            "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
          )
        ).rows[0]!.n,
      );
    let edits: Promise<Response[]>;
    try {
      await holder.query("BEGIN");
      await holder.query("SELECT 1 FROM executions WHERE id = $1 FOR UPDATE", [created.id]);
      const edit = (server: TestApi, key: string) =>
        fetch(`${server.api}/executions/${created.id}/labels`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify([{ key, value: "1" }]),
        });
      edits = Promise.all([edit(a, "by-a"), edit(b, "by-b")]);
      await eventually(async () => ((await waitingOnLocks()) >= 2 ? true : undefined), 20_000, "both edits waiting");
    } finally {
      await holder.query("COMMIT");
      holder.release();
    }
    expect((await edits).map((r) => r.status)).toEqual([200, 200]);
    const stored = await json(await fetch(`${b.api}/executions/${created.id}`));
    expect(stored.labels).toEqual(
      expect.arrayContaining([
        { key: "by-a", value: "1" },
        { key: "by-b", value: "1" },
      ]),
    );
  });

  it("answers 404 TRIGGER_NOT_FOUND for a trigger no flow declares, on either server", async () => {
    for (const server of [a, b]) {
      const missing = await fetch(`${server.api}/triggers`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ ...TRIGGER, triggerId: "missing", disabled: true }),
      });
      expect(missing.status).toBe(404);
      expect(await json(missing)).toMatchObject({ code: "TRIGGER_NOT_FOUND" });
    }
  });
});
