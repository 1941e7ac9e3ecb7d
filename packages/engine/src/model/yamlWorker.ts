/**
 * The worker thread behind yamlOffThread.ts: parses flow YAML (or locates paths in it, or sets
 * its `disabled`) with the same limits as the main thread, and answers plain data or the error
 * as plain fields.
 */
import { isSakerError, type SakerErrorCode } from "@saker/sdk";
import { serialize } from "node:v8";
import { parentPort } from "node:worker_threads";
import { setDataLimits, type DataLimits } from "./dataLimits.ts";
import { editDisabled, type DisabledEdit } from "./disabledSource.ts";
import { parseYamlSource } from "./yamlSource.ts";

export interface YamlRequest {
  id: number;
  source: string;
  name: string;
  limits: DataLimits;
  /** Locate these paths instead of answering the value. */
  paths?: (string | number)[][];
  /** Answer the edit setting `disabled` instead (editDisabled, see disabledSource.ts). */
  disabled?: boolean;
}

/**
 * A value comes serialised in parts, for the main thread to rebuild one part at a time: a 5 MB
 * flow rebuilt in one go holds its event loop for tens of milliseconds, then a long garbage
 * collection. Part 0 is the value with its long top-level lists empty; each next part holds
 * items to append to one of those lists.
 */
export const PART_ITEMS = 500;

export interface ValueParts {
  head: Uint8Array;
  parts: { key: string; items: Uint8Array }[];
}

export type YamlReply =
  | { id: number; value: ValueParts }
  | ({ id: number } & DisabledEdit)
  | { id: number; positions: ({ line: number; column: number } | undefined)[] }
  | {
      id: number;
      error: {
        code?: SakerErrorCode;
        reason: string;
        location?: Record<string, unknown>;
        details?: Record<string, unknown>;
      };
    };

function inParts(value: unknown): ValueParts {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { head: serialize(value), parts: [] };
  const head: Record<string, unknown> = {};
  const parts: ValueParts["parts"] = [];
  for (const [key, child] of Object.entries(value)) {
    if (!Array.isArray(child) || child.length <= PART_ITEMS) head[key] = child;
    else {
      head[key] = [];
      for (let i = 0; i < child.length; i += PART_ITEMS)
        parts.push({ key, items: serialize(child.slice(i, i + PART_ITEMS)) });
    }
  }
  return { head: serialize(head), parts };
}

function answer(request: YamlRequest): YamlReply {
  try {
    setDataLimits(request.limits);
    if (request.disabled !== undefined) return { id: request.id, ...editDisabled(request.source, request.disabled) };
    const yaml = parseYamlSource(request.source, request.name);
    if (request.paths) return { id: request.id, positions: request.paths.map((p) => yaml.locate(p)) };
    return { id: request.id, value: inParts(yaml.value) };
  } catch (error) {
    if (isSakerError(error))
      return {
        id: request.id,
        error: {
          code: error.code,
          reason: error.reason,
          location: { ...error.location },
          ...(error.details ? { details: error.details } : {}),
        },
      };
    return { id: request.id, error: { reason: error instanceof Error ? error.message : String(error) } };
  }
}

parentPort?.on("message", (request: YamlRequest) => parentPort!.postMessage(answer(request)));
