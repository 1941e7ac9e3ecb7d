import { Page } from "../components/Page.tsx";

export default function PluginTypePage({ params }: { params: Record<string, string> }) {
  return (
    <Page title="PluginTypePage">
      <p className="muted">Not built yet ({JSON.stringify(params)}).</p>
    </Page>
  );
}
