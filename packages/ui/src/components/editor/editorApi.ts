/** The API calls of the editor, with the caches they need (the flow schema, each type's docs). */
import { api } from "../../api/client.ts";
import type { FlowGraph } from "../../api/types.ts";
import type { PluginDocAnswer } from "../../lib/pluginDoc.ts";
import type { ValidateResult } from "../../lib/problems.ts";
import { indexFlowSchema, type JsonSchema, type SchemaIndex } from "../../lib/schemaCompletion.ts";

const YAML = "application/x-yaml";

let schemaIndex: Promise<SchemaIndex> | undefined;

/** The flow JSON Schema, indexed; loaded once (again after a failure). */
export function flowSchemaIndex(): Promise<SchemaIndex> {
  schemaIndex ??= api.get<JsonSchema>("/plugins/schemas/flow").then(indexFlowSchema, (error: unknown) => {
    schemaIndex = undefined;
    throw error;
  });
  return schemaIndex;
}

const docs = new Map<string, Promise<PluginDocAnswer>>();

/** A type's documentation (`GET /plugins/{type}`), cached. */
export function typeDoc(type: string): Promise<PluginDocAnswer> {
  let doc = docs.get(type);
  if (!doc) {
    doc = api.get<PluginDocAnswer>(`/plugins/${encodeURIComponent(type)}`);
    doc.catch(() => docs.delete(type));
    docs.set(type, doc);
  }
  return doc;
}

const outputs = new Map<string, readonly string[]>();

/** The output names a type declares, when its docs were loaded already (else undefined). */
export function knownOutputs(type: string): readonly string[] | undefined {
  return outputs.get(type);
}

/** Loads the output names of a type. */
export async function loadOutputs(type: string): Promise<readonly string[]> {
  const known = outputs.get(type);
  if (known) return known;
  try {
    const doc = await typeDoc(type);
    const props = (doc.schema?.outputs as { properties?: Record<string, unknown> } | undefined)?.properties ?? {};
    const names = Object.keys(props);
    outputs.set(type, names);
    return names;
  } catch {
    return [];
  }
}

export function validateFlow(source: string, signal?: AbortSignal): Promise<ValidateResult[]> {
  return api.post<ValidateResult[]>("/flows/validate", source, { contentType: YAML, ...(signal ? { signal } : {}) });
}

export function flowGraph(source: string, signal?: AbortSignal): Promise<FlowGraph> {
  return api.post<FlowGraph>("/flows/graph", source, { contentType: YAML, ...(signal ? { signal } : {}) });
}

export interface FileEntry {
  fileName: string;
  type: "File" | "Directory";
  size: number;
}

const ns = (namespace: string) => `/namespaces/${encodeURIComponent(namespace)}/files`;

export const namespaceFiles = {
  list: (namespace: string, path: string) => api.get<FileEntry[]>(`${ns(namespace)}/directory`, { query: { path } }),
  read: (namespace: string, path: string) => api.get<string>(ns(namespace), { query: { path }, as: "text" }),
  write: (namespace: string, path: string, content: string) => {
    const body = new FormData();
    body.append("fileContent", new Blob([content]), path.split("/").pop() ?? "file");
    return api.post<void>(ns(namespace), body, { query: { path } });
  },
  remove: (namespace: string, path: string) => api.delete<void>(ns(namespace), { query: { path } }),
};
