/**
 * A plugin type's docs, from `GET /plugins/{type}` (the default version) or
 * `/plugins/{type}/versions/{version}` (the version selector, kept in the URL): title,
 * description, properties and outputs tables from the schema, and the examples.
 */
import { api } from "../api/client.ts";
import { useApi } from "../api/useApi.ts";
import { ErrorView } from "../components/ErrorView.tsx";
import { Page } from "../components/Page.tsx";
import { renderMarkdown } from "../lib/markdown.ts";
import { propertyRows, splitDoc, type PropertyRow, type SchemaNode } from "../lib/typeDocs.ts";
import { setQuery, useLocation } from "../router.tsx";
import type { PluginDoc } from "./admin/adminApi.ts";
import "../styles/admin.css";

function Markdown({ source, label }: { source: string; label?: string }) {
  // renderMarkdown escapes every text before adding its own markup
  return <div className="markdown" aria-label={label} dangerouslySetInnerHTML={{ __html: renderMarkdown(source) }} />;
}

function PropertiesTable({ rows, label, outputs }: { rows: PropertyRow[]; label: string; outputs?: boolean }) {
  if (rows.length === 0) return <p className="muted">None.</p>;
  return (
    <table aria-label={label}>
      <thead>
        <tr>
          <th>Name</th>
          <th>Type</th>
          {outputs ? null : (
            <>
              <th>Required</th>
              <th>Default</th>
              <th>Dynamic</th>
            </>
          )}
          <th>Description</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.name} data-property={r.name}>
            <td className="mono">{r.name}</td>
            <td>
              <span className="mono">{r.type}</span>
              {r.enum ? (
                <div className="muted">
                  one of{" "}
                  {r.enum.map((v, i) => (
                    <span key={v}>
                      {i > 0 ? ", " : ""}
                      <code>{v}</code>
                    </span>
                  ))}
                </div>
              ) : null}
            </td>
            {outputs ? null : (
              <>
                <td>{r.required ? "yes" : ""}</td>
                <td>{r.default !== undefined ? <code>{r.default}</code> : null}</td>
                <td>{r.dynamic ? "yes" : ""}</td>
              </>
            )}
            <td>
              <Markdown source={r.description} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export default function PluginTypePage({ params }: { params: Record<string, string> }) {
  const type = params.type ?? "";
  const location = useLocation();
  const version = location.query.get("version") ?? "";
  const versions = useApi(
    (signal) =>
      api.get<{ type: string; versions: string[] }>(`/plugins/${encodeURIComponent(type)}/versions`, { signal }),
    [type],
  );
  const doc = useApi(
    (signal) =>
      api.get<PluginDoc>(
        version
          ? `/plugins/${encodeURIComponent(type)}/versions/${encodeURIComponent(version)}`
          : `/plugins/${encodeURIComponent(type)}`,
        { signal },
      ),
    [type, version],
  );
  const parts = doc.data ? splitDoc(doc.data.markdown) : undefined;
  const selectVersion = (value: string) => {
    const query = new URLSearchParams(location.query);
    if (value) query.set("version", value);
    else query.delete("version");
    setQuery(query);
  };
  const all = versions.data?.versions ?? [];
  const isCondition = type.includes(".condition.");

  return (
    <Page
      title={parts?.title || type.split(".").pop() || type}
      breadcrumbs={[{ label: "Plugins", to: "/plugins" }, { label: type }]}
      actions={
        all.length ? (
          <label className="inline">
            Version&nbsp;
            <select aria-label="Version" value={version} onChange={(e) => selectVersion(e.target.value)}>
              <option value="">default</option>
              {all.map((v) => (
                <option key={v} value={v}>
                  {v}
                </option>
              ))}
            </select>
          </label>
        ) : null
      }
    >
      {doc.error && !doc.data ? (
        <ErrorView error={doc.error} onRetry={doc.reload} />
      ) : !doc.data || !parts ? (
        <div className="loading">Loading…</div>
      ) : (
        <>
          <div className="card">
            <div className="mono">type: {type}</div>
            {parts.plugin ? <div className="muted">Plugin: {parts.plugin}</div> : null}
            {parts.description ? <Markdown source={parts.description} label="Description" /> : null}
          </div>
          <h2>Properties</h2>
          <PropertiesTable
            label="Properties"
            rows={propertyRows(doc.data.schema.properties as SchemaNode, !isCondition)}
          />
          {parts.propertiesNote ? <Markdown source={parts.propertiesNote} label="Common properties" /> : null}
          <h2>Outputs</h2>
          <PropertiesTable label="Outputs" outputs rows={propertyRows(doc.data.schema.outputs as SchemaNode, false)} />
          <h2>Examples</h2>
          {parts.examples ? <Markdown source={parts.examples} label="Examples" /> : <p className="muted">None.</p>}
        </>
      )}
    </Page>
  );
}
