import { describe, expect, it } from "vitest";
import { parsePath, positionOfPath, problemsOf } from "./problems.ts";

const FLOW = `id: hello
namespace: company.team
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: hi
    bogus: 1
  - id: x
    type: io.kestra.plugin.core.flow.If
    then:
      - id: y
        type: io.kestra.plugin.core.log.Log
`;

describe("parsePath", () => {
  it("splits keys and indexes", () => {
    expect(parsePath("tasks[1].then[0].retry.type")).toEqual(["tasks", 1, "then", 0, "retry", "type"]);
    expect(parsePath("(flow)")).toEqual([]);
    expect(parsePath("")).toEqual([]);
    expect(parsePath("variables['a.b']")).toEqual(["variables", "a.b"]);
  });
});

describe("positionOfPath", () => {
  it("finds the line of a key", () => {
    expect(positionOfPath(FLOW, "tasks[0].bogus")).toEqual({ line: 7, column: 5 });
    expect(positionOfPath(FLOW, "namespace")).toEqual({ line: 2, column: 1 });
    expect(positionOfPath(FLOW, "tasks[1].then[0].type")?.line).toBe(12);
  });

  it("falls back to the nearest written ancestor of a missing key", () => {
    // the second task has no condition: its item's line
    expect(positionOfPath(FLOW, "tasks[1].condition")).toEqual({ line: 8, column: 5 });
    expect(positionOfPath(FLOW, "tasks[1].then[0].message")?.line).toBe(11);
    expect(positionOfPath(FLOW, "(flow)")?.line).toBe(1);
  });

  it("looks in the given document of a multi-document text", () => {
    const text = "id: a\nnamespace: n\n---\nid: b\nnamespace: n\ntasks: []\n";
    expect(positionOfPath(text, "tasks", 1)?.line).toBe(6);
  });
});

describe("problemsOf", () => {
  it("places issues on the line the API gives (at the key of their path), else on their path's line", () => {
    const problems = problemsOf(FLOW, [
      {
        index: 0,
        constraints: "…",
        issues: [
          { path: "tasks[0].bogus", message: "unknown property 'bogus'", line: 7, column: 12 },
          { path: "tasks[1].condition", message: "is required" },
        ],
      },
    ]);
    expect(problems).toEqual([
      { line: 7, column: 5, message: "unknown property 'bogus'", path: "tasks[0].bogus", severity: "error" },
      { line: 8, column: 5, message: "is required", path: "tasks[1].condition", severity: "error" },
    ]);
  });

  it("reads the line of a YAML syntax error from its message", () => {
    const problems = problemsOf("id: a\ntasks: [\n", [
      { index: 0, constraints: "Invalid YAML in flow: line 3, column 1: Flow sequence must end with a ]" },
    ]);
    expect(problems).toMatchObject([{ line: 3, column: 1, severity: "error" }]);
  });

  it("reads a path at the start of a constraint without issues", () => {
    expect(problemsOf(FLOW, [{ index: 0, constraints: "tasks[0].bogus: unknown" }])).toMatchObject([
      { line: 7, path: "tasks[0].bogus" },
    ]);
  });

  it("shows deprecated paths as warnings, and nothing for a valid flow", () => {
    expect(problemsOf(FLOW, [{ index: 0, deprecationPaths: ["tasks[0].message"] }])).toEqual([
      { line: 6, column: 5, message: "tasks[0].message is deprecated", path: "tasks[0].message", severity: "warning" },
    ]);
    expect(problemsOf(FLOW, [{ index: 0, flow: "hello", warnings: [], infos: [], deprecationPaths: [] }])).toEqual([]);
  });
});
