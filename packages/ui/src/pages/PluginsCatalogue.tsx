/**
 * The plugins catalogue: every plugin (core, bundled, installed) with its task, trigger and
 * condition types, each by its title, and a search that filters as you type (kept in the URL).
 */
import { useMemo } from "react";
import { api } from "../api/client.ts";
import { useApi } from "../api/useApi.ts";
import { ErrorView } from "../components/ErrorView.tsx";
import { Page } from "../components/Page.tsx";
import { Link, pathOf, setQuery, useLocation } from "../router.tsx";
import type { PluginElement, PluginSummary } from "./admin/adminApi.ts";
import "../styles/admin.css";

interface CatalogueType extends PluginElement {
  kind: "task" | "trigger" | "condition";
}

interface CataloguePlugin {
  name: string;
  title: string;
  description?: string | undefined;
  group: string;
  versions: string[];
  core: boolean;
  bundled: boolean;
  types: CatalogueType[];
}

/** One entry per plugin (its versions merged), types sorted by title. */
function group(summaries: PluginSummary[]): CataloguePlugin[] {
  const byName = new Map<string, CataloguePlugin>();
  for (const s of summaries) {
    if (s.subGroup) continue;
    const entry = byName.get(s.name) ?? {
      name: s.name,
      title: s.title,
      description: s.description,
      group: s.group,
      versions: [],
      core: s.core,
      bundled: s.bundled,
      types: [],
    };
    entry.versions.push(s.version);
    const known = new Set(entry.types.map((t) => t.cls));
    const add = (list: PluginElement[], kind: CatalogueType["kind"]) => {
      for (const e of list) if (!known.has(e.cls)) entry.types.push({ ...e, kind });
    };
    add(s.tasks, "task");
    add(s.triggers, "trigger");
    add(s.conditions, "condition");
    byName.set(s.name, entry);
  }
  const plugins = [...byName.values()];
  for (const p of plugins) p.types.sort((a, b) => (a.title ?? a.cls).localeCompare(b.title ?? b.cls));
  return plugins.sort((a, b) => Number(b.core) - Number(a.core) || a.title.localeCompare(b.title));
}

function matches(text: string, words: string[]): boolean {
  const lower = text.toLowerCase();
  return words.every((w) => lower.includes(w));
}

export default function PluginsCatalogue() {
  const location = useLocation();
  const q = location.query.get("q") ?? "";
  const state = useApi((signal) => api.get<PluginSummary[]>("/plugins", { signal }), []);
  const plugins = useMemo(() => group(state.data ?? []), [state.data]);
  // icons are a nicety: the list shows without them
  const icons = useApi(
    (signal) =>
      api
        .get<Record<string, { icon: string }>>("/plugins/icons", { signal })
        .catch((): Record<string, { icon: string }> => ({})),
    [],
  );
  const words = q.toLowerCase().split(/\s+/).filter(Boolean);
  const shown = plugins
    .map((p) => {
      if (!words.length || matches(`${p.name} ${p.title} ${p.group}`, words)) return p;
      const types = p.types.filter((t) => matches(`${t.cls} ${t.title ?? ""} ${t.kind}`, words));
      return types.length ? { ...p, types } : undefined;
    })
    .filter((p): p is CataloguePlugin => p !== undefined);
  const count = shown.reduce((n, p) => n + p.types.length, 0);

  const search = (value: string) => {
    const query = new URLSearchParams(location.query);
    if (value) query.set("q", value);
    else query.delete("q");
    setQuery(query);
  };

  return (
    <Page
      title="Plugins"
      actions={
        <Link to="/admin/plugins" className="button">
          Versioned plugins
        </Link>
      }
    >
      <div className="toolbar">
        <input
          type="search"
          aria-label="Search plugins"
          placeholder="Search a plugin or a type (log, http, schedule…)"
          value={q}
          onChange={(e) => search(e.target.value)}
          size={48}
          autoFocus
        />
        {state.data ? (
          <span className="muted" role="status">
            {count} type{count === 1 ? "" : "s"} in {shown.length} plugin{shown.length === 1 ? "" : "s"}
          </span>
        ) : null}
      </div>
      {state.error && !state.data ? (
        <ErrorView error={state.error} onRetry={state.reload} />
      ) : !state.data ? (
        <div className="loading">Loading…</div>
      ) : shown.length === 0 ? (
        <p className="muted">No plugin or type matches “{q}”.</p>
      ) : (
        shown.map((p) => (
          <section key={p.name} className="card catalogue-group" aria-label={p.title} data-plugin={p.name}>
            <h2>
              {p.title} <span className="mono muted">{p.name}</span>{" "}
              {p.versions.map((v) => (
                <span key={v} className="tag">
                  {v}
                </span>
              ))}
              {p.core ? <span className="tag">core</span> : p.bundled ? <span className="tag">bundled</span> : null}
            </h2>
            {p.description ? <p className="muted">{p.description}</p> : null}
            <ul className="catalogue-types">
              {p.types.map((t) => (
                <li key={t.cls}>
                  {icons.data?.[t.cls] ? (
                    <img
                      className="type-icon"
                      alt=""
                      width={16}
                      height={16}
                      src={`data:image/svg+xml;base64,${icons.data[t.cls]!.icon}`}
                    />
                  ) : null}
                  <Link to={pathOf("plugins", t.cls)}>{t.title ?? t.cls.split(".").pop()}</Link>{" "}
                  {t.kind !== "task" ? <span className="tag">{t.kind}</span> : null}
                  {t.deprecated ? <span className="tag">deprecated</span> : null}
                  <span className="type-id">{t.cls}</span>
                </li>
              ))}
            </ul>
          </section>
        ))
      )}
    </Page>
  );
}
