import { Page } from "../components/Page.tsx";

export default function FlowCreate({ params }: { params: Record<string, string> }) {
  return (
    <Page title="FlowCreate">
      <p className="muted">Not built yet ({JSON.stringify(params)}).</p>
    </Page>
  );
}
