/**
 * Task `assets` (Kestra 1.x): the data assets a task reads (`inputs`) and writes (`outputs`).
 * Kestra's open-source edition keeps the rendered declaration on the task run; its asset catalog
 * and lineage are Enterprise features, so Saker records and shows them, nothing more.
 */
import { SakerError, z } from "@saker/sdk";

const ASSET_ID = /^[a-zA-Z0-9][a-zA-Z0-9._:-]*$/;
const ASSET_NAMESPACE = /^[a-z0-9][a-z0-9._-]*$/;
/** Asset properties; any other key of an output asset is part of its `metadata`. */
const OUTPUT_KEYS = new Set(["id", "namespace", "type", "displayName", "description", "metadata"]);

const isTemplate = (text: string) => text.includes("{{") || text.includes("{%");
const assetId = z
  .string()
  .max(150)
  .refine(
    (s) => isTemplate(s) || ASSET_ID.test(s),
    "must start with a letter or digit and hold only letters, digits, '.', '_', ':' and '-'",
  );
const assetNamespace = z
  .string()
  .max(150)
  .refine(
    (s) => isTemplate(s) || ASSET_NAMESPACE.test(s),
    "must be lower-case letters, digits, '.', '_' and '-', starting with a letter or digit",
  );

export const AssetsDeclarationSchema = z
  .object({
    enableAuto: z
      .boolean()
      .default(false)
      .describe("Kestra EE: register assets found at runtime; accepted, nothing is found automatically."),
    inputs: z
      .array(
        z.object({
          id: assetId,
          namespace: assetNamespace.optional(),
          type: z.string().min(1).optional().describe("The kind of asset read (optional)."),
        }),
      )
      .optional()
      .describe("The assets the task reads."),
    outputs: z
      .array(
        z.looseObject({
          id: assetId,
          namespace: assetNamespace.optional(),
          type: z.string().min(1).describe("The kind of asset, such as io.kestra.plugin.ee.assets.Table."),
          displayName: z.string().optional(),
          description: z.string().optional(),
          metadata: z.record(z.string(), z.unknown()).optional(),
        }),
      )
      .optional()
      .describe(
        "The assets the task writes; keys other than id, namespace, type, displayName and description are metadata.",
      ),
    assetFailureBehavior: z
      .enum(["IGNORE", "FAIL", "WARN"])
      .default("WARN")
      .describe(
        "Kestra EE: what a failure to register the assets does to the task run; accepted, Saker registers none.",
      ),
  })
  .describe("The data assets the task reads and writes, kept on its task run.");

export interface AssetIdentifier {
  id: string;
  namespace?: string;
  /** The kind of asset: required of an output, optional on an input. */
  type?: string;
}

export interface Asset extends AssetIdentifier {
  type: string;
  displayName?: string;
  description?: string;
  metadata: Record<string, unknown>;
}

/** What a task run records: the rendered declaration. */
export interface AssetsInOut {
  inputs: AssetIdentifier[];
  outputs: Asset[];
}

function text(value: unknown, what: string, pattern?: RegExp): string {
  if (typeof value !== "string" || value === "")
    throw new SakerError("ASSETS_INVALID", `${what} must be a non-empty string, got ${JSON.stringify(value ?? null)}`);
  if (pattern && !pattern.test(value))
    throw new SakerError("ASSETS_INVALID", `${what} '${value}' must match ${pattern.source}`);
  return value;
}

function identifier(value: unknown, path: string): AssetIdentifier {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new SakerError("ASSETS_INVALID", `${path} must be a map with an id`);
  const entry = value as Record<string, unknown>;
  return {
    id: text(entry.id, `${path}.id`, ASSET_ID),
    ...(entry.namespace !== undefined
      ? { namespace: text(entry.namespace, `${path}.namespace`, ASSET_NAMESPACE) }
      : {}),
    ...(entry.type !== undefined ? { type: text(entry.type, `${path}.type`) } : {}),
  };
}

function list(value: unknown, path: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new SakerError("ASSETS_INVALID", `${path} must be a list`);
  return value;
}

/** The rendered `assets` of a task checked again (expressions may have produced anything) and normalised. */
export function assetsInOut(rendered: unknown): AssetsInOut {
  if (typeof rendered !== "object" || rendered === null || Array.isArray(rendered))
    throw new SakerError("ASSETS_INVALID", "assets must be a map with inputs and outputs");
  const declaration = rendered as Record<string, unknown>;
  const inputs = list(declaration.inputs, "assets.inputs").map((v, i) => identifier(v, `assets.inputs[${i}]`));
  const outputs = list(declaration.outputs, "assets.outputs").map((v, i): Asset => {
    const path = `assets.outputs[${i}]`;
    const entry = v as Record<string, unknown>;
    const base = identifier(v, path);
    const metadata: Record<string, unknown> =
      typeof entry.metadata === "object" && entry.metadata !== null
        ? { ...(entry.metadata as Record<string, unknown>) }
        : {};
    for (const [key, value] of Object.entries(entry)) if (!OUTPUT_KEYS.has(key)) metadata[key] = value;
    return {
      ...base,
      type: base.type ?? text(entry.type, `${path}.type`),
      ...(entry.displayName !== undefined ? { displayName: String(entry.displayName) } : {}),
      ...(entry.description !== undefined ? { description: String(entry.description) } : {}),
      metadata,
    };
  });
  return { inputs, outputs };
}
