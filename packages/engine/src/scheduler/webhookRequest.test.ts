import { describe, expect, it } from "vitest";
import { parseWebhookBody, webhookVariables } from "./webhookRequest.ts";

describe("webhook variables", () => {
  it("parses a JSON object, else a JSON array, else keeps the text", () => {
    expect(parseWebhookBody('{"hello":"world","n":[1,2]}')).toEqual({ hello: "world", n: [1, 2] });
    expect(parseWebhookBody('[{"a":1},2]')).toEqual([{ a: 1 }, 2]);
    expect(parseWebhookBody("hello=world")).toBe("hello=world");
    expect(parseWebhookBody("42")).toBe("42");
    expect(parseWebhookBody('"text"')).toBe('"text"');
    expect(parseWebhookBody("null")).toBe("null");
    expect(parseWebhookBody("{broken")).toBe("{broken");
    expect(parseWebhookBody("")).toBeNull();
    expect(parseWebhookBody(undefined)).toBeNull();
  });

  it("gives headers and parameters as lists of values", () => {
    const variables = webhookVariables({
      body: Buffer.from('{"a":1}'),
      headers: { "content-type": "application/json", "x-many": ["1", "2"], "x-none": undefined },
      query: "?name=a&name=b&empty=",
    });
    expect(variables).toEqual({
      body: { a: 1 },
      headers: { "content-type": ["application/json"], "x-many": ["1", "2"] },
      parameters: { name: ["a", "b"], empty: [""] },
    });
  });

  it("takes the query as a map or URLSearchParams too", () => {
    expect(webhookVariables({ query: { a: "1", b: ["2", "3"] } }).parameters).toEqual({ a: ["1"], b: ["2", "3"] });
    expect(webhookVariables({ query: new URLSearchParams("x=1&x=2") }).parameters).toEqual({ x: ["1", "2"] });
    expect(webhookVariables({})).toEqual({ body: null, headers: {}, parameters: {} });
  });
});
