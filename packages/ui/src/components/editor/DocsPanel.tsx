/** The documentation of the type under the cursor (`GET /plugins/{type}`). */
import { useEffect, useState } from "react";
import { Link, pathOf } from "../../router.tsx";
import { pluginDoc, type DocRow, type PluginDoc } from "../../lib/pluginDoc.ts";
import { typeDoc } from "./editorApi.ts";

function Rows({ rows, caption }: { rows: DocRow[]; caption: string }) {
  return (
    <table className="doc-table">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th>Name</th>
          <th>Type</th>
          <th>Description</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.name}>
            <td>
              <code>{r.name}</code>
              {r.required ? (
                <span className="required" title="Required">
                  *
                </span>
              ) : null}
            </td>
            <td className="mono">
              {r.type}
              {r.default !== undefined ? <div className="muted">default {r.default}</div> : null}
            </td>
            <td>{r.description}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function DocsPanel({ type }: { type: string | undefined }) {
  const [doc, setDoc] = useState<{ type: string; doc?: PluginDoc; error?: string }>();
  useEffect(() => {
    if (!type) return;
    let live = true;
    typeDoc(type).then(
      (answer) => live && setDoc({ type, doc: pluginDoc(answer) }),
      (e: Error) => live && setDoc({ type, error: e.message }),
    );
    return () => {
      live = false;
    };
  }, [type]);
  if (!type) return <p className="muted">Put the cursor in a task, trigger or condition to see its documentation.</p>;
  if (!doc || doc.type !== type) return <p className="muted">Loading the documentation of {type}…</p>;
  if (doc.error || !doc.doc)
    return (
      <p className="error" role="alert">
        {doc.error}
      </p>
    );
  const d = doc.doc;
  return (
    <div className="editor-docs">
      <h3>{d.title || type}</h3>
      <p>
        <Link to={pathOf("plugins", type)}>
          <code>{type}</code>
        </Link>
      </p>
      {d.description ? <p className="doc-description">{d.description}</p> : null}
      {d.properties.length ? <Rows rows={d.properties} caption="Properties" /> : null}
      {d.outputs.length ? <Rows rows={d.outputs} caption="Outputs" /> : null}
      {d.examples.length ? (
        <section>
          <h4>Examples</h4>
          {d.examples.map((e, i) => (
            <div key={i}>
              {e.title ? <p className="muted">{e.title}</p> : null}
              <pre>{e.code}</pre>
            </div>
          ))}
        </section>
      ) : null}
    </div>
  );
}
