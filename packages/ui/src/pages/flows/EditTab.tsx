/** The Edit tab: the flow editor; Save makes a new revision (`PUT /flows/{ns}/{id}`). */
import { useState } from "react";
import { api, ApiError } from "../../api/client.ts";
import type { Flow } from "../../api/types.ts";
import { FlowEditor } from "../../components/editor/FlowEditor.tsx";
import { pathOf } from "../../router.tsx";

export function EditTab({ flow, onSaved }: { flow: Flow; onSaved(): void }) {
  const [notice, setNotice] = useState<string>();
  const [error, setError] = useState<Error>();
  const save = async (source: string) => {
    setNotice(undefined);
    setError(undefined);
    try {
      const saved = await api.put<Flow>(pathOf("flows", flow.namespace, flow.id), source, {
        contentType: "application/x-yaml",
      });
      setNotice(
        saved.revision === flow.revision
          ? `No change: still revision ${saved.revision}`
          : `Saved as revision ${saved.revision}`,
      );
      onSaved();
    } catch (e) {
      setError(e as Error);
      throw e;
    }
  };
  return (
    <div>
      {notice ? (
        <p className="notice" role="status">
          {notice}
        </p>
      ) : null}
      {error ? (
        <div className="notice error" role="alert">
          <strong>Not saved:</strong> {error.message}
          {error instanceof ApiError && error.path ? (
            <>
              {" "}
              <span className="muted">
                at <code>{error.path}</code>
              </span>
            </>
          ) : null}
        </div>
      ) : null}
      <FlowEditor key={flow.revision} source={flow.source ?? ""} namespace={flow.namespace} onSave={save} />
    </div>
  );
}
