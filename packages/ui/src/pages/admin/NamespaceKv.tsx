/** The KV store of a namespace: keys with their dates, add, edit a value with its type and TTL, delete. */
import { useState, type FormEvent } from "react";
import { api, ApiError } from "../../api/client.ts";
import { useApi } from "../../api/useApi.ts";
import { ErrorView } from "../../components/ErrorView.tsx";
import { formatDate } from "../../lib/format.ts";
import { KV_TYPES, kvBody, kvText, ttlHeader, type KvType } from "../../lib/kv.ts";
import { useSettings } from "../../lib/settings.ts";

interface KvEntry {
  key: string;
  creationDate: string;
  updateDate: string;
  expirationDate: string | null;
}

interface Editing {
  key: string;
  type: KvType;
  text: string;
  ttl: string;
  isNew: boolean;
}

const kvPath = (namespace: string, key?: string) =>
  `/namespaces/${encodeURIComponent(namespace)}/kv${key === undefined ? "" : `/${encodeURIComponent(key)}`}`;

export function NamespaceKv({ namespace }: { namespace: string }) {
  const { timeZone } = useSettings();
  const state = useApi((signal) => api.get<KvEntry[]>(kvPath(namespace), { signal }), [namespace]);
  const [editing, setEditing] = useState<Editing>();
  const [notice, setNotice] = useState<{ error: boolean; text: string }>();
  const [filter, setFilter] = useState("");

  const edit = (key: string) => {
    api.get<{ type: KvType; value: unknown }>(kvPath(namespace, key)).then(
      (v) => setEditing({ key, type: v.type, text: kvText(v.type, v.value), ttl: "", isNew: false }),
      (e: Error) => setNotice({ error: true, text: e.message }),
    );
  };
  const save = (event: FormEvent) => {
    event.preventDefault();
    if (!editing) return;
    let body;
    let ttl;
    try {
      if (!editing.key.trim()) throw new Error("A key is required");
      body = kvBody(editing.type, editing.text);
      ttl = ttlHeader(editing.ttl);
    } catch (e) {
      setNotice({ error: true, text: (e as Error).message });
      return;
    }
    const key = editing.key.trim();
    api
      .put(kvPath(namespace, key), body.body, { contentType: body.contentType, ...(ttl ? { headers: { ttl } } : {}) })
      .then(
        () => {
          setNotice({ error: false, text: `Saved ${key} (${editing.type})` });
          setEditing(undefined);
          state.reload();
        },
        (e: unknown) =>
          setNotice({
            error: true,
            text: e instanceof ApiError ? `${e.message}${e.path ? ` (at ${e.path})` : ""}` : String(e),
          }),
      );
  };
  const remove = (key: string) => {
    if (!window.confirm(`Delete the key ${key}?`)) return;
    api.delete(kvPath(namespace, key)).then(
      () => {
        setNotice({ error: false, text: `Deleted ${key}` });
        state.reload();
      },
      (e: Error) => setNotice({ error: true, text: e.message }),
    );
  };

  const rows = (state.data ?? []).filter((e) => !filter || e.key.toLowerCase().includes(filter.toLowerCase()));
  return (
    <div>
      <div className="toolbar">
        <button
          type="button"
          className="primary"
          onClick={() => setEditing({ key: "", type: "STRING", text: "", ttl: "", isNew: true })}
        >
          Add a key
        </button>
        <input
          type="search"
          aria-label="Filter keys"
          placeholder="Filter keys"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
        />
      </div>
      {notice ? (
        <div className={notice.error ? "notice notice-error" : "notice"} role={notice.error ? "alert" : "status"}>
          {notice.text}
        </div>
      ) : null}
      {editing ? (
        <form className="card kv-form" aria-label="Key value" onSubmit={save}>
          <label>
            Key
            <input
              name="key"
              value={editing.key}
              readOnly={!editing.isNew}
              onChange={(e) => setEditing({ ...editing, key: e.target.value })}
              required
            />
          </label>
          <label>
            Type
            <select
              name="type"
              value={editing.type}
              onChange={(e) => setEditing({ ...editing, type: e.target.value as KvType })}
            >
              {KV_TYPES.map((t) => (
                <option key={t}>{t}</option>
              ))}
            </select>
          </label>
          <label style={{ flex: "1 1 320px" }}>
            Value
            {editing.type === "JSON" || editing.text.includes("\n") ? (
              <textarea
                name="value"
                rows={6}
                className="mono"
                value={editing.text}
                onChange={(e) => setEditing({ ...editing, text: e.target.value })}
              />
            ) : (
              <input
                name="value"
                value={editing.text}
                onChange={(e) => setEditing({ ...editing, text: e.target.value })}
              />
            )}
          </label>
          <label>
            TTL (ISO-8601)
            <input
              name="ttl"
              placeholder="PT1H, P7D"
              size={10}
              value={editing.ttl}
              onChange={(e) => setEditing({ ...editing, ttl: e.target.value })}
            />
          </label>
          <button type="submit" className="primary">
            Save
          </button>
          <button type="button" onClick={() => setEditing(undefined)}>
            Cancel
          </button>
        </form>
      ) : null}
      {state.error && !state.data ? (
        <ErrorView error={state.error} onRetry={state.reload} />
      ) : !state.data ? (
        <div className="loading">Loading…</div>
      ) : rows.length === 0 ? (
        <p className="muted">{filter ? "No key matches." : "No key in this namespace yet."}</p>
      ) : (
        <table aria-label="Keys">
          <thead>
            <tr>
              <th>Key</th>
              <th>Updated</th>
              <th>Created</th>
              <th>Expires</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map((e) => (
              <tr key={e.key} data-key={e.key}>
                <td className="mono">{e.key}</td>
                <td>{formatDate(e.updateDate, timeZone)}</td>
                <td>{formatDate(e.creationDate, timeZone)}</td>
                <td>
                  {e.expirationDate ? formatDate(e.expirationDate, timeZone) : <span className="muted">never</span>}
                </td>
                <td className="admin-actions-cell">
                  <button type="button" onClick={() => edit(e.key)} aria-label={`Edit ${e.key}`}>
                    Edit
                  </button>{" "}
                  <button type="button" className="danger" onClick={() => remove(e.key)} aria-label={`Delete ${e.key}`}>
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
