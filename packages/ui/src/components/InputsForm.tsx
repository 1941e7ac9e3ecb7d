/**
 * A form generated from a flow's inputs (or a Pause task's `onResume` inputs): one field per input,
 * for every input type, FILE uploads included. `onSubmit` receives the multipart body the API
 * takes (`POST /executions/{ns}/{id}`, `POST /executions/{id}/resume`). Contract used by the
 * Execute dialog and the execution page's Resume.
 */
import type { FormEvent } from "react";
import type { FlowInput } from "../api/types.ts";

export interface InputsFormProps {
  inputs: readonly FlowInput[];
  submitLabel: string;
  onSubmit(body: FormData): void | Promise<void>;
  onCancel?(): void;
}

export function InputsForm({ inputs, submitLabel, onSubmit, onCancel }: InputsFormProps) {
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    void onSubmit(new FormData(event.currentTarget));
  };
  return (
    <form onSubmit={submit} aria-label="Inputs">
      {inputs.map((input) => (
        <label key={input.id}>
          {input.displayName ?? input.id}
          <input
            name={input.id}
            type={input.type === "FILE" ? "file" : "text"}
            required={input.required !== false && input.defaults === undefined}
          />
        </label>
      ))}
      <button type="submit" className="primary">
        {submitLabel}
      </button>{" "}
      {onCancel ? (
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      ) : null}
    </form>
  );
}
