import { Page } from "../components/Page.tsx";

/** `scope`: embedded in a flow's or a namespace's page, the list shows only theirs (and no page frame). */
export interface TriggersAdminProps {
  params: Record<string, string>;
  scope?: { namespace?: string; flowId?: string };
}

export default function TriggersAdmin({ params, scope }: TriggersAdminProps) {
  return (
    <Page title="TriggersAdmin">
      <p className="muted">Not built yet ({JSON.stringify({ params, scope })}).</p>
    </Page>
  );
}
