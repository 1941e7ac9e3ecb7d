/**
 * Flow YAML with positions: parses the source, keeps the document to map a path such as
 * `tasks[2].retry` back to its line and column. The data limits (aliases, depth, forbidden keys)
 * apply: see dataLimits.ts.
 */
import { SakerError } from "@saker/sdk";
import { isMap, isPair, isScalar, isSeq, LineCounter, type Document, type Node } from "yaml";
import { parseYamlDocument, yamlDocumentValue } from "./dataLimits.ts";

export interface YamlSource {
  value: unknown;
  /** 1-based line and column of the node at `path`, or of its nearest existing ancestor. */
  locate(path: readonly (string | number)[]): { line: number; column: number } | undefined;
}

export function parseYamlSource(source: string, name = "flow"): YamlSource {
  const lineCounter = new LineCounter();
  const doc: Document = parseYamlDocument(source, name, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => {
      const pos = lineCounter.linePos(e.pos[0]);
      return `line ${pos.line}, column ${pos.col}: ${e.message.split("\n")[0]}`;
    });
    const first = lineCounter.linePos(doc.errors[0]!.pos[0]);
    throw new SakerError("YAML_INVALID", `Invalid YAML in ${name}: ${problems.join("; ")}`, {
      line: first.line,
      column: first.col,
    });
  }
  const value = yamlDocumentValue(doc, name);
  return { value, locate: (path) => locateInDocument(doc, lineCounter, path) };
}

/** 1-based line and column of the node at `path` in a parsed document, or of its nearest existing ancestor. */
export function locateInDocument(
  doc: Document,
  lineCounter: LineCounter,
  path: readonly (string | number)[],
): { line: number; column: number } | undefined {
  let node: unknown = doc.contents;
  let found: Node | undefined = doc.contents ?? undefined;
  for (const part of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(part));
      if (!pair) break;
      found = (pair.value as Node | null) ?? (pair.key as Node);
      if (!pair.value) break;
      node = pair.value;
    } else if (isSeq(node) && typeof part === "number") {
      const item = node.items[part] as Node | undefined;
      if (!item) break;
      found = item;
      node = item;
    } else break;
  }
  const offset = found?.range?.[0];
  if (offset === undefined) return undefined;
  const pos = lineCounter.linePos(offset);
  return { line: pos.line, column: pos.col };
}
