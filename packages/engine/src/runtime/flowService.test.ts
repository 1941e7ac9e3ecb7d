/**
 * Disabling or enabling a flow saves its source with `disabled` set (withDisabled): the flow of
 * that source is the parsed previous revision's with `disabled` set, derived without parsing the
 * source again, and equal to what parsing it gives; anything else is parsed.
 */
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase, type SqliteDatabase } from "../backend/sqlite/database.ts";
import { FlowStore } from "../backend/sqlite/flowStore.ts";
import { parseFlow } from "../flow/parseFlow.ts";
import { setDataLimits } from "../model/dataLimits.ts";
import { withDisabled } from "../model/disabledSource.ts";
import type { Flow } from "../model/flow.ts";
import { FlowService } from "./flowService.ts";
import { coreRegistry } from "./registryLoader.ts";

const FLOW = `# a flow with most parts
id: toggled
namespace: company.team
labels:
  team: data
inputs:
  - name: who
    type: STRING
    defaults: world
pluginDefaults:
  - type: io.kestra.plugin.core.log.Log
    values:
      level: WARN
tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: "hello {{ inputs.who }}"
  - id: parallel
    type: io.kestra.plugin.core.flow.Parallel
    tasks:
      - id: inner
        type: io.kestra.plugin.core.debug.Return
        format: x
        disabled: true
triggers:
  - id: daily
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 9 * * *"
# the end
`;

let db: SqliteDatabase | undefined;
const registry = coreRegistry();

afterEach(() => {
  db?.close();
  db = undefined;
  setDataLimits({});
});

function service(): FlowService {
  db = openDatabase(":memory:");
  return new FlowService(new FlowStore(db), registry, "main", []);
}

/** What parsing gives, key order included. */
function expectParsed(flow: Flow, source: string): void {
  const parsed = parseFlow(source, { registry, globalDefaults: [] });
  expect(flow).toEqual(parsed);
  expect(Object.keys(flow)).toEqual(Object.keys(parsed));
}

describe("a flow disabled or enabled through its source", () => {
  it("is the previous revision's flow with disabled set, not parsed again", async () => {
    const flows = service();
    const first = flows.deploy(FLOW);
    const disabledSource = withDisabled(first.stored.source, true);
    expect(disabledSource).toBe(`${FLOW.replace("# the end\n", "")}disabled: true\n# the end\n`);

    const disabled = await flows.validateAsync(disabledSource);
    expect(disabled.disabled).toBe(true);
    expect(disabled.tasks).toBe(first.flow.tasks); // derived, not parsed
    expectParsed(disabled, disabledSource);
    const second = flows.save(disabledSource, disabled);
    expect(second.stored).toMatchObject({ revision: 2, disabled: true });

    const enabledSource = withDisabled(second.stored.source, false);
    expect(enabledSource).toBe(`${FLOW.replace("# the end\n", "")}disabled: false\n# the end\n`);
    const enabled = flows.validate(enabledSource);
    expect(enabled.disabled).toBe(false);
    expect(enabled.tasks).toBe(first.flow.tasks);
    expectParsed(enabled, enabledSource);
    expect(flows.save(enabledSource, enabled).stored).toMatchObject({ revision: 3, disabled: false });
    expect(flows.get("company.team", "toggled").flow).toMatchObject({ revision: 3, disabled: false });
  });

  it("keeps where the source had disabled", async () => {
    const flows = service();
    const source = FLOW.replace("labels:", "disabled: false # on\nlabels:");
    const first = flows.deploy(source);
    const edited = withDisabled(source, true);
    expect(edited).toBe(FLOW.replace("labels:", "disabled: true # on\nlabels:"));
    const flow = await flows.validateAsync(edited);
    expect(flow.tasks).toBe(first.flow.tasks);
    expectParsed(flow, edited);
  });

  it("is parsed when the edit is not of the latest revision parsed here, or was taken already", async () => {
    const flows = service();
    const first = flows.deploy(FLOW);

    const once = withDisabled(first.stored.source, true);
    expect((await flows.validateAsync(once)).tasks).toBe(first.flow.tasks);
    const again = await flows.validateAsync(once);
    expect(again.tasks).not.toBe(first.flow.tasks);
    expectParsed(again, once);

    // another revision saved since
    const stale = withDisabled(first.stored.source, true);
    flows.deploy(FLOW.replace("format: x", "format: y"));
    const parsed = await flows.validateAsync(stale);
    expect(parsed.tasks).not.toBe(first.flow.tasks);
    expectParsed(parsed, stale);

    // parsed revisions forgotten (plugins changed)
    const latest = flows.get("company.team", "toggled");
    const forgotten = withDisabled(latest.stored.source, true);
    flows.invalidate();
    const reparsed = flows.validate(forgotten);
    expect(reparsed.tasks).not.toBe(latest.flow.tasks);
    expectParsed(reparsed, forgotten);
  });

  it("is refused as any source over limits.maxFlowBytes", async () => {
    const flows = service();
    const first = flows.deploy(FLOW);
    const edited = withDisabled(first.stored.source, true);
    setDataLimits({ maxFlowBytes: FLOW.length + 5 });
    await expect(flows.validateAsync(edited)).rejects.toMatchObject({ code: "FLOW_TOO_LARGE" });
  });
});
