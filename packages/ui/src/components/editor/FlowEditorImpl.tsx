/**
 * The flow editor itself (the lazy chunk with CodeMirror): toolbar (Save, dirty marker, problems
 * count, panel toggles), the YAML editor, the problems list, and one side panel at a time.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import type { EditorView, ViewUpdate } from "@codemirror/view";
import { ApiError } from "../../api/client.ts";
import type { Problem } from "../../lib/problems.ts";
import { typeAtCursor, yamlContextAt } from "../../lib/yamlContext.ts";
import { createFlowEditor, revealLine } from "./codemirror.ts";
import { flowSchemaIndex } from "./editorApi.ts";
import { DocsPanel } from "./DocsPanel.tsx";
import { FilesPanel } from "./FilesPanel.tsx";
import type { FlowEditorProps } from "./FlowEditor.tsx";
import { TopologyPanel } from "./TopologyPanel.tsx";
import "../../styles/editor.css";

type PanelId = "topology" | "docs" | "files";

const PANELS: { id: PanelId; label: string }[] = [
  { id: "topology", label: "Topology" },
  { id: "docs", label: "Documentation" },
  { id: "files", label: "Files" },
];

function namespaceOf(source: string): string | undefined {
  return /^namespace:\s*["']?([a-z0-9][a-z0-9._-]*)/m.exec(source)?.[1];
}

export default function FlowEditorImpl({ source, namespace, onSave, onChange }: FlowEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | undefined>(undefined);
  const saved = useRef(source);
  const onSaveRef = useRef(onSave);
  onSaveRef.current = onSave;
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;
  const [text, setText] = useState(source);
  const [dirty, setDirty] = useState(false);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<Error>();
  const [savedNotice, setSavedNotice] = useState(false);
  const [problems, setProblems] = useState<Problem[] | undefined>([]);
  const [panel, setPanel] = useState<PanelId | undefined>();
  const [cursorType, setCursorType] = useState<string>();

  const save = useCallback(async () => {
    const v = view.current;
    if (!v) return;
    const doc = v.state.doc.toString();
    setSaving(true);
    setError(undefined);
    setSavedNotice(false);
    try {
      await onSaveRef.current(doc);
      saved.current = doc;
      setDirty(v.state.doc.toString() !== doc);
      setSavedNotice(true);
    } catch (e) {
      setError(e as Error);
    } finally {
      setSaving(false);
    }
  }, []);
  const saveRef = useRef(save);
  saveRef.current = save;

  useEffect(() => {
    if (!host.current) return;
    // the schema the completion needs, loaded before the first key is typed
    flowSchemaIndex().catch(() => undefined);
    let textTimer: ReturnType<typeof setTimeout> | undefined;
    const onUpdate = (update: ViewUpdate) => {
      if (update.docChanged) {
        const doc = update.state.doc.toString();
        setDirty(doc !== saved.current);
        setSavedNotice(false);
        onChangeRef.current?.(doc);
        clearTimeout(textTimer);
        textTimer = setTimeout(() => setText(doc), 400);
      }
      if (update.docChanged || update.selectionSet) {
        const pos = update.state.selection.main.head;
        const type = typeAtCursor(yamlContextAt(update.state.doc.toString(), pos));
        if (type) setCursorType(type);
      }
    };
    const v = createFlowEditor({
      doc: source,
      parent: host.current,
      onUpdate,
      onSave: () => void saveRef.current(),
      onProblems: setProblems,
    });
    view.current = v;
    return () => {
      clearTimeout(textTimer);
      v.destroy();
      view.current = undefined;
    };
    // the editor is made once; a new source replaces its text below
  }, []);

  // A new source from the parent (another revision): replaces the text when nothing is unsaved.
  useEffect(() => {
    const v = view.current;
    if (!v || source === saved.current) return;
    if (v.state.doc.toString() === saved.current) {
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: source } });
      saved.current = source;
      setDirty(false);
    }
  }, [source]);

  // Ctrl/Cmd-S outside the editor too (the toolbar, a panel); the editor's own key binding handles it inside
  useEffect(() => {
    const key = (e: KeyboardEvent) => {
      if (e.defaultPrevented || !(e.ctrlKey || e.metaKey) || e.key.toLowerCase() !== "s") return;
      if ((e.target as HTMLElement | null)?.closest?.(".file-editor")) return;
      e.preventDefault();
      void saveRef.current();
    };
    window.addEventListener("keydown", key);
    return () => window.removeEventListener("keydown", key);
  }, []);

  useEffect(() => {
    if (!dirty) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty]);

  const errors = problems?.filter((p) => p.severity === "error").length ?? 0;
  const warnings = problems?.filter((p) => p.severity !== "error").length ?? 0;
  const revealTask = (taskId: string) => {
    const v = view.current;
    if (!v) return;
    const lines = v.state.doc.toString().split("\n");
    const escaped = taskId.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const re = new RegExp(`^\\s*(-\\s+)?id:\\s*["']?${escaped}["']?\\s*$`);
    const index = lines.findIndex((l) => re.test(l));
    if (index !== -1) revealLine(v, index + 1);
  };

  return (
    <div className={panel ? "flow-editor with-panel" : "flow-editor"}>
      <div className="editor-toolbar" role="toolbar" aria-label="Editor">
        <button type="button" className="primary" onClick={() => void save()} disabled={saving} title="Save (Ctrl+S)">
          {saving ? "Saving…" : "Save"}
        </button>
        {dirty ? (
          <span className="editor-dirty" title="Unsaved changes" aria-label="Unsaved changes">
            ● Unsaved changes
          </span>
        ) : savedNotice ? (
          <span className="muted editor-saved">Saved</span>
        ) : null}
        <span
          className={errors ? "editor-problems has-errors" : "editor-problems"}
          role="status"
          aria-label="Problems"
          data-count={errors}
        >
          {problems === undefined
            ? "Not validated"
            : errors === 0 && warnings === 0
              ? "No problems"
              : `${errors} problem${errors === 1 ? "" : "s"}${warnings ? `, ${warnings} warning${warnings === 1 ? "" : "s"}` : ""}`}
        </span>
        <span className="editor-toolbar-spacer" />
        {PANELS.map((p) => (
          <button
            key={p.id}
            type="button"
            aria-pressed={panel === p.id}
            className={panel === p.id ? "toggle active" : "toggle"}
            onClick={() => setPanel(panel === p.id ? undefined : p.id)}
          >
            {p.label}
          </button>
        ))}
      </div>
      {error ? (
        <div className="notice error editor-error" role="alert">
          <strong>Not saved:</strong> {error.message}
          {error instanceof ApiError && error.path ? (
            <span className="muted">
              {" "}
              at <code>{error.path}</code>
            </span>
          ) : null}
        </div>
      ) : null}
      <div className="editor-main">
        <div className="editor-left">
          <div className="editor-host" ref={host} />
          {problems && problems.length ? (
            <ul className="editor-problem-list" aria-label="Problem list">
              {problems.map((p, i) => (
                <li key={i} className={`severity-${p.severity}`} data-line={p.line}>
                  <button
                    type="button"
                    className="link"
                    onClick={() => view.current && revealLine(view.current, p.line)}
                  >
                    Line {p.line}
                  </button>{" "}
                  {p.path ? <code>{p.path}</code> : null} {p.message}
                </li>
              ))}
            </ul>
          ) : null}
        </div>
        {panel ? (
          <aside className="editor-panel" aria-label={PANELS.find((p) => p.id === panel)!.label}>
            {panel === "topology" ? <TopologyPanel source={text} onTaskClick={revealTask} /> : null}
            {panel === "docs" ? <DocsPanel type={cursorType} /> : null}
            {panel === "files" ? <FilesPanel namespace={namespace ?? namespaceOf(text)} /> : null}
          </aside>
        ) : null}
      </div>
    </div>
  );
}
