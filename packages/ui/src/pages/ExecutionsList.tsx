import { Page } from "../components/Page.tsx";

export default function ExecutionsList({ params }: { params: Record<string, string> }) {
  return (
    <Page title="ExecutionsList">
      <p className="muted">Not built yet ({JSON.stringify(params)}).</p>
    </Page>
  );
}
