/** Moved to model/executionView.ts (scheduler/ reads it too); this re-export keeps
 * runtime/triggers/executionEnded.ts (another helper's file) working until it imports from model/. */
export * from "../../model/executionView.ts";
