/** Types of import-cycles.mjs, for the tests that import it. */
export interface ImportRef {
  specifier: string;
  typeOnly: boolean;
}
export interface AllowedCycle {
  files: string[];
  removedBy?: string;
}
export interface AllowedFolderPair {
  folders: [string, string];
  removedBy?: string;
}
export interface FolderPair {
  folders: [string, string];
  forward: string[];
  backward: string[];
}
export type ImportGraph = Map<string, string[]>;
export function sourceFiles(root: string): string[];
export function importsOf(text: string, fileName?: string): ImportRef[];
export function importGraph(root: string): ImportGraph;
export function cyclicComponents(graph: ImportGraph): string[][];
export function cyclePaths(graph: ImportGraph, component: readonly string[]): string[][];
export function compareWithAllowlist(
  components: readonly string[][],
  entries: readonly AllowedCycle[],
): { unexpected: string[][]; stale: { entry: AllowedCycle; now: string[][] }[]; exact: string[][] };
export function folderPairs(graph: ImportGraph, base?: string): FolderPair[];
export function compareFolderPairs(
  pairs: readonly FolderPair[],
  allowed: readonly AllowedFolderPair[],
): { unexpected: FolderPair[]; stale: AllowedFolderPair[] };
export function shrunkAllowlist(
  components: readonly string[][],
  entries: readonly AllowedCycle[],
): AllowedCycle[] | undefined;
