import { fieldNamesOf, toIon } from "@saker/sdk/ion";
import { describe, expect, it } from "vitest";
import { parseJsonInOrder } from "./jsonOrder.ts";

describe("parseJsonInOrder", () => {
  it("keeps the text's key order of objects keyed by numbers, nested ones and those in arrays too", () => {
    const value = parseJsonInOrder(
      '{"region":"north","2023":5,"2022":{"q":1,"10":2},"rows":[{"b":1,"0":true}],"2023":6}',
    ) as Record<string, any>;
    expect(Object.keys(value)).toEqual(["2022", "2023", "region", "rows"]);
    expect(fieldNamesOf(value)).toEqual(["region", "2023", "2022", "rows"]);
    expect(value["2023"]).toBe(6); // a repeated key: its first place, its last value (as JSON.parse)
    expect(toIon(value)).toBe(`{region:"north",'2023':6,'2022':{q:1,'10':2},rows:[{b:1,'0':true}]}`);
  });

  it("gives the values JSON.parse gives, escapes, numbers and __proto__ included", () => {
    const texts = [
      '{"1":"a\\"b\\\\c\\u00e9\\n","x":[1,-0,2.5e-3,1E400,-12,0.1],"2":null,"3":true,"4":false,"5":{},"6":[]}',
      ' { "9" : [ { "__proto__" : { "polluted" : 1 } , "8" : "" } ] } ',
      '[{"10":1},{"a":"no number key"}]',
      '"just a string with \\"2\\": inside"',
      "42",
    ];
    for (const text of texts) expect(parseJsonInOrder(text)).toEqual(JSON.parse(text));
    const withProto = parseJsonInOrder('{"__proto__":{"polluted":1},"1":0}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(withProto)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(withProto)).toEqual(["1", "__proto__"]);
  });

  it("throws JSON.parse's error for invalid JSON, and keeps no order where none is lost", () => {
    expect(() => parseJsonInOrder('{"1": }')).toThrow(SyntaxError);
    const plain = parseJsonInOrder('{"a":1,"b":{"c":2}}') as object;
    expect(Object.getOwnPropertySymbols(plain)).toEqual([]);
  });

  it("falls back to JSON.parse's value (no order) when nested deeper than the stack", () => {
    const deep = `${"[".repeat(200_000)}{"2":1,"1":2}${"]".repeat(200_000)}`;
    let node = parseJsonInOrder(deep);
    let depth = 0;
    while (Array.isArray(node)) {
      node = node[0];
      depth++;
    }
    expect(depth).toBe(200_000);
    expect(node).toEqual({ 1: 2, 2: 1 });
    expect(Object.getOwnPropertySymbols(node)).toEqual([]);
  });
});
