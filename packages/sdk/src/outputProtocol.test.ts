import type { LogLevel, Logger, Metric } from "./runContext.ts";
import { describe, expect, it } from "vitest";
import { OutputReader, splitLines } from "./outputProtocol.ts";

function split(chunks: (string | Buffer)[], maxLength?: number): string[] {
  const lines: string[] = [];
  const splitter = splitLines((l) => lines.push(l), { maxLength, loneCrEndsLine: true });
  for (const chunk of chunks) splitter.write(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  splitter.end();
  return lines;
}

describe("splitLines with loneCrEndsLine (SSH's Command, as Java's readLine)", () => {
  it("ends lines at \\n, \\r\\n and a lone \\r, across chunks", () => {
    expect(split(["a\nb\r\nc\rd", "e\r", "\nf\n\n"])).toEqual(["a", "b", "c", "de", "f", ""]);
    expect(split(["last line without end"])).toEqual(["last line without end"]);
  });

  it("keeps a UTF-8 character cut between chunks", () => {
    const bytes = Buffer.from("é€\n");
    expect(split([bytes.subarray(0, 1), bytes.subarray(1, 3), bytes.subarray(3)])).toEqual(["é€"]);
  });

  it("cuts a line longer than the limit into pieces, keeping every character", () => {
    expect(split(["abcdefg", "hij\nk"], 4)).toEqual(["abcd", "efgh", "ij", "k"]);
    expect(split(["abcdefghij\n"], 4)).toEqual(["abcd", "efgh", "ij"]);
  });
});

describe("OutputReader as SSH's Command reads (stderr's outputs over stdout's, 5 lines of stderr kept)", () => {
  function reader() {
    const logged: [LogLevel, string][] = [];
    const metrics: Metric[] = [];
    const log = (level: LogLevel, message: string, ...args: unknown[]) =>
      logged.push([level, message.replace(/\{\}/g, () => String(args.shift()))]);
    const logger: Logger = {
      log,
      trace: (m, ...a) => log("TRACE", m, ...a),
      debug: (m, ...a) => log("DEBUG", m, ...a),
      info: (m, ...a) => log("INFO", m, ...a),
      warn: (m, ...a) => log("WARN", m, ...a),
      error: (m, ...a) => log("ERROR", m, ...a),
    };
    return {
      output: new OutputReader(logger, (m) => metrics.push(m), { tail: 5, stderrOverStdout: true }),
      logged,
      metrics,
    };
  }

  it("logs stdout at INFO and stderr at ERROR, keeping the last stderr lines", () => {
    const { output, logged } = reader();
    output.line("out", "stdout");
    for (let i = 1; i <= 7; i++) output.line(`err ${i}`, "stderr");
    expect(logged.slice(0, 2)).toEqual([
      ["INFO", "out"],
      ["ERROR", "err 1"],
    ]);
    expect(output.stderrTail).toEqual(["err 3", "err 4", "err 5", "err 6", "err 7"]);
  });

  it("reads outputs, metrics and logs from message lines, stderr's outputs over stdout's", () => {
    const { output, logged, metrics } = reader();
    output.line('::{"outputs":{"a":1,"b":{"c":true}}}::', "stderr");
    output.line(
      '::{"outputs":{"a":2,"d":"x"},"metrics":[{"name":"n","value":3,"tags":{"k":1}},{"name":"t","type":"timer","value":1.5}]}::  ',
      "stdout",
    );
    output.line('::{"logs":[{"level":"debug","message":"m"},"plain",{"level":"LOUD","message":{"j":1}}]}::', "stdout");
    expect(output.vars).toEqual({ a: 1, b: { c: true }, d: "x" });
    expect(metrics).toEqual([
      { name: "n", type: "counter", value: 3, tags: { k: "1" } },
      { name: "t", type: "timer", value: 1500 },
    ]);
    expect(logged).toEqual([
      ["DEBUG", "m"],
      ["INFO", "plain"],
      ["INFO", '{"j":1}'],
    ]);
  });

  it("warns of a broken message line instead of failing", () => {
    const { output, logged, metrics } = reader();
    output.line("::{not json}::", "stdout");
    output.line('::{"outputs":[1]}::', "stdout");
    output.line('::{"metrics":[{"value":1},{"name":"g","type":"gauge","value":1}]}::', "stdout");
    expect(output.vars).toEqual({});
    expect(metrics).toEqual([]);
    expect(logged.map(([level]) => level)).toEqual(["WARN", "WARN", "WARN", "WARN"]);
    expect(logged[1]![1]).toContain("'outputs' must be an object");
  });
});
