import { describe, expect, it } from "vitest";
import { isSakerError } from "@saker/sdk";
import type { InputDefinition } from "./flow.ts";
import { resolveInputs } from "./inputs.ts";

/** Stands in for the expression engine: evaluates the one condition these tests use. */
const noRender = {
  renderTyped: async (_template: string, inputs: Record<string, unknown>) => inputs.mode === "advanced",
};

async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string; errors: string[] }> {
  try {
    await promise;
  } catch (error) {
    if (isSakerError(error))
      return { code: error.code, message: error.message, errors: (error.details?.errors as string[]) ?? [] };
    throw error;
  }
  throw new Error("expected a failure");
}

describe("resolveInputs", () => {
  it("types values, applies defaults and nests dotted ids", async () => {
    const definitions: InputDefinition[] = [
      { id: "count", type: "INT" },
      { id: "ratio", type: "FLOAT", defaults: 0.5 },
      { id: "db.host", type: "STRING", defaults: "localhost" },
      { id: "db.port", type: "INT", required: false },
    ];
    expect(await resolveInputs(definitions, { count: "3" }, noRender)).toEqual({
      count: 3,
      ratio: 0.5,
      db: { host: "localhost", port: null },
    });
  });

  it("keeps an optional input without value or default as null (Kestra's nonRequiredNoDefaultNoValueIsNull)", async () => {
    const definitions: InputDefinition[] = [
      { id: "optional", type: "STRING", required: false },
      { id: "optionalFile", type: "FILE", required: false },
    ];
    const result = await resolveInputs(definitions, {}, noRender);
    expect(result).toEqual({ optional: null, optionalFile: null });
    expect(Object.keys(result)).toEqual(["optional", "optionalFile"]);
  });

  it("reports every invalid input at once, with Kestra's wording", async () => {
    const definitions: InputDefinition[] = [
      { id: "name", type: "STRING" },
      { id: "age", type: "INT", min: 18 },
      { id: "when", type: "DATETIME" },
    ];
    const error = await failure(resolveInputs(definitions, { age: "12", when: "soon" }, noRender));
    expect(error.code).toBe("INPUT_INVALID");
    expect(error.errors).toEqual([
      "Invalid input for `name`, missing required input, but received `null`",
      "Invalid input for `age`, it must be more than `18`, but received `12`",
      "Invalid input for `when`, Expected `DATETIME` but received `soon` with errors: Text 'soon' could not be parsed, but received `soon`",
    ]);
  });

  it("drops inputs whose dependsOn condition is false", async () => {
    const definitions: InputDefinition[] = [
      { id: "mode", type: "STRING", defaults: "simple" },
      { id: "level", type: "INT", dependsOn: { inputs: ["mode"], condition: "{{ inputs.mode == 'advanced' }}" } },
    ];
    expect(await resolveInputs(definitions, {}, noRender)).toEqual({ mode: "simple" });
    expect(await resolveInputs(definitions, { mode: "advanced", level: "2" }, noRender)).toEqual({
      mode: "advanced",
      level: 2,
    });
  });

  it("never echoes a SECRET value in an error", async () => {
    const definitions: InputDefinition[] = [{ id: "password", type: "SECRET", validator: "^.{12,}$" }];
    const error = await failure(
      resolveInputs(definitions, { password: "hunter2" }, { ...noRender, encrypt: (p) => `enc:${p}` }),
    );
    expect(error.message).not.toContain("hunter2");
    expect(error.message).toContain("it must match the pattern");
  });

  it("stores FILE uploads through the callback", async () => {
    const stored: string[] = [];
    const result = await resolveInputs(
      [{ id: "data", type: "FILE" }],
      { data: { fake: true } },
      {
        ...noRender,
        storeFile: async (id) => {
          stored.push(id);
          return "kestra:///ns/flow/executions/x/inputs/data/file.txt";
        },
      },
    );
    expect(stored).toEqual(["data"]);
    expect(result).toEqual({ data: "kestra:///ns/flow/executions/x/inputs/data/file.txt" });
  });
});
