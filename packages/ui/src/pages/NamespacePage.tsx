import { Page } from "../components/Page.tsx";

export default function NamespacePage({ params }: { params: Record<string, string> }) {
  return (
    <Page title="NamespacePage">
      <p className="muted">Not built yet ({JSON.stringify(params)}).</p>
    </Page>
  );
}
