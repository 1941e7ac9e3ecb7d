import { afterEach, describe, expect, it } from "vitest";
import { openDatabase, type SqliteDatabase } from "./database.ts";
import { TriggerStore } from "./triggerStore.ts";

let db: SqliteDatabase | undefined;
afterEach(() => db?.close());

function store(): TriggerStore {
  db = openDatabase(":memory:");
  return new TriggerStore(db);
}

const key = { namespace: "company.team", flowId: "daily", triggerId: "schedule" };

describe("TriggerStore", () => {
  it("stores and reads a trigger's state as JSON", () => {
    const triggers = store();
    expect(triggers.get("main", key)).toBeUndefined();
    const saved = triggers.put("main", {
      ...key,
      lastDate: "2024-03-05T10:00:00.000Z",
      nextDate: "2024-03-05T11:00:00.000Z",
    });
    expect(saved.updatedDate).toMatch(/^\d{4}-/);
    expect(triggers.get("main", key)).toEqual({
      ...key,
      lastDate: "2024-03-05T10:00:00.000Z",
      nextDate: "2024-03-05T11:00:00.000Z",
      updatedDate: saved.updatedDate,
    });
    expect(triggers.get("other", key)).toBeUndefined();
  });

  it("updates in place and toggles disabled, keeping the rest", () => {
    const triggers = store();
    triggers.put("main", {
      ...key,
      lastDate: "2024-03-05T10:00:00.000Z",
      windows: { pre: { results: { a: "2024-03-05T09:00:00.000Z" } } },
    });
    expect(triggers.setDisabled("main", key, true)).toMatchObject({
      disabled: true,
      lastDate: "2024-03-05T10:00:00.000Z",
    });
    const updated = triggers.update("main", key, (state) => ({
      ...state,
      nextDate: "2024-03-06T10:00:00.000Z",
      disabled: false,
    }));
    expect(updated).toMatchObject({
      disabled: false,
      nextDate: "2024-03-06T10:00:00.000Z",
      windows: { pre: { results: { a: "2024-03-05T09:00:00.000Z" } } },
    });
    expect(triggers.get("main", key)?.disabled).toBe(false);
    // a trigger with no state yet starts empty
    expect(triggers.setDisabled("main", { ...key, triggerId: "new" }, true)).toMatchObject({
      triggerId: "new",
      disabled: true,
    });
  });

  it("lists by namespace (children included) and flow, and deletes", () => {
    const triggers = store();
    triggers.put("main", key);
    triggers.put("main", { namespace: "company.team.sub", flowId: "a", triggerId: "t" });
    triggers.put("main", { namespace: "company.teams", flowId: "b", triggerId: "t" });
    triggers.put("main", { namespace: "company.team", flowId: "other", triggerId: "t" });
    expect(triggers.list("main", { namespace: "company.team" }).map((t) => `${t.namespace}/${t.flowId}`)).toEqual([
      "company.team/daily",
      "company.team/other",
      "company.team.sub/a",
    ]);
    expect(triggers.list("main", { namespace: "company.team", flowId: "daily" })).toHaveLength(1);
    expect(triggers.list("main")).toHaveLength(4);
    expect(triggers.delete("main", key)).toBe(true);
    expect(triggers.delete("main", key)).toBe(false);
  });
});
