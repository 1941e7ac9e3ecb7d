import { describe, expect, it } from "vitest";
import { inputLeaves, inputLeavesOf, type InputDefinition } from "./flow.ts";

describe("inputLeavesOf", () => {
  it("gives inputLeaves' answer, once per definitions list, read-only", () => {
    const definitions = [
      { id: "a", type: "STRING" },
      { id: "form", type: "FORM", inputs: [{ id: "pwd", type: "SECRET" }] },
    ] as unknown as InputDefinition[];
    const leaves = inputLeavesOf(definitions);
    expect(leaves).toEqual(inputLeaves(definitions));
    expect(leaves.map((l) => l.id)).toEqual(["a", "form.pwd"]);
    expect(inputLeavesOf(definitions)).toBe(leaves);
    expect(Object.isFrozen(leaves)).toBe(true);
    // another list (a new revision) has its own answer
    const next = [{ id: "b", type: "INT" }] as unknown as InputDefinition[];
    expect(inputLeavesOf(next).map((l) => l.id)).toEqual(["b"]);
    expect(inputLeavesOf(undefined)).toEqual([]);
  });
});
