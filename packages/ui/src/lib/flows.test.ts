import { describe, expect, it } from "vitest";
import {
  exportFileName,
  flowKey,
  flowLabels,
  fromFlowKey,
  multiDocumentYaml,
  pageRange,
  FLOW_FILTERS,
} from "./flows.ts";
import { readListState, toApiQuery, writeListState } from "./urlFilters.ts";

describe("flows helpers", () => {
  it("reads labels from a list or a map", () => {
    expect(flowLabels([{ key: "env", value: "prod" }])).toEqual([{ key: "env", value: "prod" }]);
    expect(flowLabels({ env: "prod", team: "data" })).toEqual([
      { key: "env", value: "prod" },
      { key: "team", value: "data" },
    ]);
    expect(flowLabels(null)).toEqual([]);
  });

  it("keys a flow for a selection and reads the key back", () => {
    expect(fromFlowKey(flowKey({ namespace: "a.b", id: "x" }))).toEqual({ namespace: "a.b", id: "x" });
  });

  it("joins sources as YAML documents", () => {
    expect(multiDocumentYaml(["id: a\n", "id: b"])).toBe("id: a\n---\nid: b\n");
    expect(exportFileName([{ namespace: "n", id: "f" }])).toBe("n.f.yml");
    expect(exportFileName([], new Date("2026-12-05T06:01:02Z"))).toBe("flows-2026-12-05-06-01-02.yml");
  });

  it("turns the list's URL into the API's search and back", () => {
    const state = readListState(FLOW_FILTERS, new URLSearchParams("namespace=company&q=hello&labels=env:prod&page=3"));
    expect(state.filters).toEqual({ namespace: "company", q: "hello", labels: "env:prod" });
    const api = toApiQuery(FLOW_FILTERS, state);
    expect(api.get("filters[namespace][PREFIX]")).toBe("company");
    expect(api.get("filters[q][EQUALS]")).toBe("hello");
    expect(api.get("filters[labels][EQUALS]")).toBe("env:prod");
    expect(api.get("page")).toBe("3");
    expect(writeListState(FLOW_FILTERS, state).toString()).toBe("namespace=company&q=hello&labels=env%3Aprod&page=3");
  });

  it("shows the page range", () => {
    expect(pageRange(2, 25, 2000)).toBe("26–50 of 2,000");
    expect(pageRange(3, 25, 60)).toBe("51–60 of 60");
    expect(pageRange(1, 25, 0)).toBe("0 of 0");
  });
});
