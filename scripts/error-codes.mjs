#!/usr/bin/env node
/**
 * Writes the error-code table of docs/rest-api.md from the sources: the codes and their doc
 * comments from `SakerErrorCode` (packages/sdk/src/errors.ts), the statuses from `STATUS_BY_CODE`
 * (packages/server/src/http/errors.ts). `--check` only says whether the table is up to date.
 *
 *   node scripts/error-codes.mjs          # rewrite the table
 *   node scripts/error-codes.mjs --check  # exit 1 when the table differs
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const SDK = `${root}packages/sdk/src/errors.ts`;
const SERVER = `${root}packages/server/src/http/errors.ts`;
const DOC = `${root}docs/rest-api.md`;
const START = "<!-- error-codes:start (node scripts/error-codes.mjs writes this table) -->";
const END = "<!-- error-codes:end -->";

/** The codes of the union, in source order, each with its doc comment as one line of Markdown. */
export function codesOfUnion(source = readFileSync(SDK, "utf8")) {
  const at = source.indexOf("export type SakerErrorCode =");
  if (at < 0) throw new Error(`no SakerErrorCode union in ${SDK}`);
  const end = /"[A-Z0-9_]+";/.exec(source.slice(at));
  if (!end) throw new Error(`the SakerErrorCode union of ${SDK} has no end`);
  const union = source.slice(at, at + end.index + end[0].length);
  const codes = [];
  for (const m of union.matchAll(/\/\*\*([\s\S]*?)\*\/\s*\|\s*"([A-Z0-9_]+)"/g)) {
    const meaning = m[1]
      .replace(/^\s*\*\s?/gm, " ")
      .replace(/\{@link (\w+)\}/g, "`$1`")
      .replace(/\s+/g, " ")
      .trim();
    codes.push({ code: m[2], meaning });
  }
  const bare = [...union.matchAll(/"([A-Z0-9_]+)"/g)].map((m) => m[1]);
  const undocumented = bare.filter((code) => !codes.some((c) => c.code === code));
  if (undocumented.length) throw new Error(`codes without a doc comment: ${undocumented.join(", ")}`);
  return codes;
}

/** The statuses of the server's table, by code. */
export function statusesOfServer(source = readFileSync(SERVER, "utf8")) {
  const at = source.indexOf("STATUS_BY_CODE: Record<SakerErrorCode, number> = {");
  if (at < 0) throw new Error(`no STATUS_BY_CODE table in ${SERVER}`);
  const table = source.slice(at, source.indexOf("};", at));
  return new Map([...table.matchAll(/^\s*([A-Z0-9_]+): (\d{3}),/gm)].map((m) => [m[1], Number(m[2])]));
}

/** The Markdown table, markers included. */
export function renderTable() {
  const statuses = statusesOfServer();
  const rows = codesOfUnion().map(({ code, meaning }) => {
    const status = statuses.get(code);
    if (status === undefined) throw new Error(`${code} has no status in ${SERVER}`);
    return `| \`${code}\` | ${status} | ${meaning.replace(/\|/g, "\\|")} |`;
  });
  return [START, "", "| Code | HTTP status | Raised when |", "| --- | --- | --- |", ...rows, "", END].join("\n");
}

/** docs/rest-api.md with the table replaced. */
export function renderedDoc(doc = readFileSync(DOC, "utf8")) {
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${DOC} has no error-code markers`);
  return doc.slice(0, start) + renderTable() + doc.slice(end + END.length);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const doc = readFileSync(DOC, "utf8");
  const next = renderedDoc(doc);
  if (process.argv.includes("--check")) {
    if (next !== doc) {
      console.error("docs/rest-api.md: the error-code table is out of date; run node scripts/error-codes.mjs");
      process.exit(1);
    }
    console.log("docs/rest-api.md: the error-code table is up to date");
  } else if (next !== doc) {
    writeFileSync(DOC, next);
    console.log("docs/rest-api.md: error-code table written");
  }
}
