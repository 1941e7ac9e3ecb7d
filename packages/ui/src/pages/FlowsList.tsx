import { api } from "../api/client.ts";
import type { Flow, Paged } from "../api/types.ts";
import { useApi } from "../api/useApi.ts";
import { ErrorView } from "../components/ErrorView.tsx";
import { Page } from "../components/Page.tsx";

export default function FlowsList() {
  const flows = useApi((signal) => api.get<Paged<Flow>>("/flows/search", { signal }), []);
  return (
    <Page title="Flows">
      {flows.error ? <ErrorView error={flows.error} onRetry={flows.reload} /> : null}
      <p className="muted">{flows.data ? `${flows.data.total} flows` : "Loading…"}</p>
    </Page>
  );
}
