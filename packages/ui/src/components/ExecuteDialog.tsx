/**
 * The Execute dialog: a form generated from the flow's inputs; on submit it creates an execution
 * (`POST /executions/{namespace}/{id}`, multipart) and goes to it. Contract used by the flow page
 * and the editor.
 *
 * The server checks the values as they are typed (`POST /executions/{ns}/{id}/validate`); labels
 * can be added to the execution.
 */
import { useRef, useState } from "react";
import { api, ApiError } from "../api/client.ts";
import { useDialogFocus } from "./Dialog.tsx";
import type { Execution, Flow } from "../api/types.ts";
import { errorsByInput, serverCheck } from "../lib/inputsForm.ts";
import { navigate, pathOf } from "../router.tsx";
import { InputsForm } from "./InputsForm.tsx";

interface LabelRow {
  key: string;
  value: string;
}

function LabelsEditor({ rows, onChange }: { rows: LabelRow[]; onChange(rows: LabelRow[]): void }) {
  const set = (i: number, change: Partial<LabelRow>) =>
    onChange(rows.map((r, j) => (j === i ? { ...r, ...change } : r)));
  return (
    <fieldset className="labels-editor">
      <legend>Labels</legend>
      {rows.map((row, i) => (
        <div className="label-row" key={i}>
          <input
            aria-label={`Label ${i + 1} key`}
            placeholder="key"
            value={row.key}
            onChange={(e) => set(i, { key: e.target.value })}
          />
          <input
            aria-label={`Label ${i + 1} value`}
            placeholder="value"
            value={row.value}
            onChange={(e) => set(i, { value: e.target.value })}
          />
          <button
            type="button"
            aria-label={`Remove label ${i + 1}`}
            onClick={() => onChange(rows.filter((_, j) => j !== i))}
          >
            ×
          </button>
        </div>
      ))}
      <button type="button" onClick={() => onChange([...rows, { key: "", value: "" }])}>
        Add a label
      </button>
    </fieldset>
  );
}

export function ExecuteDialog({ flow, onClose }: { flow: Flow; onClose(): void }) {
  const [error, setError] = useState<string>();
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [labels, setLabels] = useState<LabelRow[]>([]);
  const base = pathOf("executions", flow.namespace, flow.id);
  const ref = useRef<HTMLDivElement>(null);
  useDialogFocus(ref, onClose);
  const labelQuery = () => ({
    labels: labels.filter((l) => l.key.trim() !== "").map((l) => `${l.key.trim()}:${l.value}`),
    ...(flow.revision ? { revision: flow.revision } : {}),
  });
  const validate = async (body: FormData) =>
    serverCheck(await api.post<Parameters<typeof serverCheck>[0]>(`${base}/validate`, body, { query: labelQuery() }));
  const run = async (body: FormData) => {
    setError(undefined);
    try {
      const execution = await api.post<Execution>(base, body, { query: labelQuery() });
      onClose();
      navigate(pathOf("executions", execution.namespace, execution.flowId, execution.id));
    } catch (e) {
      const details = e instanceof ApiError ? (e.details as { errors?: string[] } | undefined) : undefined;
      if (details?.errors?.length) {
        const { byId, other } = errorsByInput(details.errors);
        setFieldErrors(byId);
        setError(other.length ? other.join("; ") : "Some inputs are not valid.");
      } else setError((e as Error).message);
    }
  };
  return (
    <div ref={ref} className="dialog execute-dialog" role="dialog" aria-label="Execute" aria-modal="true" tabIndex={-1}>
      <h2>
        Execute <code>{flow.namespace}</code>.<code>{flow.id}</code>
      </h2>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      <InputsForm
        inputs={flow.inputs ?? []}
        submitLabel="Execute"
        onSubmit={run}
        onCancel={onClose}
        validate={validate}
        errors={fieldErrors}
      >
        <LabelsEditor rows={labels} onChange={setLabels} />
      </InputsForm>
    </div>
  );
}
