import { describe, expect, it } from "vitest";
import { executionPrefix, namespacePath, slugify, taskPrefix } from "./paths.ts";

describe("storage paths", () => {
  it("slugifies ids, the same answer when asked again", () => {
    for (let round = 0; round < 2; round++) {
      expect(slugify("Mon Flöw_2!")).toBe("mon-flow_2");
      expect(slugify("--a--")).toBe("a");
      expect(namespacePath("company.team")).toBe("/company/team");
    }
    expect(taskPrefix("a.b", "My Flow", "x1", "Task One", "r1")).toBe("/a/b/my-flow/executions/x1/tasks/task-one/r1");
  });

  it("keeps answering right past the bound of its memo", () => {
    for (let i = 0; i < 5000; i++) expect(slugify(`Flow ${i}`)).toBe(`flow-${i}`);
    expect(slugify("Flow 7")).toBe("flow-7");
    expect(slugify(`${"A".repeat(300)}!`)).toBe("a".repeat(300));
    expect(executionPrefix("n", "Flow 7", "x")).toBe("/n/flow-7/executions/x");
  });
});
