/**
 * Every language of the table: its Script runs where its interpreter is on the PATH, and fails
 * naming the interpreter where it is not.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestInstance } from "@saker/engine/testing";
import { flow, logLines, scriptsInstance } from "../test/support.ts";
import { findOnPath } from "./commandLine.ts";
import { LANGUAGES } from "./languages.ts";

const HELLO: Record<string, string> = {
  shell: 'echo "hi"',
  python: 'print("hi")',
  node: 'console.log("hi")',
  bun: 'console.log("hi")',
  deno: 'console.log("hi")',
  go: 'package main\nimport "fmt"\nfunc main() { fmt.Println("hi") }',
  r: 'cat("hi\\n")',
  julia: 'println("hi")',
  ruby: 'puts "hi"',
  perl: 'print "hi\\n";',
  php: '<?php echo "hi\\n";',
  lua: 'print("hi")',
  groovy: 'println "hi"',
  jbang: 'class hi { public static void main(String[] args) { System.out.println("hi"); } }',
  powershell: 'Write-Output "hi"',
};

let test: TestInstance;
beforeAll(async () => {
  test = await scriptsInstance();
});
afterAll(async () => test?.close());

describe("languages", () => {
  it("has a hello script for every language of the table", () => {
    expect(Object.keys(HELLO).sort()).toEqual(LANGUAGES.map((l) => l.id).sort());
  });

  it.each(LANGUAGES.map((l) => [l.id, l] as const))(
    "%s.Script runs, or fails naming its interpreter",
    async (id, language) => {
      const script = HELLO[id]!.split("\n")
        .map((l) => `  ${l}`)
        .join("\n");
      const ex = await test.run(
        flow(`hello_${id}`, `io.kestra.plugin.scripts.${id}.Script`, `script: |\n${script}`),
        {},
        60_000,
      );
      // Inline languages run through their shell wrapper, which must be there too.
      const needed = language.inline ? [language.shell?.[0] ?? "sh"] : language.interpreters;
      if (findOnPath(needed, process.env.PATH)) {
        expect(ex.state.current, logLines(test, ex.id, "WARN").join("\n")).toBe("SUCCESS");
        expect(logLines(test, ex.id)).toContain("INFO hi");
      } else {
        expect(ex.state.current).toBe("FAILED");
        const errors = logLines(test, ex.id, "ERROR").join("\n");
        expect(errors).toContain(
          language.inline
            ? `'${needed[0]}' was not found on the PATH of the worker`
            : `${id}.Script needs '${language.interpreters[0]}'`,
        );
      }
    },
    60_000,
  );
});
