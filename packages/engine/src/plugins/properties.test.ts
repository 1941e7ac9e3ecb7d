import { z } from "@saker/sdk";
import { describe, expect, it } from "vitest";
import { renderProperties } from "./properties.ts";

describe("renderProperties", () => {
  const schema = z.object({
    text: z.string().optional(),
    count: z.number().optional(),
    flag: z.boolean().optional(),
    list: z.array(z.string()).optional(),
    template: z.string().optional(),
    plain: z.string().meta({ $dynamic: false }).optional(),
  });

  it("renders maps, lists and text that may hold a tag; scalars and text without '{' go as they are", async () => {
    const seen: unknown[] = [];
    const render = async (value: unknown) => {
      seen.push(value);
      return typeof value === "string" ? value.replace("{{ x }}", "X") : value;
    };
    const list = ["a"];
    const props = await renderProperties(
      schema,
      { id: "t", type: "T", text: "no tag", count: 3, flag: true, list, template: "v={{ x }}", plain: "{{ x }}" },
      render,
    );
    expect(props).toEqual({ text: "no tag", count: 3, flag: true, list: ["a"], template: "v=X", plain: "{{ x }}" });
    expect(seen).toEqual([list, "v={{ x }}"]);
  });

  it("still converts constant text to the declared type", async () => {
    const props = await renderProperties(schema, { count: "5", flag: "true" }, async (v) => v);
    expect(props).toEqual({ count: 5, flag: true });
  });
});
