import { Page } from "../components/Page.tsx";

export default function PluginsCatalogue({ params }: { params: Record<string, string> }) {
  return (
    <Page title="PluginsCatalogue">
      <p className="muted">Not built yet ({JSON.stringify(params)}).</p>
    </Page>
  );
}
