import { Page } from "../components/Page.tsx";

export default function Dashboard({ params }: { params: Record<string, string> }) {
  return (
    <Page title="Dashboard">
      <p className="muted">Not built yet ({JSON.stringify(params)}).</p>
    </Page>
  );
}
