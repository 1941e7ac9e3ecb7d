/**
 * A damaged or emptied database stops the start with one line naming the file (no stack trace),
 * unless `--reset-database` asks for a fresh one: the old file is then moved aside, never deleted.
 * A missing file is still a new, empty instance. Runs the real CLI on temporary data folders.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../integration/cli.ts";

const work = mkdtempSync(join(tmpdir(), "saker-database-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const FLOW = `id: hello
namespace: sec.database
tasks:
  - id: say
    type: io.kestra.plugin.core.debug.Return
    format: "hello"
`;
const flowFile = join(work, "hello.yaml");
writeFileSync(flowFile, FLOW);

function homeWith(name: string, content: Buffer | undefined): string {
  const home = join(work, name);
  mkdirSync(home, { recursive: true });
  if (content) writeFileSync(join(home, "saker.db"), content);
  return home;
}

function expectOneLineRefusal(result: { code: number | null; stdout: string; stderr: string }, home: string): void {
  expect(result.code, result.stderr).not.toBe(0);
  const lines = result.stderr.trim().split("\n");
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toContain(join(home, "saker.db"));
  expect(lines[0]).toContain("damaged");
  expect(lines[0]).toContain("--reset-database");
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(result.stderr).not.toContain("SqliteError");
}

describe("a damaged database", () => {
  it("garbage bytes: `server local` exits non-zero with one line naming the file", async () => {
    const home = homeWith("garbage", randomBytes(64 * 1024));
    const result = await runCli(["server", "local", "-p", "0"], { home, timeoutMs: 60_000 });
    expectOneLineRefusal(result, home);
  }, 90_000);

  it("a 0-byte file: `server local` exits non-zero with one line naming the file, the file untouched", async () => {
    const home = homeWith("empty", Buffer.alloc(0));
    const result = await runCli(["server", "local", "-p", "0"], { home, timeoutMs: 60_000 });
    expectOneLineRefusal(result, home);
    expect(readFileSync(join(home, "saker.db")).length).toBe(0);
  }, 90_000);

  it("garbage bytes: `flow run` refuses the same way", async () => {
    const home = homeWith("garbage-run", randomBytes(8 * 1024));
    const result = await runCli(["flow", "run", flowFile], { home, timeoutMs: 60_000 });
    expectOneLineRefusal(result, home);
  }, 90_000);

  it("--reset-database moves the damaged file aside and starts on an empty database", async () => {
    const garbage = randomBytes(16 * 1024);
    const home = homeWith("reset", garbage);
    const result = await runCli(["flow", "run", flowFile, "--reset-database", "--json"], { home, timeoutMs: 60_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).state.current).toBe("SUCCESS");
    expect(result.stderr).toMatch(/moved to '.*saker\.db\.damaged-/);
    const aside = readdirSync(home).filter((f) => f.startsWith("saker.db.damaged-"));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(home, aside[0]!)).equals(garbage)).toBe(true);
  }, 90_000);

  it("no database file: a new instance is created silently", async () => {
    const home = homeWith("fresh", undefined);
    const result = await runCli(["flow", "run", flowFile, "--json", "-q"], { home, timeoutMs: 60_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain("damaged");
    expect(existsSync(join(home, "saker.db"))).toBe(true);
  }, 90_000);

  it("`server local --help` documents --reset-database", async () => {
    const result = await runCli(["server", "local", "--help"]);
    expect(result.stdout).toContain("--reset-database");
  });
});
