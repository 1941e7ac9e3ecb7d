import { Page } from "../components/Page.tsx";

export default function LogsPage({ params }: { params: Record<string, string> }) {
  return (
    <Page title="LogsPage">
      <p className="muted">Not built yet ({JSON.stringify(params)}).</p>
    </Page>
  );
}
