import { Page } from "../components/Page.tsx";

export default function TriggersAdmin({ params }: { params: Record<string, string> }) {
  return (
    <Page title="TriggersAdmin">
      <p className="muted">Not built yet ({JSON.stringify(params)}).</p>
    </Page>
  );
}
