import { expect, it } from "vitest";
import { movedKey } from "./actions.ts";
import { keyMatcher } from "./listing.ts";
import { joinKey, uploadSources } from "./uploadSources.ts";

const A = "kestra:///company/s3/flow/executions/e1/tasks/t/r1/a.csv";
const B = "kestra:///company/s3/flow/executions/e1/tasks/t/r1/b%20c.csv";

it("reads from as a URI, a list, a map, or a JSON text of a list or a map", () => {
  expect(uploadSources(A)).toEqual([["a.csv", A]]);
  expect(uploadSources([A, B])).toEqual([
    ["a.csv", A],
    ["b c.csv", B],
  ]);
  expect(uploadSources({ "x/first.csv": A })).toEqual([["x/first.csv", A]]);
  expect(uploadSources(JSON.stringify([A, B])).map(([name]) => name)).toEqual(["a.csv", "b c.csv"]);
  expect(uploadSources(` {"one": "${A}"} `)).toEqual([["one", A]]);
  expect(() => uploadSources("[not json")).toThrow(/looks like JSON/);
  expect(() => uploadSources({ k: 3 } as unknown as Record<string, string>)).toThrow(/'k' must be a kestra:\/\/ URI/);
});

it("joins keys, moves into a folder and matches whole keys", () => {
  expect(joinKey("base/", "/x.csv")).toBe("base/x.csv");
  expect(joinKey("", "x.csv")).toBe("x.csv");
  expect(movedKey({ key: "archive/" }, "in/deep/a.csv")).toBe("archive/a.csv");
  expect(movedKey({ key: "" }, "in/a.csv")).toBe("a.csv");
  const csv = keyMatcher(".*\\.csv");
  expect([csv("a.csv"), csv("a.csv.bak"), keyMatcher(undefined)("anything")]).toEqual([true, false, true]);
});
