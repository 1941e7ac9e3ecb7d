/** Types of error-codes.mjs, for the tests that import it. */
export interface DocumentedCode {
  code: string;
  meaning: string;
}
export function codesOfUnion(source?: string): DocumentedCode[];
export function statusesOfServer(source?: string): Map<string, number>;
export function renderTable(): string;
export function renderedDoc(doc?: string): string;
