/**
 * The problems of `POST /flows/validate` placed on the lines of the YAML: the line the API gives,
 * or else the line of the issue's path (`tasks[0].message`: the key `message` of the first task,
 * or its nearest ancestor that is written when the key is missing), or the line named in a YAML
 * syntax error.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Node } from "yaml";

export interface ValidateIssue {
  path: string;
  message: string;
  line?: number;
  column?: number;
}

/** One document's answer of `POST /flows/validate`. */
export interface ValidateResult {
  index: number;
  flow?: string;
  namespace?: string;
  constraints?: string;
  issues?: ValidateIssue[];
  warnings?: string[];
  infos?: string[];
  deprecationPaths?: string[];
}

export interface Problem {
  /** 1-based. */
  line: number;
  /** 1-based, when known. */
  column?: number;
  message: string;
  path?: string;
  severity: "error" | "warning" | "info";
}

export type PathSegment = string | number;

/** `tasks[0].retry.type` → `["tasks", 0, "retry", "type"]`; `(flow)` and "" → []. */
export function parsePath(path: string): PathSegment[] {
  if (!path || path === "(flow)") return [];
  const out: PathSegment[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]|\[["']([^"']*)["']\]/g)) {
    if (m[2] !== undefined) out.push(Number(m[2]));
    else out.push(m[1] ?? m[3]!);
  }
  return out;
}

/** The line and column (1-based) of the deepest node of `path` written in document `doc` of `source`. */
export function positionOfPath(
  source: string,
  path: string | readonly PathSegment[],
  doc = 0,
): { line: number; column: number } | undefined {
  const lineCounter = new LineCounter();
  let docs;
  try {
    docs = parseAllDocuments(source, { lineCounter, uniqueKeys: false });
  } catch {
    return undefined;
  }
  if (!Array.isArray(docs)) return undefined;
  const document = docs[doc];
  if (!document) return undefined;
  const segments = typeof path === "string" ? parsePath(path) : path;
  let node: unknown = document.contents;
  let offset: number | undefined = (node as Node | null)?.range?.[0];
  for (const segment of segments) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
      if (!pair) break;
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === "number") {
      const item = node.items[segment] as Node | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else break;
  }
  if (offset === undefined) return undefined;
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

const LINE_IN_MESSAGE = /line (\d+)(?:, column (\d+))?/;

/** Every problem of a validation answer, each on its line. */
export function problemsOf(source: string, results: readonly ValidateResult[]): Problem[] {
  const problems: Problem[] = [];
  for (const result of results) {
    const docIndex = result.index ?? 0;
    const place = (path: string) => positionOfPath(source, path, docIndex);
    if (result.issues?.length) {
      for (const issue of result.issues) {
        // the key of the path when it is on the line the API gives (the API may point at the value)
        const key = place(issue.path);
        const at = issue.line
          ? { line: issue.line, column: key?.line === issue.line ? key.column : issue.column }
          : key;
        problems.push({
          line: at?.line ?? 1,
          ...(at?.column ? { column: at.column } : {}),
          message: issue.message,
          path: issue.path,
          severity: "error",
        });
      }
    } else if (result.constraints) {
      for (const text of result.constraints.split("\n")) {
        const m = LINE_IN_MESSAGE.exec(text);
        const pathMatch = /^([\w.[\]'"-]+|\(flow\)): /.exec(text);
        const at = m
          ? { line: Number(m[1]), column: m[2] ? Number(m[2]) : undefined }
          : pathMatch
            ? place(pathMatch[1]!)
            : undefined;
        problems.push({
          line: at?.line ?? 1,
          ...(at?.column ? { column: at.column } : {}),
          message: text,
          ...(pathMatch ? { path: pathMatch[1] } : {}),
          severity: "error",
        });
      }
    }
    for (const path of result.deprecationPaths ?? []) {
      const at = place(path);
      problems.push({
        line: at?.line ?? 1,
        ...(at?.column ? { column: at.column } : {}),
        message: `${path} is deprecated`,
        path,
        severity: "warning",
      });
    }
    for (const warning of result.warnings ?? []) problems.push({ line: 1, message: warning, severity: "warning" });
    for (const info of result.infos ?? []) problems.push({ line: 1, message: info, severity: "info" });
  }
  return problems.sort((a, b) => a.line - b.line);
}
