/**
 * The record readers on their own: Ion values become JSON-like data, and Ion string lines decode
 * as Kestra's files of strings need (values spanning lines: packages/sdk/src/ionValueLines.test.ts).
 */
import { describe, expect, it } from "vitest";
import { ionValueOf, readIonLines } from "@saker/sdk/ion";
import { jsonOf } from "./records.ts";

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of source) out.push(item);
  return out;
}

describe("jsonOf and ionValueOf", () => {
  it("gives Ion values as JSON-like data", async () => {
    const [value] = await collect(
      readIonLines(
        [`{d:12.50,e:1.5d2,t:2024-01-02T03:04:05Z,a:LocalDate::"2024-01-02",b:{{aGk=}},n:null,l:[1,2e0]}\n`],
        {
          tagged: true,
        },
      ),
    );
    expect(jsonOf(value)).toEqual({
      d: 12.5,
      e: 150,
      t: "2024-01-02T03:04:05Z",
      a: "2024-01-02",
      b: "aGk=",
      n: null,
      l: [1, 2],
    });
    expect(jsonOf(2n ** 60n)).toBe(2 ** 60);
  });

  it("decodes an Ion string literal, escapes included, and refuses anything else", () => {
    expect(ionValueOf('"plain"')).toBe("plain");
    expect(ionValueOf('"a\\"b\\\\c\\td\\x41\\u00e9\\U0001F600"')).toBe('a"b\\c\tdAé😀');
    expect(ionValueOf(`"\\a\\v\\?\\/\\'\\0"`)).toBe("\x07\v?/'\0");
    expect(ionValueOf('"a" "b"')).toBeUndefined();
    expect(ionValueOf('"ends with \\"')).toBeUndefined();
    expect(ionValueOf('"bad \\q escape"')).toBeUndefined();
    expect(ionValueOf("{a:1}")).toEqual({ a: 1 });
    expect(ionValueOf("")).toBeUndefined();
  });
});
