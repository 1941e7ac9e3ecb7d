import { describe, expect, it } from "vitest";
import { canonicalAlias } from "./aliases.ts";
import { applyPluginDefaults } from "./pluginDefaults.ts";

describe("pluginDefaults", () => {
  const flow = {
    id: "f",
    tasks: [
      { id: "a", type: "io.kestra.plugin.core.log.Log", message: "mine" },
      { id: "b", type: "io.kestra.plugin.jdbc.postgresql.Query", url: "jdbc:postgresql://own" },
      {
        id: "seq",
        type: "io.kestra.plugin.core.flow.Sequential",
        tasks: [{ id: "c", type: "io.kestra.plugin.core.log.Log" }],
      },
    ],
  };

  it("fills missing values by type prefix, the node's own values winning", () => {
    const result = applyPluginDefaults(flow, [
      { type: "io.kestra.plugin.core.log.Log", values: { message: "default", level: "WARN" } },
      { type: "io.kestra.plugin.jdbc", values: { url: "jdbc:postgresql://default", username: "u" } },
    ]) as typeof flow;
    expect(result.tasks[0]).toMatchObject({ message: "mine", level: "WARN" });
    expect(result.tasks[1]).toMatchObject({ url: "jdbc:postgresql://own", username: "u" });
    expect((result.tasks[2] as { tasks: unknown[] }).tasks[0]).toMatchObject({ message: "default", level: "WARN" });
  });

  it("lets forced defaults override the node", () => {
    const result = applyPluginDefaults(flow, [
      { type: "io.kestra.plugin.jdbc", forced: true, values: { url: "jdbc:postgresql://forced" } },
    ]) as typeof flow;
    expect(result.tasks[1]).toMatchObject({ url: "jdbc:postgresql://forced" });
  });
});

describe("type aliases", () => {
  it.each([
    ["io.kestra.core.tasks.log.Log", "io.kestra.plugin.core.log.Log"],
    ["io.kestra.core.tasks.debugs.Return", "io.kestra.plugin.core.debug.Return"],
    ["io.kestra.core.tasks.flows.Flow", "io.kestra.plugin.core.flow.Subflow"],
    ["io.kestra.core.tasks.flows.Worker", "io.kestra.plugin.core.flow.WorkingDirectory"],
    ["io.kestra.core.tasks.executions.Fail", "io.kestra.plugin.core.execution.Fail"],
    [
      "io.kestra.core.models.conditions.types.ExecutionStatusCondition",
      "io.kestra.plugin.core.condition.ExecutionStatus",
    ],
    ["io.kestra.core.models.conditions.types.VariableCondition", "io.kestra.plugin.core.condition.Expression"],
    ["io.kestra.plugin.fs.http.Request", "io.kestra.plugin.core.http.Request"],
    ["io.kestra.plugin.jdbc.postgresql.Query", "io.kestra.plugin.jdbc.postgresql.Query"],
  ])("%s → %s", (old, current) => expect(canonicalAlias(old)).toBe(current));
});
