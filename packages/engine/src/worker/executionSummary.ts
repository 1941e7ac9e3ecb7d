/**
 * The SDK's `executionSummary`: another execution of the tenant as notification tasks report it,
 * with its UI link built from configuration `server.url` (Kestra's `kestra.url`). What a
 * notification sends leaves the instance: the worker passes the summary through `show`, the
 * masked view the API and CLI give (`SecretGuard.display`: sealed labels and task-run values
 * become their masked form, other secret values are masked by value).
 */
import type { ExecutionSummary } from "@saker/sdk";
import type { StoredExecution } from "../backend/records.ts";

export async function readExecutionSummary(
  executions: { get(id: string): Promise<StoredExecution | undefined> },
  tenantId: string,
  serverUrl: string | undefined,
  executionId: string,
  show: (summary: ExecutionSummary) => ExecutionSummary = (summary) => summary,
): Promise<ExecutionSummary | undefined> {
  const x = (await executions.get(executionId))?.execution;
  if (!x || (x.tenantId ?? "main") !== tenantId) return undefined;
  const base = serverUrl?.replace(/\/+$/, "");
  return show({
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
  });
}
