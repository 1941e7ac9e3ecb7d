import { Page } from "../components/Page.tsx";

export default function ExecutionPage({ params }: { params: Record<string, string> }) {
  return (
    <Page title="ExecutionPage">
      <p className="muted">Not built yet ({JSON.stringify(params)}).</p>
    </Page>
  );
}
