import { Page } from "../components/Page.tsx";

export default function VersionedPlugins({ params }: { params: Record<string, string> }) {
  return (
    <Page title="VersionedPlugins">
      <p className="muted">Not built yet ({JSON.stringify(params)}).</p>
    </Page>
  );
}
