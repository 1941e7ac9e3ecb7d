/** Moved to flow/jsonSchema.ts (it compiles against the plugin registry); this re-export keeps the
 * imports of runtime/, executor/, the server and the CLI working until they import from flow/. */
export * from "../flow/jsonSchema.ts";
