/** The Edit tab: the flow editor; Save makes a new revision (`PUT /flows/{ns}/{id}`). */
import { useState } from "react";
import { api } from "../../api/client.ts";
import type { Flow } from "../../api/types.ts";
import { FlowEditor } from "../../components/editor/FlowEditor.tsx";
import { pathOf } from "../../router.tsx";

export function EditTab({ flow, onSaved }: { flow: Flow; onSaved(): void }) {
  const [notice, setNotice] = useState<string>();
  const save = async (source: string) => {
    setNotice(undefined);
    // a refused save is shown by the editor (its message and YAML path)
    const saved = await api.put<Flow>(pathOf("flows", flow.namespace, flow.id), source, {
      contentType: "application/x-yaml",
    });
    setNotice(
      saved.revision === flow.revision
        ? `No change: still revision ${saved.revision}`
        : `Saved as revision ${saved.revision}`,
    );
    onSaved();
  };
  return (
    <div>
      {notice ? (
        <p className="notice" role="status">
          {notice}
        </p>
      ) : null}
      <FlowEditor key={flow.revision} source={flow.source ?? ""} namespace={flow.namespace} onSave={save} />
    </div>
  );
}
