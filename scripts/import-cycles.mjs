#!/usr/bin/env node
/**
 * Fails when the sources import in a circle that scripts/import-cycles.allow.json does not list, or
 * two engine folders import each other without being listed, and when a listed circle or pair is
 * gone or smaller than listed (so the list only ever shrinks). Run with `--help` for the options.
 *
 * The graph: every `import … from`, `import "…"`, `export … from` and `import x = require(…)` of
 * packages/src/ and plugins/src/ TypeScript files, type-only ones included (a circle of types is
 * still two modules that cannot be understood apart). `import()` expressions are not edges: a lazy
 * load is the accepted way to reach back. Relative `.js` specifiers resolve to the `.ts` source,
 * workspace package specifiers (`@saker/engine/model/flow`) through the package's `source` export.
 * Files are parsed with the TypeScript compiler the repository already builds with, so an import
 * inside a string or a comment is never mistaken for one.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const HELP = `Usage: node scripts/import-cycles.mjs [options]

Finds import cycles (strongly connected components of the import graph) among the TypeScript
sources of packages/*/src and plugins/*/src, and the pairs of engine folders
(packages/engine/src/<folder>) that import each other, tests left out; checks both against the
allowlist.

Exits 1 when
  - a cycle is not covered by an allowlist entry (a new cycle, or a listed one that grew),
  - two engine folders import each other and the allowlist does not name the pair, or
  - an allowlist entry is out of date (its cycle is gone or smaller, its folders no longer
    import each other): shrink the list with --update.

Options
  --allow <file>  the allowlist (default: scripts/import-cycles.allow.json)
  --root <dir>    the repository root to scan (default: this script's parent folder)
  --list          print every cycle found and exit 0, without reading the allowlist
  --folders       print the engine folder pairs that import each other, with the imports of the
                  thinner direction, and exit 0
  --update        rewrite the allowlist to today's cycles and pairs; refuses to add or widen one
  --help          this text

Allowlist format:
  { "cycles": [ { "removedBy": "…", "files": ["packages/…/a.ts", …] } ],
    "folderPairs": [ { "removedBy": "…", "folders": ["core", "executor"] } ] }
A cycle entry names the exact file set of one cycle. Entries may only be deleted or narrowed.`;

const DEFAULT_ROOT = fileURLToPath(new URL("..", import.meta.url));
const SOURCE_ROOTS = ["packages", "plugins"];

/** The .ts files (declarations excluded) under <root>/{packages,plugins}/<name>/src, relative and sorted. */
export function sourceFiles(root) {
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "node_modules" && entry.name !== "dist") walk(path);
      } else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) {
        files.push(toPosix(relative(root, path)));
      }
    }
  };
  for (const top of SOURCE_ROOTS) {
    const topDir = join(root, top);
    if (!existsSync(topDir)) continue;
    for (const pkg of readdirSync(topDir)) {
      const src = join(topDir, pkg, "src");
      if (existsSync(src) && statSync(src).isDirectory()) walk(src);
    }
  }
  return files.sort();
}

/** The static module specifiers of one source text, each with whether only types cross it. */
export function importsOf(text, fileName = "module.ts") {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found = [];
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
      found.push({ specifier: statement.moduleSpecifier.text, typeOnly: importIsTypeOnly(statement.importClause) });
    } else if (
      ts.isExportDeclaration(statement) &&
      statement.moduleSpecifier &&
      ts.isStringLiteral(statement.moduleSpecifier)
    ) {
      found.push({ specifier: statement.moduleSpecifier.text, typeOnly: exportIsTypeOnly(statement) });
    } else if (
      ts.isImportEqualsDeclaration(statement) &&
      ts.isExternalModuleReference(statement.moduleReference) &&
      ts.isStringLiteral(statement.moduleReference.expression)
    ) {
      found.push({ specifier: statement.moduleReference.expression.text, typeOnly: statement.isTypeOnly });
    }
  }
  return found;
}

function importIsTypeOnly(clause) {
  if (!clause) return false; // import "./x.js": a side effect
  if (clause.isTypeOnly) return true;
  if (clause.name) return false;
  const bindings = clause.namedBindings;
  if (!bindings || ts.isNamespaceImport(bindings)) return false;
  return bindings.elements.length > 0 && bindings.elements.every((element) => element.isTypeOnly);
}

function exportIsTypeOnly(statement) {
  if (statement.isTypeOnly) return true;
  const clause = statement.exportClause;
  if (!clause || !ts.isNamedExports(clause)) return false;
  return clause.elements.length > 0 && clause.elements.every((element) => element.isTypeOnly);
}

/** Workspace packages by name: where each lives and its `exports` map. */
export function workspacePackages(root) {
  const packages = new Map();
  for (const top of SOURCE_ROOTS) {
    const topDir = join(root, top);
    if (!existsSync(topDir)) continue;
    for (const dir of readdirSync(topDir)) {
      const manifest = join(topDir, dir, "package.json");
      if (!existsSync(manifest)) continue;
      const { name, exports } = JSON.parse(readFileSync(manifest, "utf8"));
      if (name) packages.set(name, { dir: toPosix(join(top, dir)), exports: exports ?? {} });
    }
  }
  return packages;
}

/** The repository-relative .ts file a specifier of `from` names, or undefined (a third-party module). */
export function resolveSpecifier(specifier, from, files, packages) {
  if (specifier.startsWith(".")) {
    const base = toPosix(join(dirname(from), specifier));
    const candidates = /\.[mc]?js$/.test(base)
      ? [base.replace(/\.([mc]?)js$/, ".$1ts"), base.replace(/\.([mc]?)js$/, ".$1tsx"), base]
      : [base, `${base}.ts`, `${base}/index.ts`];
    return candidates.find((candidate) => files.has(candidate));
  }
  const match = /^((?:@[^/]+\/)?[^/]+)(\/.*)?$/.exec(specifier);
  const pkg = match && packages.get(match[1]);
  if (!pkg) return undefined;
  const target = exportTarget(pkg.exports, `.${match[2] ?? ""}`);
  if (!target) return undefined;
  const file = toPosix(join(pkg.dir, target));
  return files.has(file) ? file : undefined;
}

function exportTarget(exports, subpath) {
  const pick = (entry, star) => {
    const value = typeof entry === "string" ? entry : (entry?.source ?? entry?.default);
    return typeof value === "string" ? value.replace("*", star) : undefined;
  };
  if (typeof exports === "string") return subpath === "." ? exports : undefined;
  if (exports[subpath]) return pick(exports[subpath], "");
  for (const [key, entry] of Object.entries(exports)) {
    const star = key.indexOf("*");
    if (star < 0) continue;
    const [prefix, suffix] = [key.slice(0, star), key.slice(star + 1)];
    if (subpath.startsWith(prefix) && subpath.endsWith(suffix) && subpath.length >= key.length - 1) {
      return pick(entry, subpath.slice(prefix.length, subpath.length - suffix.length));
    }
  }
  return undefined;
}

/** The import graph of the tree at root: file → the files it imports (sorted, repository-relative). */
export function importGraph(root) {
  const list = sourceFiles(root);
  const files = new Set(list);
  const packages = workspacePackages(root);
  const graph = new Map();
  for (const file of list) {
    const targets = new Set();
    for (const { specifier } of importsOf(readFileSync(join(root, file), "utf8"), file)) {
      const target = resolveSpecifier(specifier, file, files, packages);
      if (target) targets.add(target);
    }
    graph.set(file, [...targets].sort());
  }
  return graph;
}

/**
 * Tarjan's strongly connected components, iteratively (no recursion limit). Returns the components
 * that hold a cycle: two files or more, or one file importing itself. Each sorted; the list sorted.
 */
export function cyclicComponents(graph) {
  let counter = 0;
  const index = new Map();
  const low = new Map();
  const onStack = new Set();
  const stack = [];
  const components = [];
  const targetsOf = (node) => graph.get(node) ?? [];
  for (const start of graph.keys()) {
    if (index.has(start)) continue;
    const work = [{ node: start, next: 0 }];
    index.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const targets = targetsOf(frame.node);
      if (frame.next < targets.length) {
        const target = targets[frame.next++];
        if (!index.has(target)) {
          index.set(target, counter);
          low.set(target, counter++);
          stack.push(target);
          onStack.add(target);
          work.push({ node: target, next: 0 });
        } else if (onStack.has(target)) {
          low.set(frame.node, Math.min(low.get(frame.node), index.get(target)));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].node;
        low.set(parent, Math.min(low.get(parent), low.get(frame.node)));
      }
      if (low.get(frame.node) !== index.get(frame.node)) continue;
      const component = [];
      let member;
      do {
        member = stack.pop();
        onStack.delete(member);
        component.push(member);
      } while (member !== frame.node);
      if (component.length > 1 || targetsOf(frame.node).includes(frame.node)) components.push(component.sort());
    }
  }
  return components.sort((a, b) => a[0].localeCompare(b[0]));
}

/**
 * Readable cycles inside one component: the shortest cycle through its first file, then through
 * each file no printed cycle has passed yet, until every file appears in one. Each path starts and
 * ends with the same file.
 */
export function cyclePaths(graph, component) {
  const members = new Set(component);
  const covered = new Set();
  const paths = [];
  for (const file of component) {
    if (covered.has(file)) continue;
    const path = shortestCycle(graph, file, members);
    if (!path) continue;
    paths.push(path);
    for (const step of path) covered.add(step);
  }
  return paths;
}

function shortestCycle(graph, start, members) {
  const previous = new Map();
  const queue = [start];
  for (let at = 0; at < queue.length; at++) {
    const node = queue[at];
    for (const target of graph.get(node) ?? []) {
      if (!members.has(target)) continue;
      if (target === start) {
        const back = [];
        for (let step = node; step !== start; step = previous.get(step)) back.push(step);
        return [start, ...back.reverse(), start];
      }
      if (!previous.has(target)) {
        previous.set(target, node);
        queue.push(target);
      }
    }
  }
  return undefined;
}

/**
 * Compares today's components with the allowlist. `unexpected`: components no entry covers (new, or
 * wider than listed). `stale`: entries that are not exactly a component any more, with the smaller
 * components they now cover (empty when the cycle is gone).
 */
export function compareWithAllowlist(components, entries) {
  const key = (files) => [...files].sort().join("\n");
  const listed = new Set(entries.map((entry) => key(entry.files)));
  const unexpected = components.filter((component) => !entries.some((entry) => isSubset(component, entry.files)));
  const stale = entries
    .filter((entry) => !components.some((component) => key(component) === key(entry.files)))
    .map((entry) => ({ entry, now: components.filter((component) => isSubset(component, entry.files)) }));
  return { unexpected, stale, exact: components.filter((component) => listed.has(key(component))) };
}

/** The allowlist `--update` writes: today's components, each kept only if an entry already covers it. */
export function shrunkAllowlist(components, entries) {
  const { unexpected } = compareWithAllowlist(components, entries);
  if (unexpected.length > 0) return undefined;
  return components.map((component) => {
    const entry = entries.find((candidate) => isSubset(component, candidate.files));
    return { ...entry, files: component };
  });
}

/**
 * Pairs of top-level folders of packages/engine/src that import each other (test files left out):
 * `{ folders: [a, b], forward: ["a/x.ts -> b/y.ts", …], backward: [...] }`, sorted by folder names.
 */
export function folderPairs(graph, base = "packages/engine/src/") {
  const isTest = (file) => /\.test\.ts$|\/__tests__\//.test(file);
  const folderOf = (file) => {
    if (!file.startsWith(base)) return undefined;
    const rest = file.slice(base.length);
    return rest.includes("/") ? rest.slice(0, rest.indexOf("/")) : undefined;
  };
  const edges = new Map();
  for (const [file, targets] of graph) {
    const from = folderOf(file);
    if (!from || isTest(file)) continue;
    for (const target of targets) {
      const to = folderOf(target);
      if (!to || to === from) continue;
      const key = `${from}\0${to}`;
      if (!edges.has(key)) edges.set(key, []);
      edges.get(key).push(`${file.slice(base.length)} -> ${target.slice(base.length)}`);
    }
  }
  const pairs = [];
  for (const [key, forward] of edges) {
    const [a, b] = key.split("\0");
    const backward = edges.get(`${b}\0${a}`);
    if (a < b && backward) pairs.push({ folders: [a, b], forward, backward });
  }
  return pairs.sort((x, y) => x.folders.join("/").localeCompare(y.folders.join("/")));
}

/**
 * Today's folder pairs against the allowed ones (`{ folders: [a, b] }`, a < b): `unexpected` pairs
 * no entry names, `stale` entries whose pair no longer imports both ways.
 */
export function compareFolderPairs(pairs, allowed) {
  const key = (folders) => [...folders].sort().join(" <-> ");
  const today = new Set(pairs.map((pair) => key(pair.folders)));
  const listed = new Set(allowed.map((entry) => key(entry.folders)));
  return {
    unexpected: pairs.filter((pair) => !listed.has(key(pair.folders))),
    stale: allowed.filter((entry) => !today.has(key(entry.folders))),
  };
}

function isSubset(files, of) {
  const set = new Set(of);
  return files.every((file) => set.has(file));
}

function toPosix(path) {
  return sep === "/" ? path : path.split(sep).join("/");
}

function describe(graph, component) {
  const lines = [`  ${component.length} files:`];
  for (const path of cyclePaths(graph, component)) lines.push(`    ${path.join("\n      → ")}`);
  return lines.join("\n");
}

function readAllowlist(path) {
  if (!existsSync(path)) return { cycles: [], folderPairs: [] };
  const parsed = JSON.parse(readFileSync(path, "utf8"));
  if (!Array.isArray(parsed.cycles)) throw new Error(`${path}: expected { "cycles": [...], "folderPairs": [...] }`);
  return { cycles: parsed.cycles, folderPairs: parsed.folderPairs ?? [] };
}

/** Writes the allowlist as Prettier would (so `prettier --check` passes), plain JSON without it. */
async function writeAllowlist(path, { cycles, folderPairs }) {
  const body = {
    $comment: "Import cycles and engine folder pairs that exist today. Only ever remove or narrow an entry.",
    cycles,
    folderPairs,
  };
  let text = `${JSON.stringify(body, null, 2)}\n`;
  try {
    const prettier = await import("prettier");
    text = await prettier.format(text, { ...(await prettier.resolveConfig(path)), filepath: path });
  } catch {
    // Prettier is a development dependency; without it the file is still valid JSON.
  }
  writeFileSync(path, text);
}

function option(args, name, fallback) {
  const at = args.indexOf(name);
  return at >= 0 && args[at + 1] ? args[at + 1] : fallback;
}

async function main(args) {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(HELP);
    return 0;
  }
  const root = resolve(option(args, "--root", DEFAULT_ROOT));
  const allowPath = resolve(option(args, "--allow", join(root, "scripts/import-cycles.allow.json")));
  const graph = importGraph(root);
  const components = cyclicComponents(graph);
  if (args.includes("--list")) {
    console.log(`${components.length} import cycle(s) among ${graph.size} files`);
    for (const component of components) console.log(describe(graph, component));
    return 0;
  }
  if (args.includes("--folders")) {
    const pairs = folderPairs(graph);
    console.log(`${pairs.length} pair(s) of engine folders import each other`);
    for (const { folders, forward, backward } of pairs) {
      const [thin, thick] = forward.length <= backward.length ? [forward, backward] : [backward, forward];
      console.log(`  ${folders.join(" <-> ")}: ${thick.length} import(s) one way, ${thin.length} back:`);
      for (const edge of thin) console.log(`    ${edge}`);
    }
    return 0;
  }
  const allowed = readAllowlist(allowPath);
  const pairs = folderPairs(graph);
  const cycles = compareWithAllowlist(components, allowed.cycles);
  const folders = compareFolderPairs(pairs, allowed.folderPairs);
  for (const component of cycles.unexpected) {
    console.error("import-cycles: a new import cycle (break it; the allowlist only shrinks):");
    console.error(describe(graph, component));
  }
  for (const { folders: pair, forward, backward } of folders.unexpected) {
    console.error(`import-cycles: engine folders ${pair.join(" and ")} now import each other (break it):`);
    for (const edge of forward.length <= backward.length ? forward : backward) console.error(`    ${edge}`);
  }
  if (args.includes("--update")) {
    if (cycles.unexpected.length > 0 || folders.unexpected.length > 0) {
      console.error("import-cycles: --update only narrows the allowlist; remove the new cycles above instead");
      return 1;
    }
    const next = {
      cycles: shrunkAllowlist(components, allowed.cycles),
      folderPairs: allowed.folderPairs.filter((entry) => !folders.stale.includes(entry)),
    };
    await writeAllowlist(allowPath, next);
    const counts = `${next.cycles.length} cycle(s) and ${next.folderPairs.length} folder pair(s)`;
    console.log(`import-cycles: ${relative(root, allowPath)} now lists ${counts}`);
    return 0;
  }
  for (const { entry, now } of cycles.stale) {
    const what = now.length === 0 ? "is gone" : `shrank to ${now.map((c) => `${c.length} files`).join(" + ")}`;
    console.error(`import-cycles: the allowed cycle of ${entry.files[0]} (${entry.files.length} files) ${what}.`);
  }
  for (const entry of folders.stale) {
    console.error(`import-cycles: engine folders ${entry.folders.join(" and ")} no longer import each other.`);
  }
  if (cycles.stale.length > 0 || folders.stale.length > 0) {
    console.error("  Shrink the allowlist: node scripts/import-cycles.mjs --update");
  }
  if (cycles.unexpected.length + cycles.stale.length + folders.unexpected.length + folders.stale.length > 0) return 1;
  const found = `${components.length} allowed cycle(s) and ${pairs.length} allowed folder pair(s)`;
  console.log(`import-cycles: ${found}, none new, among ${graph.size} files`);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
