import { Page } from "../components/Page.tsx";

export default function NamespacesList({ params }: { params: Record<string, string> }) {
  return (
    <Page title="NamespacesList">
      <p className="muted">Not built yet ({JSON.stringify(params)}).</p>
    </Page>
  );
}
