import type { Logger, RunContext } from "@saker/sdk";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase, type SqliteDatabase } from "../../backend/sqlite/database.ts";
import { FlowStore } from "../../backend/sqlite/flowStore.ts";
import { TriggerStore } from "../../backend/sqlite/triggerStore.ts";
import { attachEngineServices, type EngineServices } from "../../plugins/engineServices.ts";
import { FlowService } from "../../runtime/flowService.ts";
import { coreRegistry } from "../../runtime/registryLoader.ts";
import { Toggle } from "./toggle.ts";

let db: SqliteDatabase | undefined;
afterEach(() => db?.close());

const FLOW = `id: daily
namespace: company.team
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: hi
triggers:
  - id: schedule
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 9 * * *"
`;

function setup() {
  db = openDatabase(":memory:");
  const registry = coreRegistry();
  const flows = new FlowService(new FlowStore(db), registry, "main", []);
  flows.deploy(FLOW);
  const triggers = new TriggerStore(db);
  const lines: string[] = [];
  const log = (_: string, message: string, ...args: unknown[]) =>
    void lines.push(args.reduce<string>((text, arg) => text.replace("{}", String(arg)), message));
  const logger = { log, info: (m: string, ...a: unknown[]) => log("INFO", m, ...a) } as unknown as Logger;
  // Only what Toggle reads of a RunContext: the flow, a logger, and the engine services.
  const ctx = { flow: { id: "caller", namespace: "company.team" }, logger } as unknown as RunContext;
  attachEngineServices(ctx, { tenantId: "main", flows, triggers, registry } as unknown as EngineServices);
  return { ctx, triggers, lines };
}

const key = { namespace: "company.team", flowId: "daily", triggerId: "schedule" };

describe("Toggle", () => {
  it("disables by default, enables with enabled: true", async () => {
    const { ctx, triggers, lines } = setup();
    await Toggle.run(Toggle.properties.parse({ flowId: "daily", trigger: "schedule" }), ctx);
    expect(triggers.get("main", key)?.disabled).toBe(true);
    await Toggle.run(
      Toggle.properties.parse({ namespace: "company.team", flowId: "daily", trigger: "schedule", enabled: true }),
      ctx,
    );
    expect(triggers.get("main", key)?.disabled).toBe(false);
    expect(lines).toEqual([
      "Trigger schedule of flow company.team.daily is now disabled",
      "Trigger schedule of flow company.team.daily is now enabled",
    ]);
  });

  it("keeps the rest of the trigger's state", async () => {
    const { ctx, triggers } = setup();
    triggers.put("main", { ...key, lastDate: "2024-03-05T09:00:00.000Z" });
    await Toggle.run(Toggle.properties.parse({ flowId: "daily", trigger: "schedule" }), ctx);
    expect(triggers.get("main", key)).toMatchObject({ disabled: true, lastDate: "2024-03-05T09:00:00.000Z" });
  });

  it("fails on an unknown flow or trigger, defaulting to the current flow", async () => {
    const { ctx } = setup();
    await expect(Toggle.run(Toggle.properties.parse({ flowId: "nope", trigger: "schedule" }), ctx)).rejects.toThrow(
      "Unable to find flow company.team.nope",
    );
    await expect(Toggle.run(Toggle.properties.parse({ flowId: "daily", trigger: "nope" }), ctx)).rejects.toThrow(
      "Unable to find trigger nope for the flow company.team.daily",
    );
    await expect(Toggle.run(Toggle.properties.parse({ trigger: "schedule" }), ctx)).rejects.toThrow(
      "Unable to find flow company.team.caller",
    );
  });
});
