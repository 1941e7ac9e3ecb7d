/**
 * Versioned plugins: every plugin × its installed versions (bundled ones marked), the version a
 * task without `version:` gets, and the actions — install from an npm spec or an uploaded tarball,
 * upgrade (adds the newest version beside the others), uninstall a version, set a plugin's default
 * version. All take effect without a restart.
 */
import { Fragment, useRef, useState, type FormEvent } from "react";
import { api, ApiError } from "../api/client.ts";
import { useApi } from "../api/useApi.ts";
import { ErrorView } from "../components/ErrorView.tsx";
import { Page } from "../components/Page.tsx";
import { Link, pathOf } from "../router.tsx";
import type { InstalledVersion, VersionedPlugin, VersionedPlugins as Versioned } from "./admin/adminApi.ts";
import "../styles/admin.css";

type Notice = { kind: "ok" | "error"; text: string; path?: string | undefined } | undefined;

function errorNotice(error: unknown): Notice {
  if (error instanceof ApiError) return { kind: "error", text: error.message, path: error.path };
  return { kind: "error", text: error instanceof Error ? error.message : String(error) };
}

function installedText(installed: InstalledVersion[]): string {
  return `Installed ${installed.map((i) => `${i.name}@${i.version} (${i.types.length} type${i.types.length === 1 ? "" : "s"})`).join(", ")}`;
}

function InstallPanel({ busy, run }: { busy: boolean; run: (label: string, action: () => Promise<string>) => void }) {
  const [spec, setSpec] = useState("");
  const [force, setForce] = useState(false);
  const fileRef = useRef<HTMLInputElement>(null);
  const [fileName, setFileName] = useState("");

  const installSpec = (event: FormEvent) => {
    event.preventDefault();
    const value = spec.trim();
    if (!value) return;
    run(`Installing ${value}…`, async () => {
      const installed = await api.post<InstalledVersion[]>("/plugins/install", {
        plugins: [value],
        ...(force ? { force: true } : {}),
      });
      setSpec("");
      return installedText(installed);
    });
  };

  const upload = (event: FormEvent) => {
    event.preventDefault();
    const file = fileRef.current?.files?.[0];
    if (!file) return;
    run(`Uploading ${file.name}…`, async () => {
      const form = new FormData();
      if (force) form.append("force", "true");
      form.append("file", file, file.name);
      const installed = await api.post<InstalledVersion[]>("/plugins/upload", form);
      if (fileRef.current) fileRef.current.value = "";
      setFileName("");
      return installedText(installed);
    });
  };

  return (
    <div className="card admin-install" aria-label="Install a plugin version" role="region">
      <form onSubmit={installSpec} className="admin-install-row">
        <label>
          From npm
          <input
            name="spec"
            placeholder="saker-plugin-hello@1.2.0, a range, or a path on the server"
            value={spec}
            onChange={(e) => setSpec(e.target.value)}
            size={48}
          />
        </label>
        <button type="submit" className="primary" disabled={busy || !spec.trim()}>
          Install
        </button>
      </form>
      <form onSubmit={upload} className="admin-install-row">
        <label>
          From a tarball (.tgz made by npm pack)
          <input
            ref={fileRef}
            type="file"
            name="tarball"
            accept=".tgz,.tar.gz,application/gzip,application/x-gzip"
            onChange={(e) => setFileName(e.target.files?.[0]?.name ?? "")}
          />
        </label>
        <button type="submit" className="primary" disabled={busy || !fileName}>
          Upload and install
        </button>
      </form>
      <label className="inline">
        <input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} /> Replace a version already
        installed
      </label>
    </div>
  );
}

function PluginRows({
  plugin,
  busy,
  run,
}: {
  plugin: VersionedPlugin;
  busy: boolean;
  run: (label: string, action: () => Promise<string>) => void;
}) {
  const span = plugin.versions.length;
  const setDefault = (version: string) =>
    run(`Setting the default version of ${plugin.name}…`, async () => {
      await api.put("/plugins/default-version", { name: plugin.name, version: version || null });
      return version
        ? `${plugin.name}: default version ${version}`
        : `${plugin.name}: default version cleared (the instance policy applies)`;
    });
  const upgrade = () =>
    run(`Upgrading ${plugin.name} (npm ${plugin.name}@latest)…`, async () => {
      const installed = await api.post<InstalledVersion[]>("/plugins/install", { plugins: [`${plugin.name}@latest`] });
      return installedText(installed);
    });
  const uninstall = (version: string) => {
    if (!window.confirm(`Uninstall ${plugin.name}@${version}?`)) return;
    run(`Uninstalling ${plugin.name}@${version}…`, async () => {
      await api.delete("/plugins/uninstall", { body: { plugins: [`${plugin.name}@${version}`] } });
      return `Uninstalled ${plugin.name}@${version}`;
    });
  };
  return (
    <>
      {plugin.versions.map((v, i) => {
        const isDefault = plugin.resolvedVersion === v.version;
        return (
          <tr key={v.version} data-plugin={plugin.name} data-version={v.version}>
            {i === 0 ? (
              <td rowSpan={span} className="admin-plugin-cell">
                <div className="admin-plugin-name">{plugin.title ?? plugin.name}</div>
                <div className="mono muted">{plugin.name}</div>
                {plugin.core ? null : (
                  <div className="admin-plugin-actions">
                    <label className="inline">
                      Default{" "}
                      <select
                        aria-label={`Default version of ${plugin.name}`}
                        value={plugin.defaultVersion ?? ""}
                        disabled={busy}
                        onChange={(e) => setDefault(e.target.value)}
                      >
                        <option value="">instance policy</option>
                        {plugin.versions.map((o) => (
                          <option key={o.version} value={o.version}>
                            {o.version}
                          </option>
                        ))}
                      </select>
                    </label>
                    {plugin.versions.every((o) => o.bundled) ? null : (
                      <button
                        type="button"
                        disabled={busy}
                        onClick={upgrade}
                        title={`npm install ${plugin.name}@latest, beside the installed versions`}
                      >
                        Upgrade
                      </button>
                    )}
                  </div>
                )}
              </td>
            ) : null}
            <td className="mono">
              {v.version} {v.bundled ? <span className="tag">bundled</span> : null}
              {plugin.core ? <span className="tag">core</span> : null}
              {isDefault ? (
                <span className="tag tag-accent" title="A task without version: gets this one">
                  default
                </span>
              ) : null}
              {plugin.defaultVersion === v.version ? (
                <span className="tag" title="Set as this plugin's default version">
                  set as default
                </span>
              ) : null}
            </td>
            <td>
              {v.pinnedBy.length ? (
                <div className="admin-pinned" data-pinned-by={v.pinnedBy.length}>
                  pinned by{" "}
                  {v.pinnedBy.slice(0, 3).map((f, j) => (
                    <span key={`${f.namespace}/${f.flowId}`}>
                      {j > 0 ? ", " : ""}
                      <Link to={pathOf("flows", "edit", f.namespace, f.flowId)}>
                        {f.namespace}.{f.flowId}
                      </Link>
                    </span>
                  ))}
                  {v.pinnedBy.length > 3 ? ` and ${v.pinnedBy.length - 3} more` : ""}
                </div>
              ) : (
                <span className="muted">no flow pins it</span>
              )}
            </td>
            <td>
              <details>
                <summary>
                  {v.types.length} type{v.types.length === 1 ? "" : "s"}
                </summary>
                <ul className="admin-type-list">
                  {v.types.map((t) => (
                    <li key={t}>
                      <Link to={pathOf("plugins", t) + `?version=${encodeURIComponent(v.version)}`} className="mono">
                        {t}
                      </Link>
                    </li>
                  ))}
                </ul>
              </details>
            </td>
            <td className="admin-actions-cell">
              {plugin.core || v.bundled ? (
                <span className="muted">{plugin.core ? "built in" : "shipped with Saker"}</span>
              ) : (
                <>
                  {plugin.defaultVersion !== v.version ? (
                    <button type="button" disabled={busy} onClick={() => setDefault(v.version)}>
                      Make default
                    </button>
                  ) : null}{" "}
                  <button
                    type="button"
                    className="danger"
                    disabled={busy}
                    onClick={() => uninstall(v.version)}
                    aria-label={`Uninstall ${plugin.name}@${v.version}`}
                  >
                    Uninstall
                  </button>
                </>
              )}
            </td>
          </tr>
        );
      })}
    </>
  );
}

export default function VersionedPlugins() {
  const state = useApi((signal) => api.get<Versioned>("/plugins/versioned", { signal }), []);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<Notice>();
  const [filter, setFilter] = useState("");

  const run = (label: string, action: () => Promise<string>) => {
    setBusy(true);
    setNotice({ kind: "ok", text: label });
    action().then(
      (text) => {
        setNotice({ kind: "ok", text });
        setBusy(false);
        state.reload();
      },
      (error: unknown) => {
        setNotice(errorNotice(error));
        setBusy(false);
        state.reload();
      },
    );
  };

  // installed plugins first, then the bundled ones, then core
  const rank = (p: VersionedPlugin) => (p.core ? 2 : p.versions.every((v) => v.bundled) ? 1 : 0);
  const plugins = [...(state.data?.plugins ?? [])]
    .sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name))
    .filter(
      (p) =>
        !filter ||
        `${p.name} ${p.title ?? ""} ${p.versions.map((v) => v.types.join(" ")).join(" ")}`
          .toLowerCase()
          .includes(filter.toLowerCase()),
    );

  return (
    <Page
      title="Versioned plugins"
      actions={
        <Link to="/plugins" className="button">
          Plugin docs
        </Link>
      }
    >
      <p className="muted">
        Several versions of a plugin live side by side; a task picks one with <code>version:</code>. Without it, a task
        gets the plugin&apos;s default version, else the instance policy (<code>plugins.defaultVersion</code>:{" "}
        <strong>{state.data?.defaultVersion ?? "…"}</strong>). Changes apply at once, without a restart.
      </p>
      <InstallPanel busy={busy} run={run} />
      {notice ? (
        <div
          className={notice.kind === "error" ? "notice notice-error" : "notice"}
          role={notice.kind === "error" ? "alert" : "status"}
        >
          {notice.text}
          {notice.path ? (
            <span className="muted">
              {" "}
              at <code>{notice.path}</code>
            </span>
          ) : null}
        </div>
      ) : null}
      <div className="toolbar">
        <input
          type="search"
          placeholder="Filter plugins and types"
          aria-label="Filter plugins"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
        />
        {state.loading ? <span className="muted">Loading…</span> : null}
      </div>
      {state.error && !state.data ? (
        <ErrorView error={state.error} onRetry={state.reload} />
      ) : !state.data ? (
        <div className="loading">Loading…</div>
      ) : plugins.length === 0 ? (
        <p className="muted">No plugin matches.</p>
      ) : (
        <table className="admin-table" aria-label="Plugin versions">
          <thead>
            <tr>
              <th>Plugin</th>
              <th>Version</th>
              <th>Pinned by</th>
              <th>Types</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {plugins.map((p) => (
              <Fragment key={p.name}>
                <PluginRows plugin={p} busy={busy} run={run} />
              </Fragment>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}
