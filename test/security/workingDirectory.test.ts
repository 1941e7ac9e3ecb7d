/**
 * A task's working directory may hold symbolic links a script made (to /etc/passwd, to /etc, to a
 * file it hopes a later task writes through). The engine never follows them: `outputFiles` and
 * LocalFiles `outputs` skip them, UploadFiles does not upload them, LocalFiles `inputs` does not
 * write through them. Runs real flows on a real instance; the link-making task stands for a script.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineTask, z } from "@saker/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  coreRegistry,
  errorMessages,
  openTestInstance,
  outputsOf,
  type Execution,
  type TestInstance,
} from "@saker/engine/testing";

const MakeLinks = defineTask({
  type: "io.saker.test.MakeLinks",
  title: "Leave symbolic links in the working directory, as a script could",
  properties: z.object({ links: z.record(z.string(), z.string()) }),
  async run({ links }, ctx) {
    const dir = await ctx.workingDir();
    for (const [name, target] of Object.entries(links)) symlinkSync(target, join(dir, name));
    return {};
  },
});

let t: TestInstance;
let outside: string;
beforeAll(async () => {
  const registry = coreRegistry();
  registry.addType({ name: "saker-test-links", version: "1.0.0", core: false }, MakeLinks);
  t = await openTestInstance({ registry });
  outside = mkdtempSync(join(tmpdir(), "saker-outside-"));
  writeFileSync(join(outside, "victim.txt"), "untouched");
});
afterAll(async () => {
  await t?.close();
  rmSync(outside, { recursive: true, force: true });
});

function storedFiles(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

function expectNoPasswdStored(): void {
  for (const file of storedFiles(t.instance.config.storagePath))
    expect(readFileSync(file, "utf8"), file).not.toContain("root:x:0:0");
}

describe("links in a working directory are never followed", () => {
  it("outputFiles, LocalFiles outputs and UploadFiles skip links to files and folders", async () => {
    const x: Execution = await t.run(`id: links
namespace: sec.wd
tasks:
  - id: wd
    type: io.kestra.plugin.core.flow.WorkingDirectory
    outputFiles: ["*.txt", "etc/passwd"]
    tasks:
      - id: links
        type: io.saker.test.MakeLinks
        links:
          passwd.txt: /etc/passwd
          etc: /etc
      - id: mine
        type: io.kestra.plugin.core.storage.LocalFiles
        inputs:
          mine.txt: ours
        outputs: ["*.txt", "etc/passwd"]
      - id: upload
        type: io.kestra.plugin.core.namespace.UploadFiles
        files: ["*.txt", "etc/passwd"]
`);
    expect(x.state.current).toBe("SUCCESS");
    expect(Object.keys(outputsOf(x, "wd").outputFiles as Record<string, string>)).toEqual(["mine.txt"]);
    expect(Object.keys(outputsOf(x, "mine").uris as Record<string, string>)).toEqual(["mine.txt"]);
    expect(Object.keys(outputsOf(x, "upload").files as Record<string, string>)).toEqual(["/mine.txt"]);
    expect(await t.instance.storage.list("/sec/wd/_files")).toEqual(["/sec/wd/_files/mine.txt"]);
    expectNoPasswdStored();
  });

  it("a later task never writes through a link", async () => {
    const victim = join(outside, "victim.txt");
    const x = await t.run(`id: writethrough
namespace: sec.wd
tasks:
  - id: wd
    type: io.kestra.plugin.core.flow.WorkingDirectory
    tasks:
      - id: links
        type: io.saker.test.MakeLinks
        links:
          victim.txt: ${victim}
          out: ${outside}
      - id: write
        type: io.kestra.plugin.core.storage.LocalFiles
        inputs:
          victim.txt: pwned
          out/victim.txt: pwned
`);
    expect(x.state.current).toBe("FAILED");
    expect(errorMessages(t, x, "write").join("\n")).toMatch(/symbolic link/);
    expect(readFileSync(victim, "utf8")).toBe("untouched");
    expect(statSync(victim).isFile()).toBe(true);
  });
});
