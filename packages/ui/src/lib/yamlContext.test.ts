import { describe, expect, it } from "vitest";
import { typeAtCursor, yamlContextAt } from "./yamlContext.ts";

/** The context at the `§` of `text` (the `§` is removed). */
function at(text: string) {
  const pos = text.indexOf("§");
  return yamlContextAt(text.slice(0, pos) + text.slice(pos + 1), pos);
}

const FLOW = `id: hello
namespace: company.team
tasks:
  - id: first
    type: io.kestra.plugin.core.log.Log
    message: hi
  - id: second
    type: io.kestra.plugin.core.flow.If
    condition: "{{ true }}"
    then:
      - id: inner
        type: io.kestra.plugin.core.debug.Return
`;

describe("yamlContextAt", () => {
  it("finds a root key being typed", () => {
    const c = at("id: a\nnam§");
    expect(c).toMatchObject({ kind: "key", path: [], prefix: "nam", from: 6 });
    expect(c!.chain[0]!.keys).toEqual({ id: "a" });
  });

  it("finds a key of a task in a sequence, with its index and siblings", () => {
    const c = at(FLOW.replace("    message: hi", "    mess§"));
    expect(c).toMatchObject({ kind: "key", path: ["tasks", 0], prefix: "mess" });
    expect(c!.chain.at(-1)!.keys).toEqual({ id: "first", type: "io.kestra.plugin.core.log.Log" });
    expect(typeAtCursor(c)).toBe("io.kestra.plugin.core.log.Log");
  });

  it("counts sequence items and climbs through nested blocks", () => {
    const c = at(
      FLOW.replace(
        "        type: io.kestra.plugin.core.debug.Return",
        "        type: io.kestra.plugin.core.debug.Return\n        fo§",
      ),
    );
    expect(c).toMatchObject({ kind: "key", path: ["tasks", 1, "then", 0], prefix: "fo" });
    expect(c!.chain.map((m) => m.path)).toEqual([[], ["tasks", 1], ["tasks", 1, "then", 0]]);
    expect(c!.chain[1]!.keys.type).toBe("io.kestra.plugin.core.flow.If");
    expect(typeAtCursor(c)).toBe("io.kestra.plugin.core.debug.Return");
  });

  it("finds a value being typed, and the whole value on the line", () => {
    const c = at(FLOW.replace("type: io.kestra.plugin.core.log.Log", "type: io.kestra.plugin.core.lo§g.Log"));
    expect(c).toMatchObject({
      kind: "value",
      key: "type",
      path: ["tasks", 0],
      prefix: "io.kestra.plugin.core.lo",
      value: "io.kestra.plugin.core.log.Log",
    });
    expect(typeAtCursor(c)).toBe("io.kestra.plugin.core.log.Log");
  });

  it("knows a new item started with a dash", () => {
    const c = at(FLOW.replace("  - id: second", "  - §\n  - id: second"));
    expect(c).toMatchObject({ kind: "key", path: ["tasks", 1], prefix: "" });
    expect(c!.chain.at(-1)!.keys).toEqual({});
  });

  it("reads a value after a dash and a quoted value", () => {
    const c = at('tasks:\n  - type: "io.kestra.plugin.core§');
    expect(c).toMatchObject({ kind: "value", key: "type", path: ["tasks", 0], prefix: "io.kestra.plugin.core" });
  });

  it("handles a compact sequence (dash at the parent key's column)", () => {
    const c = at("tasks:\n- id: a\n  type: x.Y\n- id: b\n  ty§");
    expect(c).toMatchObject({ kind: "key", path: ["tasks", 1], prefix: "ty" });
  });

  it("finds nested mappings that are not in sequences", () => {
    const c = at("tasks:\n  - id: a\n    retry:\n      type: constant\n      inter§");
    expect(c).toMatchObject({ kind: "key", path: ["tasks", 0, "retry"], prefix: "inter" });
    expect(c!.chain.at(-1)!.keys).toEqual({ type: "constant" });
  });

  it("an empty line under a parent key types a key of the child mapping", () => {
    const c = at("id: a\ninputs:\n  - id: x\n    type: STRING\n    §\n");
    expect(c).toMatchObject({ kind: "key", path: ["inputs", 0], prefix: "" });
  });

  it("knows when the cursor is inside a block scalar", () => {
    const c = at("tasks:\n  - id: a\n    script: |\n      echo a\n      ech§");
    expect(c?.kind).toBe("scalar");
    const deeper = at("tasks:\n  - id: a\n    script: |\n      if x; then\n        ech§");
    expect(deeper?.kind).toBe("scalar");
  });

  it("skips comments and blank lines", () => {
    const c = at("tasks:\n  # a comment\n\n  - id: a\n\n    # another\n    ty§");
    expect(c).toMatchObject({ kind: "key", path: ["tasks", 0] });
    expect(c!.chain.at(-1)!.keys).toEqual({ id: "a" });
  });

  it("gives nothing inside a flow collection", () => {
    expect(at("labels: {a: §")).toBeUndefined();
  });
});
