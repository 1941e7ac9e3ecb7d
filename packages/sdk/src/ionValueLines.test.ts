/**
 * Values written over several lines (`readIonLines` with `acrossLines`): joined per top-level
 * value (and nothing else), not fooled by brackets in strings and comments, bounded, and lazy.
 */
import { describe, expect, it } from "vitest";
import { readIonLines } from "./ion.ts";
import { textLines, valueLines } from "./ionValueLines.ts";

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of source) out.push(item);
  return out;
}

async function* chunks(...parts: string[]): AsyncGenerator<Buffer> {
  for (const part of parts) yield Buffer.from(part);
}

const tooLong = (line: number, max: number) => new Error(`value at line ${line} longer than ${max}`);
const joined = async (text: string, max?: number) =>
  (await collect(valueLines(textLines(chunks(text)), tooLong, max))).map((v) => v.text);

describe("values across lines", () => {
  it("keeps one-line values as they are and joins a value spanning lines", async () => {
    const text = '{"a": 1}\n{\n  "b": [1,\n    2],\n  "c": "x}]"\n}\n"plain"\n';
    expect(await joined(text)).toEqual(['{"a": 1}', '{   "b": [1,     2],   "c": "x}]" }', '"plain"']);
  });

  it("is not fooled by brackets in strings, symbols and comments, and keeps a long string's line breaks", async () => {
    const text = [`{a:"[",b:'{'} // { not counted`, `{c:'''one`, `two''', /* ] */ d:1}`, `{e:"don't"}`].join("\n");
    const lines = await joined(text);
    expect(lines).toEqual([`{a:"[",b:'{'} // { not counted`, `{c:'''one\\ntwo''', /* ] */ d:1}`, `{e:"don't"}`]);
    const values = await collect(readIonLines(lines.map((l) => `${l}\n`)));
    expect(values).toEqual([{ a: "[", b: "{" }, { c: "one\ntwo", d: 1 }, { e: "don't" }]);
  });

  it("continues a long string's line ending in an escaping backslash without a line break", async () => {
    const text = ["{c:'''one \\", "two''', d:'''a\\\\", "b'''}"].join("\n");
    const lines = await joined(text);
    expect(lines).toEqual(["{c:'''one two''', d:'''a\\\\\\nb'''}"]);
    expect(await collect(readIonLines(lines.map((l) => `${l}\n`)))).toEqual([{ c: "one two", d: "a\\\nb" }]);
  });

  it("joins a top-level comment spanning lines, and refuses a value longer than the limit", async () => {
    const text = "{a:1} /* a comment\nover two lines */\n{b:2}\n";
    expect(await joined(text)).toEqual(["{a:1} /* a comment over two lines */", "{b:2}"]);
    const unbalanced = "ok\n:-( this is not Ion\nmore text\nand more text\n";
    await expect(joined(unbalanced, 20)).rejects.toThrow("value at line 2 longer than 20");
    await expect(collect(readIonLines(chunks(unbalanced), { acrossLines: true, maxValueChars: 20 }))).rejects.toThrow(
      "invalid Ion: the value starting at line 2 is longer than 20 characters",
    );
  });

  it("splits lines across chunk borders, \\r\\n too, and a multi-byte character cut in two", async () => {
    const bytes = Buffer.from("é1\r\nline 2\nlast");
    const parts = [bytes.subarray(0, 1), bytes.subarray(1, 6), bytes.subarray(6)];
    async function* source() {
      for (const part of parts) yield part;
    }
    expect(await collect(textLines(source()))).toEqual(["é1", "line 2", "last"]);
  });

  it("reads lazily: the first record comes out after the first chunk of a 100,000-line input", async () => {
    let pulled = 0;
    async function* big(): AsyncGenerator<Buffer> {
      for (let i = 0; i < 1000; i++) {
        pulled++;
        let chunk = "";
        for (let j = 0; j < 100; j++) chunk += `{id:${i * 100 + j}}\n`;
        yield Buffer.from(chunk);
      }
    }
    const reader = readIonLines(big(), { acrossLines: true });
    const first = await reader.next();
    expect(first.value).toEqual({ id: 0 });
    expect(pulled).toBeLessThanOrEqual(2);
    let count = 1;
    for await (const _ of reader) count++;
    expect(count).toBe(100_000);
    expect(pulled).toBe(1000);
  });
});

describe("readIonLines across lines", () => {
  it("reads a pretty-printed JSON document and names the line a bad value starts on", async () => {
    const text = '{\n  "a": [1,\n    2]\n}\n{"b": 1}\n{\n  "c": ]\n}\n';
    const reader = readIonLines(chunks(text), { acrossLines: true });
    expect(await reader.next()).toEqual({ done: false, value: { a: [1, 2] } });
    expect(await reader.next()).toEqual({ done: false, value: { b: 1 } });
    await expect(reader.next()).rejects.toThrow(/^invalid Ion at line 6: /);
    // without the option, a value must fit on its line
    await expect(collect(readIonLines(chunks(text)))).rejects.toThrow(/invalid Ion at line 1/);
  });
});

describe("lobs across lines", () => {
  it("does not read a blob's `//` as a comment nor a clob's `}}` as its end", async () => {
    expect(await joined('{b:{{//8=}}}\n{a:1}\n{c:{{"x}}/*y"}}}\n{d:{{\n  aGk=\n}}}\n{e:2}\n')).toEqual([
      "{b:{{//8=}}}",
      "{a:1}",
      '{c:{{"x}}/*y"}}}',
      "{d:{{   aGk= }}}",
      "{e:2}",
    ]);
  });
});
