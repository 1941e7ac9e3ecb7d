import { Page } from "../components/Page.tsx";

/** `scope`: embedded in a flow's or a namespace's page, the list shows only theirs (and no page frame). */
export interface LogsPageProps {
  params: Record<string, string>;
  scope?: { namespace?: string; flowId?: string };
}

export default function LogsPage({ params, scope }: LogsPageProps) {
  return (
    <Page title="LogsPage">
      <p className="muted">Not built yet ({JSON.stringify({ params, scope })}).</p>
    </Page>
  );
}
