/**
 * A flow: Overview, Topology, Edit, Revisions, Executions, Triggers and Logs tabs, with the
 * Execute, Enable/Disable and Delete actions. A missing flow shows a not-found page.
 */
import { lazy, Suspense, useState } from "react";
import { api, ApiError } from "../api/client.ts";
import type { Flow } from "../api/types.ts";
import { useApi } from "../api/useApi.ts";
import { ErrorView } from "../components/ErrorView.tsx";
import { ExecuteDialog } from "../components/ExecuteDialog.tsx";
import { Page } from "../components/Page.tsx";
import { Link, navigate, pathOf } from "../router.tsx";
import { ConfirmDialog } from "../components/Dialog.tsx";
import { EditTab } from "./flows/EditTab.tsx";
import { Overview } from "./flows/Overview.tsx";
import { Revisions } from "./flows/Revisions.tsx";
import { TopologyTab } from "./flows/TopologyTab.tsx";
import "../styles/flows.css";

const ExecutionsList = lazy(() => import("./ExecutionsList.tsx"));
const TriggersAdmin = lazy(() => import("./TriggersAdmin.tsx"));
const LogsPage = lazy(() => import("./LogsPage.tsx"));

const TABS = [
  { id: "overview", label: "Overview" },
  { id: "topology", label: "Topology" },
  { id: "edit", label: "Edit" },
  { id: "revisions", label: "Revisions" },
  { id: "executions", label: "Executions" },
  { id: "triggers", label: "Triggers" },
  { id: "logs", label: "Logs" },
] as const;

export default function FlowPage({ params }: { params: Record<string, string> }) {
  const namespace = params.namespace ?? "";
  const id = params.id ?? "";
  const tab = TABS.some((t) => t.id === params.tab) ? params.tab! : "overview";
  const flow = useApi(
    (signal) => api.get<Flow>(pathOf("flows", namespace, id), { query: { source: true }, signal }),
    [namespace, id],
  );
  const [executing, setExecuting] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [notice, setNotice] = useState<{ text: string; error?: boolean }>();
  const breadcrumbs = [
    { label: "Flows", to: "/flows" },
    { label: namespace, to: `/flows?namespace=${encodeURIComponent(namespace)}` },
  ];

  if (flow.error && !flow.data) {
    const missing = flow.error instanceof ApiError && flow.error.status === 404;
    return (
      <Page title={id} breadcrumbs={breadcrumbs}>
        <ErrorView error={flow.error} {...(missing ? {} : { onRetry: flow.reload })} />
        {missing ? (
          <p>
            <Link to="/flows">Back to the flows</Link>
          </p>
        ) : null}
      </Page>
    );
  }
  const data = flow.data;
  if (!data) {
    return (
      <Page title={id} breadcrumbs={breadcrumbs}>
        <p className="loading">Loading…</p>
      </Page>
    );
  }

  const setDisabled = async (disabled: boolean) => {
    setNotice(undefined);
    try {
      await api.post(`/flows/${disabled ? "disable" : "enable"}/by-ids`, [{ namespace, id }]);
      setNotice({ text: disabled ? "The flow is disabled" : "The flow is enabled" });
      flow.reload();
    } catch (e) {
      setNotice({ text: (e as Error).message, error: true });
    }
  };
  const remove = async () => {
    setConfirmDelete(false);
    try {
      await api.delete(pathOf("flows", namespace, id));
      navigate("/flows");
    } catch (e) {
      setNotice({ text: (e as Error).message, error: true });
    }
  };
  const scope = { namespace, flowId: id };

  return (
    <Page
      title={
        <>
          {id} {data.disabled ? <span className="label-chip">Disabled</span> : null}
        </>
      }
      breadcrumbs={breadcrumbs}
      tabs={TABS.map((t) => ({ id: t.id, label: t.label, to: pathOf("flows", "edit", namespace, id, t.id) }))}
      activeTab={tab}
      actions={
        <>
          <button type="button" onClick={() => void setDisabled(!data.disabled)}>
            {data.disabled ? "Enable" : "Disable"}
          </button>
          <button type="button" className="danger" onClick={() => setConfirmDelete(true)}>
            Delete
          </button>
          <button type="button" className="primary" onClick={() => setExecuting(true)} disabled={data.disabled}>
            Execute
          </button>
        </>
      }
    >
      {notice ? (
        <p className={notice.error ? "notice error" : "notice"} role="status">
          {notice.text}
        </p>
      ) : null}
      {executing ? (
        <div className="dialog-backdrop">
          <ExecuteDialog flow={data} onClose={() => setExecuting(false)} />
        </div>
      ) : null}
      {confirmDelete ? (
        <ConfirmDialog
          title={`Delete ${namespace}.${id}?`}
          confirm="Delete"
          danger
          onConfirm={() => void remove()}
          onCancel={() => setConfirmDelete(false)}
        >
          <p>Its revisions are kept; its triggers stop.</p>
        </ConfirmDialog>
      ) : null}
      {tab === "overview" ? <Overview flow={data} onExecute={() => setExecuting(true)} /> : null}
      {tab === "topology" ? <TopologyTab flow={data} /> : null}
      {tab === "edit" ? <EditTab flow={data} onSaved={flow.reload} /> : null}
      {tab === "revisions" ? <Revisions flow={data} onRestored={flow.reload} /> : null}
      <Suspense fallback={<p className="loading">Loading…</p>}>
        {tab === "executions" ? <ExecutionsList params={{}} scope={scope} /> : null}
        {tab === "triggers" ? <TriggersAdmin params={{}} scope={scope} /> : null}
        {tab === "logs" ? <LogsPage params={{}} scope={scope} /> : null}
      </Suspense>
    </Page>
  );
}
