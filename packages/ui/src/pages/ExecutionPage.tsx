/**
 * An execution, live through `GET /executions/{id}/follow`: Overview, Gantt, Logs, Topology,
 * Outputs and Actions tabs (`/executions/:namespace/:flowId/:id/:tab?`).
 */
import { useEffect, useMemo, useState } from "react";
import { api } from "../api/client.ts";
import type { FlowGraph } from "../api/types.ts";
import { useApi } from "../api/useApi.ts";
import { ErrorView } from "../components/ErrorView.tsx";
import { Page } from "../components/Page.tsx";
import { StateBadge } from "../components/StateBadge.tsx";
import { Topology } from "../components/Topology.tsx";
import { availableActions, isFinished, taskStates } from "../lib/executionView.ts";
import { formatMs, stateDurationMs } from "../lib/format.ts";
import { navigate, pathOf, useLocation } from "../router.tsx";
import { Actions } from "./executions/Actions.tsx";
import { Gantt } from "./executions/Gantt.tsx";
import { LogsTab } from "./executions/LogsTab.tsx";
import { Outputs } from "./executions/Outputs.tsx";
import { Overview } from "./executions/Overview.tsx";
import { useExecutionLogs, useFollowedExecution } from "./executions/useExecution.ts";
import "../styles/executions.css";

const TABS = [
  { id: "overview", label: "Overview" },
  { id: "gantt", label: "Gantt" },
  { id: "logs", label: "Logs" },
  { id: "topology", label: "Topology" },
  { id: "outputs", label: "Outputs" },
  { id: "actions", label: "Actions" },
];

function TopologyTab({ executionId, states }: { executionId: string; states: ReturnType<typeof taskStates> }) {
  const graph = useApi(
    (signal) => api.get<FlowGraph>(pathOf("executions", executionId, "graph"), { signal }),
    [executionId],
  );
  if (graph.error) return <ErrorView error={graph.error} onRetry={graph.reload} />;
  if (!graph.data) return <div className="loading">Loading…</div>;
  return <Topology graph={graph.data} states={states} />;
}

/** One execution's state (followed stream, logs read, restarts) starts anew when the URL names another. */
export default function ExecutionPage({ params }: { params: Record<string, string> }) {
  return <ExecutionView key={params.id} params={params} />;
}

function ExecutionView({ params }: { params: Record<string, string> }) {
  const { namespace = "", flowId = "", id = "" } = params;
  const tab = params.tab ?? "overview";
  const location = useLocation();
  const followed = useFollowedExecution(id);
  const execution = followed.execution;
  const finished = execution ? followed.ended || isFinished(execution) : undefined;
  // restarts and resumes start the logs again
  const [generation, setGeneration] = useState(0);
  // the logs are read once the Logs tab is first opened
  const [logsWanted, setLogsWanted] = useState(tab === "logs");
  useEffect(() => {
    if (tab === "logs") setLogsWanted(true);
  }, [tab]);
  const logs = useExecutionLogs(id, logsWanted, followed.streamed ? followed.ended : undefined, generation);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (finished !== false) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [finished]);
  const endNow = useMemo(() => (finished ? Date.now() : now), [finished, now, execution]);
  const states = useMemo(() => taskStates(execution?.taskRunList), [execution?.taskRunList]);
  const selected = location.query.get("taskRun") ?? undefined;
  const base = pathOf("executions", namespace, flowId, id);

  if (followed.error && !execution) return <ErrorView error={followed.error} onRetry={followed.refollow} />;
  if (!execution) return <div className="loading">Loading…</div>;
  const can = availableActions(execution);
  const started = () => {
    followed.refollow();
    setGeneration((g) => g + 1);
  };

  return (
    <Page
      title={
        <>
          {execution.id} <StateBadge state={execution.state.current} />
        </>
      }
      breadcrumbs={[
        { label: "Executions", to: "/executions" },
        { label: execution.namespace, to: `/executions?namespace=${encodeURIComponent(execution.namespace)}` },
        { label: execution.flowId, to: pathOf("flows", "edit", execution.namespace, execution.flowId) },
      ]}
      actions={
        <>
          <span className="muted" aria-label="Duration">
            {formatMs(stateDurationMs(execution.state, endNow))}
          </span>
          {can.resume ? (
            <button type="button" className="primary" onClick={() => navigate(`${base}/actions`)}>
              Resume…
            </button>
          ) : null}
          {can.restart && !can.resume ? (
            <button type="button" onClick={() => navigate(`${base}/actions`)}>
              Restart…
            </button>
          ) : null}
          {can.kill ? (
            <button type="button" className="danger" onClick={() => navigate(`${base}/actions`)}>
              Kill…
            </button>
          ) : null}
        </>
      }
      tabs={TABS.map((t) => ({ ...t, to: t.id === "overview" ? base : `${base}/${t.id}` }))}
      activeTab={tab}
    >
      {followed.error ? <p className="error">{followed.error.message}</p> : null}
      {tab === "overview" ? <Overview execution={execution} now={endNow} /> : null}
      {tab === "gantt" ? (
        <Gantt
          execution={execution}
          now={endNow}
          selected={selected}
          onSelect={(taskRun) => {
            const q = new URLSearchParams(location.query);
            if (taskRun) q.set("taskRun", taskRun);
            else q.delete("taskRun");
            const s = q.toString();
            navigate(`${base}/gantt${s ? `?${s}` : ""}`, { replace: true });
          }}
        />
      ) : null}
      {tab === "logs" ? <LogsTab execution={execution} logs={logs} /> : null}
      {tab === "topology" ? <TopologyTab executionId={execution.id} states={states} /> : null}
      {tab === "outputs" ? <Outputs execution={execution} /> : null}
      {tab === "actions" ? <Actions execution={execution} onStarted={started} /> : null}
      {TABS.some((t) => t.id === tab) ? null : <p className="error">No tab {tab}.</p>}
    </Page>
  );
}
