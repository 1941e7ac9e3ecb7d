/**
 * The SDK's `executionSummary`: another execution of the tenant as notification tasks report it,
 * with its UI link built from configuration `server.url` (Kestra's `kestra.url`).
 */
import type { ExecutionSummary } from "@saker/sdk";
import type { ExecutionStore } from "../repository/sqlite/executionStore.ts";

export function readExecutionSummary(
  executions: ExecutionStore,
  tenantId: string,
  serverUrl: string | undefined,
  executionId: string,
): ExecutionSummary | undefined {
  const x = executions.get(executionId)?.execution;
  if (!x || (x.tenantId ?? "main") !== tenantId) return undefined;
  const base = serverUrl?.replace(/\/+$/, "");
  return {
    id: x.id,
    namespace: x.namespace,
    flowId: x.flowId,
    state: x.state.current,
    startDate: x.state.startDate,
    ...(x.state.endDate ? { endDate: x.state.endDate } : {}),
    duration: x.state.duration,
    ...(base ? { url: `${base}/ui/${tenantId}/executions/${x.namespace}/${x.flowId}/${x.id}` } : {}),
    labels: x.labels.map((l) => ({ key: l.key, value: l.value })),
    taskRuns: x.taskRunList.map((t) => ({
      id: t.id,
      taskId: t.taskId,
      state: t.state.current,
      ...(t.value !== undefined ? { value: t.value } : {}),
    })),
  };
}
