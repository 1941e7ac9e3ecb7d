import { describe, expect, it } from "vitest";
import { inputLeaves, inputLeavesOf, secretInputIdsOf, type InputDefinition } from "./flow.ts";

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

  it("gives the dotted ids of the SECRET inputs, FORMs' too, the same array for the same list", () => {
    const definitions = [
      { id: "token", type: "SECRET" },
      { id: "a", type: "STRING" },
      {
        id: "form",
        type: "FORM",
        inputs: [
          { id: "pwd", type: "SECRET" },
          { id: "user", type: "STRING" },
        ],
      },
    ] as unknown as InputDefinition[];
    const ids = secretInputIdsOf(definitions);
    expect(ids).toEqual(["token", "form.pwd"]);
    expect(secretInputIdsOf(definitions)).toBe(ids);
    expect(Object.isFrozen(ids)).toBe(true);
    expect(secretInputIdsOf([{ id: "a", type: "STRING" }] as unknown as InputDefinition[])).toEqual([]);
    expect(secretInputIdsOf(undefined)).toEqual([]);
  });
});
