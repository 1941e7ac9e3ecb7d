import { describe, expect, it } from "vitest";
import { inputAt, putInputAt } from "./inputPath.ts";

describe("inputAt / putInputAt", () => {
  it("reads an input by its dotted id, inside a FORM too, and nothing past a value", () => {
    const inputs = { top: "a", form: { secret: "b", deeper: { leaf: 1 } } };
    expect(inputAt(inputs, "top")).toBe("a");
    expect(inputAt(inputs, "form.secret")).toBe("b");
    expect(inputAt(inputs, "form.deeper.leaf")).toBe(1);
    expect(inputAt(inputs, "form.missing")).toBeUndefined();
    expect(inputAt(inputs, "top.below")).toBeUndefined();
    expect(inputAt(undefined, "top")).toBeUndefined();
  });

  it("puts a value at a dotted id, copying the maps on the way and leaving the given ones as they were", () => {
    const form = { secret: "sealed", other: "kept" };
    const given = { top: "a", form };
    const inputs = { ...given };
    putInputAt(inputs, "form.secret", "plain");
    expect(inputs).toEqual({ top: "a", form: { secret: "plain", other: "kept" } });
    expect(form).toEqual({ secret: "sealed", other: "kept" });
    expect(given.form).toBe(form);
  });

  it("puts nothing when a map on the way is missing", () => {
    const inputs: Record<string, unknown> = { top: "a" };
    putInputAt(inputs, "form.secret", "plain");
    putInputAt(inputs, "top.below", "plain");
    expect(inputs).toEqual({ top: "a" });
  });
});
