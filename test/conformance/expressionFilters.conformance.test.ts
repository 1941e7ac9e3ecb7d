// The filter cases found by reading Pebble's and Kestra's filters (conformance/expressions-filters.yaml).
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  CONFORMANCE_DIR,
  describeExpressionCases,
  expressionCaseFiles,
  loadExpressionCases,
} from "./expressionCases.ts";

const FILE = join(CONFORMANCE_DIR, "expressions-filters.yaml");

describeExpressionCases(FILE);

describe("expression case files", () => {
  it("are found by the shared loader and name their source", () => {
    expect(expressionCaseFiles()).toContain(FILE);
    expect(loadExpressionCases(FILE).every((c) => c.source.length > 0)).toBe(true);
  });
});
