import { describe, expect, it } from "vitest";
import { splitLines } from "@saker/sdk/outputProtocol";

function collect(chunks: (string | Buffer)[], max?: number): string[] {
  const lines: string[] = [];
  const splitter = splitLines((l) => lines.push(l), { maxLength: max });
  for (const chunk of chunks) splitter.write(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  splitter.end();
  return lines;
}

describe("splitLines", () => {
  it("splits on newlines across chunks, drops \\r, keeps empty lines and the unterminated last line", () => {
    expect(collect(["a\r\nb", "c\n\nd"])).toEqual(["a", "bc", "", "d"]);
  });

  it("decodes a character split between chunks", () => {
    const euro = Buffer.from("€\n");
    expect(collect([euro.subarray(0, 1), euro.subarray(1)])).toEqual(["€"]);
  });

  it("cuts a line longer than the limit into pieces, losing nothing", () => {
    expect(collect(["abcdefg", "hij\nxy"], 4)).toEqual(["abcd", "efgh", "ij", "xy"]);
    expect(collect(["abcdefghij\n"], 4)).toEqual(["abcd", "efgh", "ij"]);
  });
});
