import { z } from "@saker/sdk";
import { describe, expect, it } from "vitest";
import { metaOf } from "./schemaWalk.ts";

describe("metaOf", () => {
  it("reads a schema's metadata through its wrappers, once per schema object", () => {
    const inner = z.string().meta({ $dynamic: false });
    const wrapped = inner.optional();
    expect(metaOf(wrapped).$dynamic).toBe(false);
    expect(metaOf(wrapped)).toBe(metaOf(wrapped));
    expect(Object.isFrozen(metaOf(wrapped))).toBe(true);
    // a schema given other metadata is another object, with its own answer
    expect(metaOf(wrapped.meta({ $dynamic: true })).$dynamic).toBe(true);
    expect(metaOf(z.string()).$dynamic).toBeUndefined();
  });
});
