/** Core triggers and conditions. */
import type { AnyTypeDefinition } from "../plugins/registry.ts";

export const CORE_TRIGGERS_AND_CONDITIONS: readonly AnyTypeDefinition[] = [];
