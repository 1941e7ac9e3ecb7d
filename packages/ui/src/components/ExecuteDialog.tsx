/**
 * The Execute dialog: a form generated from the flow's inputs; on submit it creates an execution
 * (`POST /executions/{namespace}/{id}`, multipart) and goes to it. Contract used by the flow page
 * and the editor.
 */
import { useState } from "react";
import { api } from "../api/client.ts";
import type { Execution, Flow } from "../api/types.ts";
import { navigate, pathOf } from "../router.tsx";

export function ExecuteDialog({ flow, onClose }: { flow: Flow; onClose(): void }) {
  const [error, setError] = useState<string>();
  const run = async () => {
    try {
      const execution = await api.post<Execution>(pathOf("executions", flow.namespace, flow.id), new FormData());
      onClose();
      navigate(pathOf("executions", execution.namespace, execution.flowId, execution.id));
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <div className="dialog" role="dialog" aria-label="Execute">
      <h2>Execute {flow.id}</h2>
      {error ? <p className="error">{error}</p> : null}
      <button type="button" className="primary" onClick={run}>
        Execute
      </button>{" "}
      <button type="button" onClick={onClose}>
        Cancel
      </button>
    </div>
  );
}
