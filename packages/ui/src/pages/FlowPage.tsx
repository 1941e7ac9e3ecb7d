import { Page } from "../components/Page.tsx";

export default function FlowPage({ params }: { params: Record<string, string> }) {
  return (
    <Page title="FlowPage">
      <p className="muted">Not built yet ({JSON.stringify(params)}).</p>
    </Page>
  );
}
