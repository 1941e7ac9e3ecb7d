import { existsSync, readFileSync } from "node:fs";
import { isSakerError, defineTrigger, z } from "@saker/sdk";
import { describe, expect, it } from "vitest";
import { parseFlow } from "../../flow/parseFlow.ts";
import { CORE_PLUGIN, coreRegistry } from "../../runtime/registryLoader.ts";

const registry = coreRegistry();
const FLOWS = new URL("../../../../../../shared/conformance/kestra/flows/", import.meta.url);

function issues(source: string): { path: string; message: string }[] {
  try {
    parseFlow(source, { registry });
  } catch (error) {
    if (isSakerError(error) && error.code === "FLOW_INVALID")
      return (error.details as { issues: { path: string; message: string }[] }).issues;
    throw error;
  }
  return [];
}

const flow = (triggers: string) =>
  `id: f\nnamespace: company.team\ntasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: hi\ntriggers:\n${triggers}`;

describe("flows with triggers and conditions", () => {
  it("a Schedule with conditions is valid, and old type names become the current ones", () => {
    const parsed = parseFlow(
      flow(`  - id: monthly
    type: io.kestra.core.models.triggers.types.Schedule
    cron: "0 11 * * 1"
    timezone: Europe/Paris
    lateMaximumDelay: PT1H
    recoverMissedSchedules: LAST
    inputs:
      day: "{{ trigger.date }}"
    conditions:
      - type: io.kestra.core.models.conditions.types.DayWeekInMonthCondition
        dayOfWeek: MONDAY
        dayInMonth: FIRST
      - type: io.kestra.plugin.core.condition.Not
        conditions:
          - type: io.kestra.plugin.core.condition.PublicHoliday
            country: FR
    scheduleConditions:
      - type: io.kestra.plugin.core.condition.Weekend
  - id: seconds
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "*/10 * * * * *"
    withSeconds: true
  - id: nickname
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "@daily"`),
      { registry },
    );
    const trigger = parsed.triggers![0]!;
    expect(trigger.type).toBe("io.kestra.plugin.core.trigger.Schedule");
    expect((trigger.conditions as { type: string }[])[0]!.type).toBe("io.kestra.plugin.core.condition.DayWeekInMonth");
  });

  it("names the YAML path of an unknown property, a bad cron, and a condition of an unknown type", () => {
    expect(
      issues(
        flow(`  - id: s
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 9 * * *"
    cronn: "0 9 * * *"
  - id: bad
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "61 9 * * *"
  - id: w
    type: io.kestra.plugin.core.trigger.Webhook
    key: k
    conditions:
      - type: io.kestra.plugin.core.condition.NoSuchCondition`),
      ),
    ).toEqual([
      { path: "triggers[0].cronn", message: "unknown property 'cronn'", line: 11, column: 12 },
      {
        path: "triggers[1].cron",
        message: "invalid cron expression '61 9 * * *': Invalid value for minute: 61 (got \"61 9 * * *\")",
        line: 14,
        column: 11,
      },
      {
        path: "triggers[2].conditions[0].type",
        message: expect.stringMatching(/^unknown type 'io.kestra.plugin.core.condition.NoSuchCondition'/),
        line: 19,
        column: 15,
      },
    ]);
  });

  it("checks the cron against withSeconds, the time zone and the missed-schedule policy", () => {
    expect(
      issues(flow(`  - id: s\n    type: io.kestra.plugin.core.trigger.Schedule\n    cron: "* * * * * *"`)).map((i) => [
        i.path,
        i.message,
      ]),
    ).toEqual([["triggers[0]", "cron: a cron expression needs 5 fields, got 6 in '* * * * * *'"]]);
    expect(
      issues(
        flow(
          `  - id: s\n    type: io.kestra.plugin.core.trigger.Schedule\n    cron: "0 0 * * *"\n    withSeconds: true`,
        ),
      ).map((i) => i.message),
    ).toEqual(["cron: a cron expression needs 6 fields (withSeconds: true), got 5 in '0 0 * * *'"]);
    expect(
      issues(
        flow(
          `  - id: s\n    type: io.kestra.plugin.core.trigger.Schedule\n    cron: "@every"\n    timezone: Mars/Base\n    recoverMissedSchedules: SOME`,
        ),
      ).map((i) => i.path),
    ).toEqual(["triggers[0].cron", "triggers[0].timezone", "triggers[0].recoverMissedSchedules"]);
  });

  it("checks the properties of nested conditions", () => {
    expect(
      issues(
        flow(`  - id: s
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 9 * * *"
    conditions:
      - type: io.kestra.plugin.core.condition.Or
        conditions:
          - type: io.kestra.plugin.core.condition.DayWeek
            dayOfWeek: FUNDAY
          - type: io.kestra.plugin.core.condition.TimeBetween
            after: "25:00:00Z"
      - type: io.kestra.plugin.core.condition.ExecutionStatus
        in: [DONE]`),
      ).map((i) => i.path),
    ).toEqual([
      "triggers[0].conditions[0].conditions[0].dayOfWeek",
      "triggers[0].conditions[0].conditions[1].after",
      "triggers[0].conditions[1].in[0]",
    ]);
  });

  it("checks preconditions: time window settings, filter values, upstream flows", () => {
    const found = issues(
      flow(`  - id: f
    type: io.kestra.plugin.core.trigger.Flow
    preconditions:
      id: pre
      timeWindow:
        type: DAILY_TIME_WINDOW
        startTime: "06:00:00"
        window: PT1H
      flows:
        - flowId: no-namespace
      where:
        - id: w
          filters:
            - field: STATE
              type: IN
              value: SUCCESS
            - field: COLOUR
              type: EQUAL_TO
              value: red`),
    );
    expect(found.map((i) => [i.path, i.message])).toEqual([
      ["triggers[0].preconditions.flows[0].namespace", "is required"],
      [
        "triggers[0].preconditions.where[0].filters[1].field",
        expect.stringMatching(/^must be one of FLOW_ID, NAMESPACE, STATE, EXPRESSION/),
      ],
      ["triggers[0]", "preconditions.timeWindow.window: a time window of type DAILY_TIME_WINDOW cannot have 'window'"],
      ["triggers[0]", "preconditions.timeWindow.endTime: a time window of type DAILY_TIME_WINDOW must have 'endTime'"],
      ["triggers[0]", "preconditions.where[0].filters[0]: 'value' must not be set for type IN"],
      ["triggers[0]", "preconditions.where[0].filters[0]: 'values' is required for type IN"],
    ]);
  });

  it("a polling http.Trigger takes an interval; a Webhook key is at most 256 characters", () => {
    expect(
      issues(
        flow(
          `  - id: h\n    type: io.kestra.plugin.core.http.Trigger\n    uri: http://localhost/x\n    interval: PT5S\n    method: POST`,
        ),
      ),
    ).toEqual([]);
    expect(
      issues(
        flow(
          `  - id: h\n    type: io.kestra.plugin.core.http.Trigger\n    uri: http://localhost/x\n    interval: soon`,
        ),
      ).map((i) => i.path),
    ).toEqual(["triggers[0].interval"]);
    expect(
      issues(flow(`  - id: w\n    type: io.kestra.plugin.core.trigger.Webhook\n    key: ${"k".repeat(257)}`)).map(
        (i) => i.path,
      ),
    ).toEqual(["triggers[0].key"]);
    expect(
      issues(
        flow(
          `  - id: w\n    type: io.kestra.plugin.core.trigger.Webhook\n    key: k\n    wait: true\n    returnOutputs: true\n    responseContentType: text/plain`,
        ),
      ),
    ).toEqual([]);
  });

  it("a Webhook cannot have a MultipleCondition", () => {
    expect(
      issues(
        flow(
          `  - id: w\n    type: io.kestra.plugin.core.trigger.Webhook\n    key: k\n    conditions:\n      - id: m\n        type: io.kestra.plugin.core.condition.MultipleCondition\n        conditions:\n          a:\n            type: io.kestra.plugin.core.condition.Weekend`,
        ),
      ).map((i) => [i.path, i.message]),
    ).toEqual([["triggers[0]", "conditions[0]: a Webhook trigger cannot have a MultipleCondition"]]);
  });

  it("a condition cannot stand where a trigger is expected, nor a trigger as a condition", () => {
    expect(issues(flow(`  - id: c\n    type: io.kestra.plugin.core.condition.Weekend`)).map((i) => i.message)).toEqual([
      "'io.kestra.plugin.core.condition.Weekend' is a condition, not a trigger",
    ]);
    expect(
      issues(
        flow(
          `  - id: s\n    type: io.kestra.plugin.core.trigger.Schedule\n    cron: "@hourly"\n    conditions:\n      - type: io.kestra.plugin.core.trigger.Webhook\n        key: k`,
        ),
      ).map((i) => i.message),
    ).toEqual(["'io.kestra.plugin.core.trigger.Webhook' is a trigger, not a condition"]);
  });
});

// Kestra's own test flows, when the conformance suite sits beside the repository (../shared);
// the conformance runners (CLI and API) import every one of them too.
describe.runIf(existsSync(FLOWS))("conformance flows using triggers", () => {
  // Kestra's test plugin with the `io.kestra.core.runners.test.trigger.Alias` alias, registered for this test only.
  const withAlias = coreRegistry();
  withAlias.addType(
    { ...CORE_PLUGIN, name: "test" },
    defineTrigger({
      type: "io.kestra.core.runners.test.TriggerWithAlias",
      aliases: ["io.kestra.core.runners.test.trigger.Alias"],
      triggerKind: "polling",
      title: "Test trigger",
      properties: z.object({}),
    }),
  );
  const files = [
    "schedule-trigger.yaml",
    "webhook.yaml",
    "webhook-dynamic-key.yaml",
    "webhook-secret-key.yaml",
    "webhook-with-condition.yaml",
    "trigger-flow.yaml",
    "trigger-flow-listener.yaml",
    "trigger-flow-listener-invalid.yaml",
    "trigger-flow-listener-namespace-condition.yaml",
    "trigger-flow-listener-no-inputs.yaml",
    "trigger-flow-listener-with-pause.yaml",
    "trigger-flow-with-pause.yaml",
    "trigger-multiplecondition-failed.yaml",
    "trigger-multiplecondition-listener.yaml",
    "trigger-multiplecondition-flow-a.yaml",
    "trigger-toggle.yaml",
    "flow-trigger-preconditions-flow-a.yaml",
    "flow-trigger-preconditions-flow-b.yaml",
    "flow-trigger-preconditions-flow-listen.yaml",
    "http-listen.yaml",
    "http-listen-encrypted.yaml",
    "alias-trigger.yaml",
  ];
  // Inputs without `defaults` are reported as missing it by the flow model, a problem outside
  // triggers (validateValue takes `z.unknown()` for required): every other part must validate.
  const problemsOutsideInputs = (file: string) => {
    try {
      const parsed = parseFlow(readFileSync(new URL(file, FLOWS), "utf8"), { registry: withAlias, sourceName: file });
      for (const trigger of parsed.triggers ?? []) expect(withAlias.resolve(trigger.type).nodeKind).toBe("trigger");
      return [];
    } catch (error) {
      if (!isSakerError(error) || error.code !== "FLOW_INVALID") throw error;
      return (error.details as { issues: { path: string }[] }).issues.filter(
        (i) => !/^inputs\[\d+\]\.(defaults|prefill)$/.test(i.path),
      );
    }
  };
  it.each(files)("%s validates", (file) => {
    expect(problemsOutsideInputs(file)).toEqual([]);
  });

  it("alias-trigger needs the test trigger: the core registry alone rejects it", () => {
    const source = readFileSync(new URL("alias-trigger.yaml", FLOWS), "utf8");
    expect(() => parseFlow(source, { registry })).toThrow(/unknown type 'io.kestra.core.runners.test.trigger.Alias'/);
  });

  it("trigger-toggle resolves the old Toggle name", () => {
    const parsed = parseFlow(readFileSync(new URL("trigger-toggle.yaml", FLOWS), "utf8"), { registry });
    expect(parsed.tasks[0]!.type).toBe("io.kestra.plugin.core.trigger.Toggle");
  });
});
