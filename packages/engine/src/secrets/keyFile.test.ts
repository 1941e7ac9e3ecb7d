import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadOrCreateKey } from "./keyFile.ts";

/** A file system without hard links: every link fails with EPERM, after `before` has run. */
const noLinks =
  (before: () => void = () => undefined) =>
  () => {
    before();
    throw Object.assign(new Error("EPERM: operation not permitted, link"), { code: "EPERM" });
  };

const BUILT = fileURLToPath(new URL("../../dist/secrets/keyFile.js", import.meta.url));

const freshHome = () => mkdtempSync(join(tmpdir(), "saker-key-"));

/** A process that waits for the moment `startAt` (epoch ms), loads the key and prints it (or its error). */
function keyProcess(file: string, startAt: number): Promise<{ code: number | null; out: string }> {
  const program = `
const { loadOrCreateKey } = await import(${JSON.stringify(BUILT)});
while (Date.now() < ${startAt});
try { process.stdout.write(loadOrCreateKey(${JSON.stringify(file)}).toString("base64")); }
catch (error) { process.stdout.write("error: " + error.message); process.exitCode = 1; }`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", program], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, out }));
  });
}

describe("the encryption key file", () => {
  it("is made once, readable by its owner only, and read back the same", () => {
    const file = join(freshHome(), "sub", "encryption.key");
    const key = loadOrCreateKey(file);
    expect(key).toHaveLength(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, "utf8")).toBe(key.toString("base64"));
    expect(loadOrCreateKey(file).equals(key)).toBe(true);
    // no draft left beside it
    expect(readdirSync(join(file, ".."))).toEqual(["encryption.key"]);
  });

  it("refuses a file that does not hold 32 bytes, names it, and leaves it as it is", () => {
    const file = join(freshHome(), "encryption.key");
    writeFileSync(file, "");
    expect(() => loadOrCreateKey(file)).toThrow(
      expect.objectContaining({ code: "ENCRYPTION_KEY_INVALID", message: expect.stringContaining(file) as string }),
    );
    writeFileSync(file, Buffer.alloc(16).toString("base64"));
    expect(() => loadOrCreateKey(file)).toThrow(/must hold 32 bytes in base64 \(it holds 16\)/);
    expect(readFileSync(file, "utf8")).toBe(Buffer.alloc(16).toString("base64"));
  });

  it("fails with the file system's error when publishing fails otherwise, making no key and leaving no draft", () => {
    const home = freshHome();
    const file = join(home, "encryption.key");
    const failing = () => {
      throw Object.assign(new Error("EIO: i/o error, link"), { code: "EIO" });
    };
    expect(() => loadOrCreateKey(file, failing)).toThrow(expect.objectContaining({ code: "EIO" }));
    expect(readdirSync(home)).toEqual([]);
  });

  describe("on a file system without hard links", () => {
    it("makes the key with an exclusive create, readable by its owner only, no draft left", () => {
      const file = join(freshHome(), "encryption.key");
      let tried = 0;
      const key = loadOrCreateKey(
        file,
        noLinks(() => tried++),
      );
      expect(tried).toBe(1);
      expect(key).toHaveLength(32);
      expect(readFileSync(file, "utf8")).toBe(key.toString("base64"));
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(readdirSync(join(file, ".."))).toEqual(["encryption.key"]);
    });

    it("reads the key of a process that created the file first", () => {
      const file = join(freshHome(), "encryption.key");
      const winner = Buffer.alloc(32, 7).toString("base64");
      expect(
        loadOrCreateKey(
          file,
          noLinks(() => writeFileSync(file, winner)),
        ).toString("base64"),
      ).toBe(winner);
      expect(readFileSync(file, "utf8")).toBe(winner);
      expect(readdirSync(join(file, ".."))).toEqual(["encryption.key"]);
    });
  });

  it("gives processes that start together on a fresh home one key, none failing", async () => {
    expect(existsSync(BUILT), `${BUILT} is built by npm test (tsc -b)`).toBe(true);
    for (let round = 0; round < 3; round++) {
      const file = join(freshHome(), "encryption.key");
      const startAt = Date.now() + 700;
      const results = await Promise.all(Array.from({ length: 8 }, () => keyProcess(file, startAt)));
      expect(results.map((r) => r.code)).toEqual(Array(8).fill(0));
      expect(new Set(results.map((r) => r.out))).toEqual(new Set([readFileSync(file, "utf8")]));
      expect(readdirSync(join(file, ".."))).toEqual(["encryption.key"]);
    }
  }, 30_000);
});
