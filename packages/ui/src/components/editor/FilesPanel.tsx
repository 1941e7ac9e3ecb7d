/**
 * The namespace files of the flow's namespace: browse folders, open a file in a small editor,
 * save it, create a file, delete one (`/namespaces/{ns}/files…`).
 */
import { useCallback, useEffect, useRef, useState } from "react";
import type { EditorView, ViewUpdate } from "@codemirror/view";
import { ApiError } from "../../api/client.ts";
import { createFileEditor } from "./codemirror.ts";
import { namespaceFiles, type FileEntry } from "./editorApi.ts";

function join(folder: string, name: string): string {
  return `${folder === "/" ? "" : folder}/${name}`;
}

function FileEditor({
  namespace,
  path,
  content,
  onClose,
}: {
  namespace: string;
  path: string;
  content: string;
  onClose(): void;
}) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | undefined>(undefined);
  const saved = useRef(content);
  const [dirty, setDirty] = useState(false);
  const [status, setStatus] = useState<{ text: string; error?: boolean }>();
  const save = useCallback(async () => {
    const v = view.current;
    if (!v) return;
    const text = v.state.doc.toString();
    try {
      await namespaceFiles.write(namespace, path, text);
      saved.current = text;
      setDirty(v.state.doc.toString() !== text);
      setStatus({ text: "Saved" });
    } catch (e) {
      setStatus({ text: (e as Error).message, error: true });
    }
  }, [namespace, path]);
  const saveRef = useRef(save);
  saveRef.current = save;
  useEffect(() => {
    if (!host.current) return;
    const v = createFileEditor(
      host.current,
      content,
      path,
      (u: ViewUpdate) => {
        if (u.docChanged) {
          setDirty(u.state.doc.toString() !== saved.current);
          setStatus(undefined);
        }
      },
      () => void saveRef.current(),
    );
    view.current = v;
    return () => v.destroy();
  }, [content, path]);
  return (
    <div className="file-editor">
      <div className="file-editor-bar">
        <code title={path}>{path}</code>
        {dirty ? <span className="editor-dirty">●</span> : null}
        <span className="editor-toolbar-spacer" />
        <button type="button" className="primary" onClick={() => void save()}>
          Save file
        </button>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      {status ? (
        <p className={status.error ? "error" : "muted"} role="status">
          {status.text}
        </p>
      ) : null}
      <div className="file-editor-host" ref={host} />
    </div>
  );
}

export function FilesPanel({ namespace }: { namespace: string | undefined }) {
  const [folder, setFolder] = useState("/");
  const [entries, setEntries] = useState<FileEntry[]>();
  const [error, setError] = useState<string>();
  const [open, setOpen] = useState<{ path: string; content: string }>();
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!namespace) return;
    let live = true;
    setError(undefined);
    namespaceFiles.list(namespace, folder).then(
      (list) => live && setEntries(list),
      (e: Error) => {
        if (!live) return;
        // a folder whose last file was deleted is gone: back to its parent
        if (e instanceof ApiError && e.status === 404 && folder !== "/") {
          setFolder(folder.slice(0, folder.lastIndexOf("/")) || "/");
          return;
        }
        setEntries([]);
        setError(e.message);
      },
    );
    return () => {
      live = false;
    };
  }, [namespace, folder, tick]);
  if (!namespace) return <p className="muted">Write the flow's namespace to see its files.</p>;
  const openFile = async (path: string) => {
    try {
      setOpen({ path, content: await namespaceFiles.read(namespace, path) });
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const create = async () => {
    const name = window.prompt("New file (a path in the namespace, e.g. scripts/run.sh)");
    if (!name) return;
    const path = name.startsWith("/") ? name : join(folder, name);
    try {
      await namespaceFiles.write(namespace, path, "");
      setTick((t) => t + 1);
      setOpen({ path, content: "" });
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const remove = async (path: string) => {
    if (!window.confirm(`Delete ${path}?`)) return;
    try {
      await namespaceFiles.remove(namespace, path);
      if (open?.path === path) setOpen(undefined);
      setTick((t) => t + 1);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const parent = folder === "/" ? undefined : folder.slice(0, folder.lastIndexOf("/")) || "/";
  return (
    <div className="editor-files">
      <div className="files-bar">
        <h3>
          Files of <code>{namespace}</code>
        </h3>
        <button type="button" onClick={() => void create()}>
          New file
        </button>
      </div>
      <p className="muted mono">{folder}</p>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      <ul className="file-list" aria-label="Namespace files">
        {parent ? (
          <li>
            <button type="button" className="link" onClick={() => setFolder(parent)}>
              ..
            </button>
          </li>
        ) : null}
        {entries?.length === 0 && !parent ? <li className="muted">No files yet.</li> : null}
        {entries?.map((e) => {
          const path = join(folder, e.fileName);
          return (
            <li key={e.fileName}>
              {e.type === "Directory" ? (
                <button type="button" className="link" onClick={() => setFolder(path)}>
                  📁 {e.fileName}/
                </button>
              ) : (
                <>
                  <button type="button" className="link" onClick={() => void openFile(path)}>
                    {e.fileName}
                  </button>{" "}
                  <span className="muted">{e.size} B</span>{" "}
                  <button
                    type="button"
                    className="link danger"
                    aria-label={`Delete ${e.fileName}`}
                    onClick={() => void remove(path)}
                  >
                    Delete
                  </button>
                </>
              )}
            </li>
          );
        })}
      </ul>
      {open ? (
        <FileEditor
          key={open.path}
          namespace={namespace}
          path={open.path}
          content={open.content}
          onClose={() => setOpen(undefined)}
        />
      ) : null}
    </div>
  );
}
