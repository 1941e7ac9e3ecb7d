import { Page } from "../components/Page.tsx";

export default function SettingsPage({ params }: { params: Record<string, string> }) {
  return (
    <Page title="SettingsPage">
      <p className="muted">Not built yet ({JSON.stringify(params)}).</p>
    </Page>
  );
}
