/**
 * A form generated from a flow's inputs (or a Pause task's `onResume` inputs): one field per input,
 * for every input type, FILE uploads included. `onSubmit` receives the multipart body the API
 * takes (`POST /executions/{ns}/{id}`, `POST /executions/{id}/resume`). Contract used by the
 * Execute dialog and the execution page's Resume.
 *
 * Defaults are pre-filled, required inputs marked, values checked as the server checks them;
 * with `validate` the server's own answer is shown under each field as values change.
 */
import { useEffect, useId, useMemo, useRef, useState, type FormEvent, type ReactNode } from "react";
import type { FlowInput } from "../api/types.ts";
import {
  checkFields,
  fieldsOf,
  formBody,
  initialValues,
  type Field,
  type FieldValue,
  type ServerCheck,
} from "../lib/inputsForm.ts";
import "../styles/editor.css";

export interface InputsFormProps {
  inputs: readonly FlowInput[];
  submitLabel: string;
  onSubmit(body: FormData): void | Promise<void>;
  onCancel?(): void;
  /** Asks the server to check the values: messages by input id, and the inputs it leaves out (`dependsOn`). */
  validate?(body: FormData): Promise<ServerCheck>;
  /** Messages by input id to show (e.g. from a refused submit). */
  errors?: Readonly<Record<string, string>>;
  /** Shown after the fields, before the buttons (e.g. a labels editor). */
  children?: ReactNode;
}

function Control({
  field,
  id,
  value,
  onChange,
}: {
  field: Field;
  id: string;
  value: FieldValue;
  onChange(value: FieldValue): void;
}) {
  const text = typeof value === "string" ? value : "";
  const common = { id, name: field.id, "aria-describedby": `${id}-help`, "data-input": field.id };
  switch (field.control) {
    case "checkbox":
      return (
        <input type="checkbox" {...common} checked={value === true} onChange={(e) => onChange(e.target.checked)} />
      );
    case "number":
      return (
        <input
          type="number"
          {...common}
          step={field.type === "INT" ? 1 : "any"}
          {...(field.min !== undefined ? { min: String(field.min) } : {})}
          {...(field.max !== undefined ? { max: String(field.max) } : {})}
          value={text}
          onChange={(e) => onChange(e.target.value)}
        />
      );
    case "select":
      if (field.allowCustomValue)
        return (
          <>
            <input
              type="text"
              {...common}
              list={`${id}-values`}
              value={text}
              onChange={(e) => onChange(e.target.value)}
            />
            <datalist id={`${id}-values`}>
              {field.options?.map((o) => (
                <option key={o} value={o} />
              ))}
            </datalist>
          </>
        );
      return (
        <select {...common} value={text} onChange={(e) => onChange(e.target.value)}>
          <option value="">{field.required ? "Choose…" : "(none)"}</option>
          {field.options?.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      );
    case "radio":
      return (
        <div className="choices" role="radiogroup" id={id} aria-describedby={`${id}-help`}>
          {field.options?.map((o) => (
            <label key={o}>
              <input type="radio" name={field.id} value={o} checked={text === o} onChange={() => onChange(o)} /> {o}
            </label>
          ))}
        </div>
      );
    case "multiselect": {
      const chosen = Array.isArray(value) ? value : [];
      return (
        <div className="choices" role="group" id={id} aria-describedby={`${id}-help`}>
          {field.options?.map((o) => (
            <label key={o}>
              <input
                type="checkbox"
                value={o}
                checked={chosen.includes(o)}
                onChange={(e) => onChange(e.target.checked ? [...chosen, o] : chosen.filter((c) => c !== o))}
              />{" "}
              {o}
            </label>
          ))}
        </div>
      );
    }
    case "date":
      return <input type="date" {...common} value={text} onChange={(e) => onChange(e.target.value)} />;
    case "time":
      return <input type="time" step={1} {...common} value={text} onChange={(e) => onChange(e.target.value)} />;
    case "file":
      return (
        <input
          type="file"
          {...common}
          {...(field.accept ? { accept: field.accept } : {})}
          onChange={(e) => onChange(e.target.files?.[0] ?? undefined)}
        />
      );
    case "json":
    case "yaml":
    case "array":
      return (
        <textarea
          {...common}
          rows={4}
          placeholder={field.placeholder}
          value={text}
          onChange={(e) => onChange(e.target.value)}
        />
      );
    case "secret":
      return (
        <input type="password" autoComplete="off" {...common} value={text} onChange={(e) => onChange(e.target.value)} />
      );
    default:
      return (
        <input
          type="text"
          {...common}
          placeholder={field.placeholder}
          value={text}
          onChange={(e) => onChange(e.target.value)}
        />
      );
  }
}

export function InputsForm({ inputs, submitLabel, onSubmit, onCancel, validate, errors, children }: InputsFormProps) {
  const signature = JSON.stringify(inputs);
  const fields = useMemo(() => fieldsOf(JSON.parse(signature) as FlowInput[]), [signature]);
  const [values, setValues] = useState<Record<string, FieldValue>>(() => initialValues(fields));
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [server, setServer] = useState<ServerCheck>({ errors: {}, disabled: [] });
  const base = useId();
  const validateRef = useRef(validate);
  validateRef.current = validate;

  useEffect(() => setValues(initialValues(fields)), [fields]);

  // the server's check, once the values settle
  useEffect(() => {
    if (!validateRef.current) return;
    let live = true;
    const timer = setTimeout(() => {
      validateRef.current?.(formBody(fields, values)).then(
        (answer) => live && setServer(answer),
        () => live && setServer({ errors: {}, disabled: [] }),
      );
    }, 500);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [fields, values]);

  const off = new Set(server.disabled);
  const local = checkFields(
    fields.filter((f) => !off.has(f.id)),
    values,
  );
  const shown = (f: Field): string | undefined => {
    if (!touched[f.id] && !submitted) return errors?.[f.id];
    return local[f.id] ?? errors?.[f.id] ?? server.errors[f.id];
  };

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setSubmitted(true);
    if (Object.keys(local).length > 0) {
      const first = fields.find((f) => local[f.id]);
      if (first) document.getElementById(`${base}-${first.id}`)?.focus();
      return;
    }
    setBusy(true);
    try {
      await onSubmit(
        formBody(
          fields.filter((f) => !off.has(f.id)),
          values,
        ),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={(e) => void submit(e)} aria-label="Inputs" className="inputs-form" noValidate>
      {fields.length === 0 ? <p className="muted">This flow has no inputs.</p> : null}
      {fields.map((field) => {
        const id = `${base}-${field.id}`;
        const error = shown(field);
        return (
          <fieldset
            key={field.id}
            className={error ? "field invalid" : "field"}
            data-field={field.id}
            disabled={off.has(field.id)}
          >
            <label htmlFor={id}>
              <span>
                <span className="field-label">{field.label}</span>
                {field.required ? (
                  <span className="required-mark" aria-label="required">
                    *
                  </span>
                ) : null}
                <span className="field-type">{field.type}</span>
              </span>
            </label>
            {field.description ? <p className="field-description">{field.description}</p> : null}
            <Control
              field={field}
              id={id}
              value={values[field.id]}
              onChange={(v) => {
                setValues((old) => ({ ...old, [field.id]: v }));
                setTouched((old) => ({ ...old, [field.id]: true }));
              }}
            />
            <div id={`${id}-help`}>
              {field.serverDefault ? (
                <p className="field-description">
                  Default: <code>{field.serverDefault}</code>
                </p>
              ) : null}
              {off.has(field.id) ? (
                <p className="field-description">
                  Used once {field.dependsOn?.length ? field.dependsOn.join(", ") : "the inputs it depends on"}{" "}
                  {field.dependsOn && field.dependsOn.length > 1 ? "are" : "is"} set as needed.
                </p>
              ) : null}
              {error ? (
                <p className="field-error" role="alert">
                  {error}
                </p>
              ) : null}
            </div>
          </fieldset>
        );
      })}
      {children}
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy}>
          {submitLabel}
        </button>
        {onCancel ? (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        ) : null}
      </div>
    </form>
  );
}
