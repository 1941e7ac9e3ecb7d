/**
 * The flow editor: CodeMirror 6 on the flow's YAML with schema-driven autocompletion, problems
 * from `POST /flows/validate`, and side panels (topology, docs of the type under the cursor,
 * namespace files). Contract used by the flow page's Edit tab and the new-flow page.
 *
 * CodeMirror comes in its own chunk, loaded when an editor is first shown.
 */
import { lazy, Suspense } from "react";

export interface FlowEditorProps {
  /** The YAML to start from. */
  source: string;
  /** The flow's namespace (the files panel), when known. */
  namespace?: string;
  /** Saves the YAML (a new revision); rejects with the API's error to show it. */
  onSave(source: string): Promise<void>;
  /** Called with the YAML as it is edited. */
  onChange?(source: string): void;
}

const Impl = lazy(() => import("./FlowEditorImpl.tsx"));

export function FlowEditor(props: FlowEditorProps) {
  return (
    <Suspense fallback={<p className="muted">Loading the editor…</p>}>
      <Impl {...props} />
    </Suspense>
  );
}
