import { Page } from "../components/Page.tsx";

/** `scope`: embedded in a flow's or a namespace's page, the list shows only theirs (and no page frame). */
export interface ExecutionsListProps {
  params: Record<string, string>;
  scope?: { namespace?: string; flowId?: string };
}

export default function ExecutionsList({ params, scope }: ExecutionsListProps) {
  return (
    <Page title="ExecutionsList">
      <p className="muted">Not built yet ({JSON.stringify({ params, scope })}).</p>
    </Page>
  );
}
