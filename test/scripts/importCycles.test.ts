/**
 * The import-cycle check of `npm run lint` (scripts/import-cycles.mjs) on small trees written for
 * each test: it must find every cycle, ignore what is not an import, and hold the allowlist to
 * today's cycles exactly.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import {
  compareFolderPairs,
  compareWithAllowlist,
  cyclePaths,
  cyclicComponents,
  folderPairs,
  importGraph,
  importsOf,
  shrunkAllowlist,
} from "../../scripts/import-cycles.mjs";

const SCRIPT = fileURLToPath(new URL("../../scripts/import-cycles.mjs", import.meta.url));
const roots: string[] = [];

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "saker-cycles-"));
  roots.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

function run(root: string, ...args: string[]): { code: number; output: string } {
  try {
    const output = execFileSync(process.execPath, [SCRIPT, "--root", root, ...args], {
      encoding: "utf8",
      stdio: "pipe",
    });
    return { code: 0, output };
  } catch (error) {
    const failed = error as { status: number; stdout: string; stderr: string };
    return { code: failed.status, output: failed.stdout + failed.stderr };
  }
}

afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

const A = "packages/app/src";

describe("import-cycles", () => {
  it("finds a three-file cycle, a self-import and a cycle through a type-only import and a re-export", () => {
    const root = tree({
      [`${A}/a.ts`]: 'import { b } from "./b.js";\nexport const a = b;\n',
      [`${A}/b.ts`]: 'export { c as b } from "./sub/c.js";\n',
      [`${A}/sub/c.ts`]: 'import type { A } from "../a.js";\nexport const c = 1 as unknown as A;\n',
      [`${A}/self.ts`]: 'import * as me from "./self.js";\nexport const self = me;\n',
      [`${A}/x.ts`]: 'import { y } from "./y.ts";\nexport const x = y;\n',
      [`${A}/y.ts`]: 'import "./x.ts";\nexport const y = 1;\n',
      [`${A}/leaf.ts`]: 'import { a } from "./a.js";\nexport const leaf = a;\n',
    });
    const graph = importGraph(root);
    expect(cyclicComponents(graph)).toEqual([
      [`${A}/a.ts`, `${A}/b.ts`, `${A}/sub/c.ts`],
      [`${A}/self.ts`],
      [`${A}/x.ts`, `${A}/y.ts`],
    ]);
    expect(cyclePaths(graph, [`${A}/a.ts`, `${A}/b.ts`, `${A}/sub/c.ts`])).toEqual([
      [`${A}/a.ts`, `${A}/b.ts`, `${A}/sub/c.ts`, `${A}/a.ts`],
    ]);
  });

  it("follows workspace package specifiers through their source export, across packages", () => {
    const root = tree({
      "packages/one/package.json": JSON.stringify({ name: "@x/one", exports: { "./*": { source: "./src/*.ts" } } }),
      "packages/two/package.json": JSON.stringify({ name: "@x/two", exports: { ".": { source: "./src/index.ts" } } }),
      "packages/one/src/deep/thing.ts": 'import { two } from "@x/two";\nexport const thing = two;\n',
      "packages/two/src/index.ts": 'import { thing } from "@x/one/deep/thing";\nexport const two = thing;\n',
    });
    expect(cyclicComponents(importGraph(root))).toEqual([
      ["packages/one/src/deep/thing.ts", "packages/two/src/index.ts"],
    ]);
  });

  it("ignores imports written in strings and comments, lazy import() and third-party modules", () => {
    const text = [
      '// import { b } from "./b.js";',
      '/* export * from "./c.js"; */',
      'const code = `import { d } from "./d.js";`;',
      'const lazy = () => import("./e.js");',
      'import { z } from "zod";',
      'import type { F } from "./f.js";',
      'export type { G } from "./g.js";',
    ].join("\n");
    expect(importsOf(text)).toEqual([
      { specifier: "zod", typeOnly: false },
      { specifier: "./f.js", typeOnly: true },
      { specifier: "./g.js", typeOnly: true },
    ]);
    const root = tree({
      [`${A}/a.ts`]: 'const later = () => import("./b.js");\nexport const a = later;\n',
      [`${A}/b.ts`]: 'import { a } from "./a.js";\nexport const b = a;\n',
    });
    expect(cyclicComponents(importGraph(root))).toEqual([]);
  });

  it("finds one component in a 200-file ring with chords, without the tail that leads into it", () => {
    // A ring of 200 files with chords back to its start, plus a tail that joins no cycle.
    const graph = new Map<string, string[]>();
    const name = (i: number) => `f${String(i).padStart(3, "0")}`;
    for (let i = 0; i < 200; i++) graph.set(name(i), [name((i + 1) % 200), ...(i % 50 === 49 ? [name(0)] : [])]);
    for (let i = 200; i < 210; i++) graph.set(name(i), [name(i + 1 < 210 ? i + 1 : 0)]);
    const components = cyclicComponents(graph);
    expect(components).toHaveLength(1);
    expect(components[0]).toHaveLength(200);
  });

  it("holds the allowlist to today's cycles: new and wider cycles fail, gone and narrower ones ask to shrink", () => {
    const listed = [{ files: ["a", "b", "c"], removedBy: "someone" }];
    expect(compareWithAllowlist([["a", "b", "c"]], listed)).toMatchObject({ unexpected: [], stale: [] });
    expect(compareWithAllowlist([["a", "b", "c", "d"]], listed).unexpected).toEqual([["a", "b", "c", "d"]]);
    expect(compareWithAllowlist([["x", "y"]], listed).unexpected).toEqual([["x", "y"]]);
    expect(compareWithAllowlist([], listed).stale).toEqual([{ entry: listed[0], now: [] }]);
    expect(compareWithAllowlist([["a", "b"]], listed).stale).toEqual([{ entry: listed[0], now: [["a", "b"]] }]);
    expect(shrunkAllowlist([["a", "b"]], listed)).toEqual([{ files: ["a", "b"], removedBy: "someone" }]);
    expect(
      shrunkAllowlist(
        [
          ["a", "b"],
          ["x", "y"],
        ],
        listed,
      ),
    ).toBeUndefined();
  });

  it("exits 1 on a cycle the allowlist lacks, 0 once listed, 1 again when it is gone, and --update only shrinks", () => {
    const root = tree({
      [`${A}/a.ts`]: 'import { b } from "./b.js";\nexport const a = b;\n',
      [`${A}/b.ts`]: 'import { a } from "./a.js";\nexport const b = a;\n',
    });
    const allow = join(root, "allow.json");
    const failed = run(root, "--allow", allow);
    expect(failed.code).toBe(1);
    expect(failed.output).toContain(`${A}/a.ts\n      → ${A}/b.ts\n      → ${A}/a.ts`);
    expect(run(root, "--allow", allow, "--update").code).toBe(1);

    writeFileSync(allow, JSON.stringify({ cycles: [{ files: [`${A}/a.ts`, `${A}/b.ts`], removedBy: "t" }] }));
    expect(run(root, "--allow", allow).code).toBe(0);

    writeFileSync(join(root, A, "b.ts"), "export const b = 1;\n");
    const stale = run(root, "--allow", allow);
    expect(stale.code).toBe(1);
    expect(stale.output).toContain("is gone");
    expect(run(root, "--allow", allow, "--update").code).toBe(0);
    expect(run(root, "--allow", allow).code).toBe(0);
  });

  it("fails when two engine folders import each other without a file cycle, until the pair is listed", () => {
    const E = "packages/engine/src";
    const root = tree({
      [`${E}/low/a.ts`]: 'import { c } from "../high/c.js";\nexport const a = c;\n',
      [`${E}/low/b.ts`]: "export const b = 1;\n",
      [`${E}/high/c.ts`]: "export const c = 1;\n",
      [`${E}/high/d.ts`]: 'import { b } from "../low/b.js";\nexport const d = b;\n',
      [`${E}/high/d.test.ts`]: 'import { a } from "../low/a.js";\nexport const t = a;\n',
    });
    const graph = importGraph(root);
    expect(cyclicComponents(graph)).toEqual([]);
    const pairs = folderPairs(graph);
    expect(pairs).toEqual([
      { folders: ["high", "low"], forward: ["high/d.ts -> low/b.ts"], backward: ["low/a.ts -> high/c.ts"] },
    ]);
    expect(compareFolderPairs(pairs, []).unexpected).toEqual(pairs);
    expect(compareFolderPairs([], [{ folders: ["high", "low"] }]).stale).toEqual([{ folders: ["high", "low"] }]);

    const allow = join(root, "allow.json");
    const failed = run(root, "--allow", allow);
    expect(failed.code).toBe(1);
    expect(failed.output).toContain("engine folders high and low now import each other");
    expect(failed.output).toContain("high/d.ts -> low/b.ts");
    writeFileSync(allow, JSON.stringify({ cycles: [], folderPairs: [{ folders: ["high", "low"] }] }));
    expect(run(root, "--allow", allow).code).toBe(0);
    writeFileSync(join(root, E, "high/d.ts"), "export const d = 1;\n");
    expect(run(root, "--allow", allow).output).toContain("no longer import each other");
  });

  it("prints its usage with --help", () => {
    const help = run(tree({}), "--help");
    expect(help.code).toBe(0);
    expect(help.output).toContain("--update");
  });
});
