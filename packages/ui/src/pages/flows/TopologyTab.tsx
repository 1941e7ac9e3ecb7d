/** The Topology tab: the flow's graph from the API; a click on a task shows its definition. */
import { useState } from "react";
import { stringify } from "yaml";
import { api } from "../../api/client.ts";
import type { Flow, FlowGraph } from "../../api/types.ts";
import { useApi } from "../../api/useApi.ts";
import { ErrorView } from "../../components/ErrorView.tsx";
import { Topology } from "../../components/Topology.tsx";
import { pathOf } from "../../router.tsx";

export function TopologyTab({ flow }: { flow: Flow }) {
  const graph = useApi(
    (signal) => api.get<FlowGraph>(pathOf("flows", flow.namespace, flow.id, "graph"), { signal }),
    [flow.namespace, flow.id, flow.revision],
  );
  const [taskId, setTaskId] = useState<string>();
  const task = useApi(
    (signal) =>
      taskId
        ? api.get<Record<string, unknown>>(pathOf("flows", flow.namespace, flow.id, "tasks", taskId), { signal })
        : Promise.resolve(undefined),
    [flow.namespace, flow.id, flow.revision, taskId],
  );
  if (graph.error) return <ErrorView error={graph.error} onRetry={graph.reload} />;
  if (!graph.data) return <p className="loading">Loading…</p>;
  return (
    <div className="flow-topology">
      <Topology graph={graph.data} onTaskClick={setTaskId} {...(taskId ? { selected: taskId } : {})} />
      {taskId ? (
        <aside className="card" aria-label="Task">
          <h2>
            Task <code>{taskId}</code>{" "}
            <button type="button" onClick={() => setTaskId(undefined)} aria-label="Close">
              ×
            </button>
          </h2>
          {task.error ? <p className="error">{task.error.message}</p> : null}
          {task.data ? <pre>{stringify(task.data)}</pre> : task.error ? null : <p className="loading">Loading…</p>}
        </aside>
      ) : null}
    </div>
  );
}
