/**
 * The Actions tab: restart (a failed execution, from its failed task runs), replay (from a chosen
 * task run, optionally with another flow revision), kill (a running one), resume (a paused one,
 * with the Pause task's `onResume` inputs), delete. The page follows the execution, so each
 * action's effect shows live.
 */
import { useState } from "react";
import { api } from "../../api/client.ts";
import type { Execution, Flow, FlowInput } from "../../api/types.ts";
import { useApi } from "../../api/useApi.ts";
import { InputsForm } from "../../components/InputsForm.tsx";
import { availableActions, findTaskDefinition, pausedTaskRun } from "../../lib/executionView.ts";
import { navigate, pathOf } from "../../router.tsx";
import { ConfirmDialog } from "../../components/Dialog.tsx";

type Pending = "kill" | "delete" | undefined;

export function Actions({ execution, onStarted }: { execution: Execution; onStarted(): void }) {
  const can = availableActions(execution);
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<string>();
  const [pending, setPending] = useState<Pending>();
  const [replayFrom, setReplayFrom] = useState("");
  const [revision, setRevision] = useState("");
  const paused = pausedTaskRun(execution);
  const flow = useApi(
    (signal) =>
      paused ? api.get<Flow>(pathOf("executions", execution.id, "flow"), { signal }) : Promise.resolve(undefined),
    [execution.id, paused?.id],
  );
  const onResume = paused
    ? ((findTaskDefinition(flow.data?.tasks, paused.taskId)?.onResume as FlowInput[] | undefined) ?? [])
    : [];

  const act = async (label: string, call: () => Promise<unknown>, after?: (answer: unknown) => void) => {
    setError(undefined);
    setDone(undefined);
    try {
      const answer = await call();
      setDone(label);
      if (after) after(answer);
      else onStarted();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const goTo = (answer: unknown) => {
    const x = answer as Execution;
    navigate(pathOf("executions", x.namespace, x.flowId, x.id));
  };

  return (
    <div>
      {error ? (
        <p className="notice error" role="alert">
          {error}
        </p>
      ) : null}
      {done ? (
        <p className="notice" role="status">
          {done}
        </p>
      ) : null}
      <div className="actions-grid">
        {can.resume && paused ? (
          <div className="card" aria-label="Resume">
            <h3>Resume</h3>
            <p className="muted">
              Paused on <strong>{paused.taskId}</strong>.
            </p>
            {flow.loading && !flow.data ? <p className="muted">Loading…</p> : null}
            {flow.data || flow.error ? (
              <InputsForm
                inputs={onResume}
                submitLabel="Resume"
                onSubmit={(body) => act("Resumed", () => api.post(pathOf("executions", execution.id, "resume"), body))}
              />
            ) : null}
          </div>
        ) : null}
        <div className="card" aria-label="Restart">
          <h3>Restart</h3>
          <p className="muted">Runs the failed task runs again, in the same execution (a new attempt).</p>
          <button
            type="button"
            className="primary"
            disabled={!can.restart}
            onClick={() => void act("Restarted", () => api.post(pathOf("executions", execution.id, "restart")))}
          >
            Restart
          </button>
        </div>
        <div className="card" aria-label="Replay">
          <h3>Replay</h3>
          <p className="muted">A new execution, from scratch or from a task run.</p>
          <label>
            From task run
            <select value={replayFrom} onChange={(e) => setReplayFrom(e.target.value)}>
              <option value="">From the start</option>
              {(execution.taskRunList ?? []).slice(0, 2000).map((t) => (
                <option key={t.id} value={t.id}>
                  {t.taskId}
                  {t.value !== undefined && t.value !== null ? ` [${t.value}]` : ""} ({t.state.current})
                </option>
              ))}
            </select>
          </label>
          <label>
            Flow revision
            <input
              type="number"
              min={1}
              value={revision}
              placeholder={`${execution.flowRevision} (this execution's)`}
              onChange={(e) => setRevision(e.target.value)}
            />
          </label>
          <button
            type="button"
            disabled={!can.replay}
            onClick={() =>
              void act(
                "Replayed",
                () =>
                  api.post(pathOf("executions", execution.id, "replay"), undefined, {
                    query: { taskRunId: replayFrom || undefined, revision: revision || undefined },
                  }),
                goTo,
              )
            }
          >
            Replay
          </button>
        </div>
        <div className="card" aria-label="Kill">
          <h3>Kill</h3>
          <p className="muted">Stops a running execution and its subflow executions.</p>
          <button type="button" className="danger" disabled={!can.kill} onClick={() => setPending("kill")}>
            Kill
          </button>
        </div>
        <div className="card" aria-label="Delete">
          <h3>Delete</h3>
          <p className="muted">Deletes a finished execution with its logs, metrics and files.</p>
          <button type="button" className="danger" disabled={!can.delete} onClick={() => setPending("delete")}>
            Delete
          </button>
        </div>
      </div>
      {pending === "kill" ? (
        <ConfirmDialog
          title="Kill this execution?"
          confirm="Kill"
          danger
          onCancel={() => setPending(undefined)}
          onConfirm={() => {
            setPending(undefined);
            void act("Kill requested", () => api.delete(pathOf("executions", execution.id, "kill")));
          }}
        />
      ) : null}
      {pending === "delete" ? (
        <ConfirmDialog
          title="Delete this execution?"
          confirm="Delete"
          danger
          onCancel={() => setPending(undefined)}
          onConfirm={() => {
            setPending(undefined);
            void act(
              "Deleted",
              () => api.delete(pathOf("executions", execution.id)),
              () => navigate("/executions"),
            );
          }}
        >
          <p>Its logs, metrics and files are deleted too.</p>
        </ConfirmDialog>
      ) : null}
    </div>
  );
}
