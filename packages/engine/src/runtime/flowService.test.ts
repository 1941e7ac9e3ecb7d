/**
 * Disabling or enabling a flow saves its source with `disabled` set (FlowService.toggleAsync): the
 * flow of that source is the parsed previous revision's with `disabled` set, derived without
 * parsing the source again, and equal to what parsing it gives; anything else is left to the
 * caller to parse. Nothing is kept between calls, nor shared between services.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase, type SqliteDatabase } from "../backend/sqlite/database.ts";
import { FlowStore } from "../backend/sqlite/flowStore.ts";
import { parseFlow } from "../flow/parseFlow.ts";
import { setDataLimits } from "../model/dataLimits.ts";
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

const databases: SqliteDatabase[] = [];
const registry = coreRegistry();

afterEach(() => {
  for (const db of databases.splice(0)) db.close();
  setDataLimits({});
});

function service(): FlowService {
  const db = openDatabase(":memory:");
  databases.push(db);
  return new FlowService(new FlowStore(db), registry, "main", []);
}

/** What parsing gives, key order included. */
function expectParsed(flow: Flow | undefined, source: string): void {
  const parsed = parseFlow(source, { registry, globalDefaults: [] });
  expect(flow).toEqual(parsed);
  expect(Object.keys(flow!)).toEqual(Object.keys(parsed));
}

describe("a flow disabled or enabled through its source", () => {
  it("is the previous revision's flow with disabled set, not parsed again", async () => {
    const flows = service();
    const first = flows.deploy(FLOW);
    const { source: disabledSource, flow: disabled } = await flows.toggleAsync(first.stored, true);
    expect(disabledSource).toBe(`${FLOW.replace("# the end\n", "")}disabled: true\n# the end\n`);
    expect(disabled?.disabled).toBe(true);
    expect(disabled?.tasks).toBe(first.flow.tasks); // derived, not parsed
    expectParsed(disabled, disabledSource);
    const second = flows.save(disabledSource, disabled!);
    expect(second.stored).toMatchObject({ revision: 2, disabled: true });

    const { source: enabledSource, flow: enabled } = await flows.toggleAsync(second.stored, false);
    expect(enabledSource).toBe(`${FLOW.replace("# the end\n", "")}disabled: false\n# the end\n`);
    expect(enabled?.disabled).toBe(false);
    expect(enabled?.tasks).toBe(first.flow.tasks);
    expectParsed(enabled, enabledSource);
    expect(flows.save(enabledSource, enabled!).stored).toMatchObject({ revision: 3, disabled: false });
    expect(flows.get("company.team", "toggled").flow).toMatchObject({ revision: 3, disabled: false });
  });

  it("keeps where the source had disabled", async () => {
    const flows = service();
    const source = FLOW.replace("labels:", "disabled: false # on\nlabels:");
    const first = flows.deploy(source);
    const edited = await flows.toggleAsync(first.stored, true);
    expect(edited.source).toBe(FLOW.replace("labels:", "disabled: true # on\nlabels:"));
    expect(edited.flow?.tasks).toBe(first.flow.tasks);
    expectParsed(edited.flow, edited.source);
  });

  it("is the same for every call: nothing is taken or kept", async () => {
    const flows = service();
    const first = flows.deploy(FLOW);
    const once = await flows.toggleAsync(first.stored, true);
    const twice = await flows.toggleAsync(first.stored, true);
    expect(twice.source).toBe(once.source);
    expect(twice.flow?.tasks).toBe(first.flow.tasks);
    // validating the edited source parses it
    const parsed = await flows.validateAsync(once.source);
    expect(parsed.tasks).not.toBe(first.flow.tasks);
    expectParsed(parsed, once.source);
  });

  it("is left to the caller when the revision is not the latest parsed here, or the text edit did not do", async () => {
    const flows = service();
    const first = flows.deploy(FLOW);

    // another revision saved since
    flows.deploy(FLOW.replace("format: x", "format: y"));
    const stale = await flows.toggleAsync(first.stored, true);
    expect(stale).toEqual({ source: `${FLOW.replace("# the end\n", "")}disabled: true\n# the end\n`, flow: undefined });

    // parsed revisions forgotten (plugins changed)
    const latest = flows.get("company.team", "toggled");
    flows.invalidate();
    const forgotten = await flows.toggleAsync(latest.stored, true);
    expect(forgotten.flow).toBeUndefined();
    expectParsed(flows.validate(forgotten.source), forgotten.source);

    // a deleted flow
    flows.delete("company.team", "toggled");
    expect((await flows.toggleAsync(latest.stored, true)).flow).toBeUndefined();

    // a flow-style source goes through a Document, which prints it again
    const flowStyle =
      "{id: styled, namespace: company.team, tasks: [{id: a, type: io.kestra.plugin.core.debug.Return}]}\n";
    const styled = flows.deploy(flowStyle);
    const edited = await flows.toggleAsync(styled.stored, true);
    expect(edited.flow).toBeUndefined();
    expect(flows.validate(edited.source)).toMatchObject({ id: "styled", disabled: true });
  });

  it("is refused as any source over limits.maxFlowBytes", async () => {
    const flows = service();
    const first = flows.deploy(FLOW);
    setDataLimits({ maxFlowBytes: FLOW.length + 5 });
    const edited = await flows.toggleAsync(first.stored, true);
    expect(edited.flow).toBeUndefined();
    await expect(flows.validateAsync(edited.source)).rejects.toMatchObject({ code: "FLOW_TOO_LARGE" });
  });

  it("is derived from what this service parsed only: two services, or tenants, do not meet", async () => {
    const db = openDatabase(":memory:");
    databases.push(db);
    const store = new FlowStore(db);
    const one = new FlowService(store, registry, "main", []);
    const two = new FlowService(store, registry, "main", []);
    const other = new FlowService(store, registry, "other", []);
    const first = one.deploy(FLOW);
    const elsewhere = other.deploy(FLOW.replace("format: x", "format: y"));

    // `two` reads the same store but parsed nothing: it leaves the flow to the caller
    const fromTwo = await two.toggleAsync(first.stored, true);
    expect(fromTwo.flow).toBeUndefined();
    const parsedByTwo = await two.validateAsync(fromTwo.source);
    expect(parsedByTwo.tasks).not.toBe(first.flow.tasks);
    expectParsed(parsedByTwo, fromTwo.source);

    // each service derives from its own parse, of its own tenant's revision
    const fromOne = await one.toggleAsync(first.stored, true);
    expect(fromOne.source).toBe(fromTwo.source);
    expect(fromOne.flow?.tasks).toBe(first.flow.tasks);
    const fromOther = await other.toggleAsync(elsewhere.stored, true);
    expect(fromOther.flow?.tasks).toBe(elsewhere.flow.tasks);
    // a revision of another tenant is not this one's latest (same flow, same revision number, another source)
    expect((await other.toggleAsync(first.stored, true)).flow).toBeUndefined();
  });
});

const BUILT = fileURLToPath(new URL("../../dist/runtime/flowService.js", import.meta.url));

describe("a large flow disabled through the worker thread", () => {
  // The worker runs the compiled modules only (yamlOffThread.ts): so does this test (npm test builds them).
  it("is edited in the worker, its flow still derived", async () => {
    expect(existsSync(BUILT), `${BUILT} is built by npm test (tsc -b)`).toBe(true);
    const built = {
      ...(await import("../../dist/runtime/flowService.js")),
      ...(await import("../../dist/backend/sqlite/database.js")),
      ...(await import("../../dist/backend/sqlite/flowStore.js")),
      ...(await import("../../dist/runtime/registryLoader.js")),
      ...(await import("../../dist/model/yamlOffThread.js")),
    };
    let source = "id: large\nnamespace: big.flows\ntasks:\n";
    for (let i = 0; i < 1_000; i++)
      source += `  - id: t${i}\n    type: io.kestra.plugin.core.debug.Return\n    format: "{{ task.id }} ${i}"\n`;
    expect(source.length).toBeGreaterThan(built.OFF_THREAD_BYTES);
    const db = built.openDatabase(":memory:");
    try {
      const flows = new built.FlowService(new built.FlowStore(db), built.coreRegistry(), "main", []);
      const first = flows.deploy(source);
      // The edit goes to the worker: stopping it (one just started, still loading) fails the edit, naming the flow.
      await built.stopYamlWorker();
      const stopped = flows.toggleAsync(first.stored, true);
      await built.stopYamlWorker();
      await expect(stopped).rejects.toMatchObject({
        code: "YAML_PARSER_STOPPED",
        message: expect.stringContaining("flow 'big.flows/large'"),
      });
      // A fresh worker edits it.
      const { source: edited, flow } = await flows.toggleAsync(first.stored, true);
      expect(edited).toBe(`${source}disabled: true\n`);
      expect(flow?.tasks).toBe(first.flow.tasks);
      expect(flow).toEqual(parseFlow(edited, { registry, globalDefaults: [] }));
      expect(flows.save(edited, flow!).stored).toMatchObject({ revision: 2, disabled: true });
    } finally {
      db.close();
      await built.stopYamlWorker();
    }
  }, 60_000);
});
