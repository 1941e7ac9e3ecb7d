/** Settings kept in this browser: theme (applied at once), time zone, default namespace and log level. */
import { useMemo } from "react";
import { Page } from "../components/Page.tsx";
import { formatDate } from "../lib/format.ts";
import { updateSettings, useSettings, type Settings } from "../lib/settings.ts";
import "../styles/admin.css";

const THEMES: { value: Settings["theme"]; label: string }[] = [
  { value: "light", label: "Light" },
  { value: "dark", label: "Dark" },
  { value: "system", label: "System" },
];
const LEVELS: Settings["logLevel"][] = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR"];

function timeZones(): string[] {
  const intl = Intl as typeof Intl & { supportedValuesOf?: (key: string) => string[] };
  try {
    return intl.supportedValuesOf?.("timeZone") ?? ["UTC"];
  } catch {
    return ["UTC"];
  }
}

export default function SettingsPage() {
  const settings = useSettings();
  const zones = useMemo(timeZones, []);
  const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return (
    <Page title="Settings">
      <p className="muted">Kept in this browser; they apply at once.</p>
      <form className="card settings-form" aria-label="Settings" onSubmit={(e) => e.preventDefault()}>
        <fieldset className="radio-row" aria-label="Theme" style={{ border: "none", padding: 0, margin: "0 0 12px" }}>
          <legend style={{ marginBottom: 6 }}>Theme</legend>
          {THEMES.map((t) => (
            <label key={t.value}>
              <input
                type="radio"
                name="theme"
                value={t.value}
                checked={settings.theme === t.value}
                onChange={() => updateSettings({ theme: t.value })}
              />
              {t.label}
            </label>
          ))}
        </fieldset>
        <label>
          Time zone
          <select value={settings.timeZone} onChange={(e) => updateSettings({ timeZone: e.target.value })}>
            <option value="">Browser ({browserZone})</option>
            {zones.map((z) => (
              <option key={z} value={z}>
                {z}
              </option>
            ))}
          </select>
          <span className="muted">Now: {formatDate(new Date().toISOString(), settings.timeZone)}</span>
        </label>
        <label>
          Default namespace
          <input
            value={settings.defaultNamespace}
            placeholder="company.team"
            onChange={(e) => updateSettings({ defaultNamespace: e.target.value.trim() })}
          />
          <span className="muted">Pre-filled in new flows and in list filters.</span>
        </label>
        <label>
          Default log level
          <select
            value={settings.logLevel}
            onChange={(e) => updateSettings({ logLevel: e.target.value as Settings["logLevel"] })}
          >
            {LEVELS.map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
          <span className="muted">The lowest level shown by the log views.</span>
        </label>
      </form>
    </Page>
  );
}
