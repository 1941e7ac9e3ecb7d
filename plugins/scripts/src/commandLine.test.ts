import { describe, expect, it } from "vitest";
import { assembleCommand, findOnPath, scriptLine, shellQuote } from "./commandLine.ts";
import { LANGUAGES } from "./languages.ts";

const lang = (id: string) => LANGUAGES.find((l) => l.id === id)!;

describe("command assembly", () => {
  it("joins set -e, beforeCommands and commands into one shell argument, as Kestra does", () => {
    expect(
      assembleCommand({
        language: lang("shell"),
        interpreter: undefined,
        failFast: true,
        beforeCommands: ["cd x"],
        commands: ["a", "b"],
      }),
    ).toEqual(["/bin/sh", "-c", "set -e\ncd x\na\nb"]);
    expect(
      assembleCommand({
        language: lang("python"),
        interpreter: ["/bin/bash", "-lc"],
        failFast: false,
        beforeCommands: [],
        commands: ["a"],
      }),
    ).toEqual(["/bin/bash", "-lc", "a"]);
    expect(
      assembleCommand({
        language: lang("powershell"),
        interpreter: undefined,
        failFast: true,
        beforeCommands: [],
        commands: ["a"],
      })[4],
    ).toBe("$ErrorActionPreference = 'Stop'\na");
  });

  it("quotes the script line for the shell", () => {
    expect(scriptLine("/usr/bin/deno", lang("deno"), "/tmp/it's here/s.ts")).toBe(
      `/usr/bin/deno run --allow-all '/tmp/it'\\''s here/s.ts'`,
    );
    expect(shellQuote("a b")).toBe("'a b'");
    expect(shellQuote("/plain/path.py")).toBe("/plain/path.py");
  });

  it("finds the first interpreter on the PATH", () => {
    expect(findOnPath(["no-such-interpreter", "sh"], "/nonexistent:/bin:/usr/bin")).toMatch(/\/sh$/);
    expect(findOnPath(["no-such-interpreter"], "/bin")).toBeUndefined();
  });
});
