/**
 * Python `dependencies` installed with pip from a local wheel folder (the public index is not
 * reachable here): once per set into the cache, then reused.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestInstance } from "@saker/engine/testing";
import { flow, logLines, scriptsInstance, taskRun } from "../../test/support.ts";

/** Writes a pure-Python wheel `tinydep-<version>` whose module says its version. */
function buildWheel(dir: string, version: string): void {
  const program = `
import base64, hashlib, sys, zipfile
dir, version = sys.argv[1], sys.argv[2]
info = f"tinydep-{version}.dist-info"
files = {
    "tinydep/__init__.py": f"VERSION = '{version}'\\n",
    f"{info}/METADATA": f"Metadata-Version: 2.1\\nName: tinydep\\nVersion: {version}\\n",
    f"{info}/WHEEL": "Wheel-Version: 1.0\\nGenerator: saker-test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
}
record = []
for name, text in files.items():
    data = text.encode()
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    record.append(f"{name},sha256={digest},{len(data)}")
record.append(f"{info}/RECORD,,")
files[f"{info}/RECORD"] = "\\n".join(record) + "\\n"
with zipfile.ZipFile(f"{dir}/tinydep-{version}-py3-none-any.whl", "w") as wheel:
    for name, text in files.items():
        wheel.writestr(name, text)
`;
  execFileSync("python3", ["-c", program, dir, version]);
}

let test: TestInstance;
let work: string;
let wheels: string;
let cacheDir: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "saker-pydeps-"));
  wheels = join(work, "wheels");
  cacheDir = join(work, "cache");
  execFileSync("mkdir", ["-p", wheels]);
  buildWheel(wheels, "1.0.0");
  buildWheel(wheels, "2.0.0");
  test = await scriptsInstance({
    overrides: { plugins: { configurations: [{ type: "io.kestra.plugin.scripts", values: { cacheDir } }] } },
  });
}, 60_000);

afterAll(async () => {
  await test?.close();
  rmSync(work, { recursive: true, force: true });
});

const task = (id: string, requirement: string, extra = "") =>
  flow(
    id,
    "io.kestra.plugin.scripts.python.Script",
    `dependencies: ["${requirement}"]\nenv:\n  PIP_FIND_LINKS: ${wheels}\n  PIP_NO_INDEX: "1"\n${extra}script: |\n  import tinydep\n  from kestra import Kestra\n  Kestra.outputs({"version": tinydep.VERSION})`,
  );

describe("python dependencies", () => {
  it("installs a set once into the cache, keyed by the set, and reuses it", async () => {
    const first = await test.run(task("deps1", "tinydep==1.0.0"), {}, 120_000);
    expect(first.state.current, logLines(test, first.id, "WARN").join("\n")).toBe("SUCCESS");
    expect(taskRun(first, "t").outputs).toMatchObject({ vars: { version: "1.0.0" } });
    expect(logLines(test, first.id)).toContain("INFO Installing Python dependencies: tinydep==1.0.0");
    const again = await test.run(task("deps2", "tinydep==1.0.0"), {}, 120_000);
    expect(taskRun(again, "t").outputs).toMatchObject({ vars: { version: "1.0.0" } });
    expect(logLines(test, again.id).some((l) => l.includes("Installing"))).toBe(false);
    const other = await test.run(task("deps3", "tinydep==2.0.0"), {}, 120_000);
    expect(taskRun(other, "t").outputs).toMatchObject({ vars: { version: "2.0.0" } });
    expect(readdirSync(join(cacheDir, "python")).sort()).toHaveLength(2);
  }, 240_000);

  it("installs into the working directory each time with dependencyCacheEnabled: false", async () => {
    const ex = await test.run(task("nocache", "tinydep==2.0.0", "dependencyCacheEnabled: false\n"), {}, 120_000);
    expect(taskRun(ex, "t").outputs).toMatchObject({ vars: { version: "2.0.0" } });
    expect(logLines(test, ex.id)).toContain("INFO Installing Python dependencies: tinydep==2.0.0");
  }, 120_000);

  it("fails clearly when pip cannot find a dependency, leaving no cache entry", async () => {
    const ex = await test.run(task("missing", "tinydep==9.9.9"), {}, 120_000);
    expect(ex.state.current).toBe("FAILED");
    expect(logLines(test, ex.id, "ERROR").join("\n")).toMatch(
      /Installing the Python dependencies \(tinydep==9\.9\.9\) failed with exit code 1:\n.*tinydep==9\.9\.9/s,
    );
    // Only the two sets installed above: no entry, and no half-filled staging folder, for this one.
    expect(readdirSync(join(cacheDir, "python"))).toHaveLength(2);
  }, 120_000);
});
