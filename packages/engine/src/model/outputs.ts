import { SakerError } from "@saker/sdk";
import type { FlowOutputDefinition } from "./flow.ts";
import { checkConstraints, parseTypedValue, TypedValueError, type ParseOptions } from "./typedValues.ts";

function display(value: unknown): string {
  return value === null || value === undefined ? "null" : typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * Flow outputs, rendered, parsed into their declared types. A map rendered in string mode
 * becomes its JSON text first, as Kestra renders outputs with the string renderer.
 */
export function typeFlowOutputs(
  definitions: readonly FlowOutputDefinition[],
  rendered: Record<string, unknown>,
  options: ParseOptions = {},
): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const definition of definitions) {
    const raw = rendered[definition.id];
    if (raw === null || raw === undefined) {
      if (definition.required === false) continue;
      throw new SakerError(
        "OUTPUT_INVALID",
        `Invalid output for \`${definition.id}\`, missing required output, but received \`null\``,
      );
    }
    const text =
      typeof raw === "object" && definition.type !== "JSON" && definition.type !== "ARRAY" ? JSON.stringify(raw) : raw;
    try {
      const value = parseTypedValue(definition.type, text, {
        ...options,
        ...(definition.itemType ? { itemType: String(definition.itemType) } : {}),
      });
      checkConstraints(definition as unknown as Record<string, unknown>, value);
      result[definition.id] = value;
    } catch (error) {
      if (!(error instanceof TypedValueError)) throw error;
      throw new SakerError(
        "OUTPUT_INVALID",
        `Invalid output for \`${definition.id}\`, ${error.message}, but received \`${display(raw)}\``,
      );
    }
  }
  return result;
}
