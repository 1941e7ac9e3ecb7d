/** The files of a namespace: a folder tree, open and edit a file (CodeMirror), create, upload, delete. */
import { lazy, Suspense, useCallback, useEffect, useState } from "react";
import { api, ApiError } from "../../api/client.ts";
import { formatBytes } from "../../lib/format.ts";

const CodeEditor = lazy(() => import("./CodeEditor.tsx"));

interface Entry {
  fileName: string;
  type: "File" | "Directory";
  size: number;
}

const filesPath = (namespace: string, suffix = "") => `/namespaces/${encodeURIComponent(namespace)}/files${suffix}`;

function Folder({
  namespace,
  path,
  depth,
  open,
  selected,
  version,
}: {
  namespace: string;
  path: string;
  depth: number;
  open: (path: string) => void;
  selected: string | undefined;
  version: number;
}) {
  const [entries, setEntries] = useState<Entry[]>();
  const [error, setError] = useState<string>();
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  useEffect(() => {
    api.get<Entry[]>(filesPath(namespace, "/directory"), { query: { path } }).then(setEntries, (e: ApiError) => {
      if (e.status === 404 && path === "/") setEntries([]);
      else setError(e.message);
    });
  }, [namespace, path, version]);
  if (error) return <li className="error">{error}</li>;
  if (!entries) return <li className="muted">…</li>;
  if (entries.length === 0 && depth === 0) return <li className="muted">No file yet.</li>;
  return (
    <>
      {entries.map((e) => {
        const child = `${path === "/" ? "" : path}/${e.fileName}`;
        const isOpen = expanded.has(child);
        return (
          <li key={child}>
            <button
              type="button"
              style={{ paddingLeft: 6 + depth * 14 }}
              className={selected === child ? "active" : ""}
              data-path={child}
              onClick={() => {
                if (e.type === "File") return open(child);
                const next = new Set(expanded);
                if (isOpen) next.delete(child);
                else next.add(child);
                setExpanded(next);
              }}
            >
              {e.type === "Directory" ? (isOpen ? "▾ " : "▸ ") : "  "}
              {e.fileName}
              {e.type === "File" ? <span className="muted"> {formatBytes(e.size)}</span> : null}
            </button>
            {e.type === "Directory" && isOpen ? (
              <ul className="file-tree">
                <Folder
                  namespace={namespace}
                  path={child}
                  depth={depth + 1}
                  open={open}
                  selected={selected}
                  version={version}
                />
              </ul>
            ) : null}
          </li>
        );
      })}
    </>
  );
}

export function NamespaceFiles({ namespace }: { namespace: string }) {
  const [version, setVersion] = useState(0);
  const [current, setCurrent] = useState<{ path: string; text: string; saved: string }>();
  const [notice, setNotice] = useState<{ error: boolean; text: string }>();
  const refresh = () => setVersion((v) => v + 1);
  const fail = (e: unknown) => setNotice({ error: true, text: e instanceof Error ? e.message : String(e) });

  const open = useCallback(
    (path: string) => {
      api
        .get<string>(filesPath(namespace), { query: { path }, as: "text" })
        .then((text) => setCurrent({ path, text, saved: text }), fail);
    },
    [namespace],
  );
  const put = (path: string, content: Blob | string, fileName: string) => {
    const form = new FormData();
    form.append("fileContent", typeof content === "string" ? new Blob([content]) : content, fileName);
    return api.post(filesPath(namespace), form, { query: { path } });
  };
  const save = () => {
    if (!current) return;
    const { path, text } = current;
    put(path, text, path.split("/").pop()!).then(() => {
      setCurrent({ path, text, saved: text });
      setNotice({ error: false, text: `Saved ${path}` });
      refresh();
    }, fail);
  };
  const create = () => {
    const name = window.prompt("New file path (e.g. scripts/run.sh)");
    if (!name) return;
    const path = name.startsWith("/") ? name : `/${name}`;
    put(path, "", path.split("/").pop()!).then(() => {
      setNotice({ error: false, text: `Created ${path}` });
      refresh();
      setCurrent({ path, text: "", saved: "" });
    }, fail);
  };
  const upload = (files: FileList | null) => {
    const file = files?.[0];
    if (!file) return;
    const folder = current ? current.path.slice(0, current.path.lastIndexOf("/")) : "";
    const path = `${folder}/${file.name}`;
    put(path, file, file.name).then(() => {
      setNotice({ error: false, text: `Uploaded ${path}` });
      refresh();
    }, fail);
  };
  const remove = () => {
    if (!current || !window.confirm(`Delete ${current.path}?`)) return;
    const { path } = current;
    api.delete(filesPath(namespace), { query: { path } }).then(() => {
      setNotice({ error: false, text: `Deleted ${path}` });
      setCurrent(undefined);
      refresh();
    }, fail);
  };
  const dirty = current !== undefined && current.text !== current.saved;

  return (
    <div>
      <div className="toolbar">
        <button type="button" onClick={create}>
          New file
        </button>
        <label className="button">
          Upload
          <input type="file" hidden onChange={(e) => upload(e.target.files)} aria-label="Upload a file" />
        </label>
        {current ? (
          <>
            <span className="mono">{current.path}</span>
            <button type="button" className="primary" disabled={!dirty} onClick={save}>
              Save
            </button>
            <button type="button" className="danger" onClick={remove}>
              Delete
            </button>
          </>
        ) : null}
      </div>
      {notice ? (
        <div className={notice.error ? "notice notice-error" : "notice"} role={notice.error ? "alert" : "status"}>
          {notice.text}
        </div>
      ) : null}
      <div className="split">
        <div className="split-side card">
          <ul className="file-tree" aria-label="Files">
            <Folder namespace={namespace} path="/" depth={0} open={open} selected={current?.path} version={version} />
          </ul>
        </div>
        <div className="split-main">
          {current ? (
            <Suspense fallback={<div className="loading">Loading the editor…</div>}>
              <CodeEditor
                fileName={current.path}
                value={current.text}
                onChange={(text) => setCurrent((c) => (c ? { ...c, text } : c))}
                onSave={save}
              />
            </Suspense>
          ) : (
            <p className="muted">Open a file from the tree, or create one.</p>
          )}
        </div>
      </div>
    </div>
  );
}
