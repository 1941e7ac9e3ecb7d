/**
 * A modal dialog over a backdrop: focus goes into it on open (its `autoFocus` element, else its
 * first field or button) and back where it was on close; Escape and a click on the backdrop
 * close it. `ConfirmDialog` asks to confirm an action (delete, kill, restore).
 */
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from "react";

const FOCUSABLE = "input, select, textarea, button, [href], [tabindex]:not([tabindex='-1'])";

/** Focus into `ref`'s element while mounted, Escape calls `onClose`; focus returns on unmount. */
export function useDialogFocus(ref: React.RefObject<HTMLElement | null>, onClose: () => void): void {
  const close = useRef(onClose);
  close.current = onClose;
  // read while rendering: an `autoFocus` element inside takes the focus before effects run
  const [before] = useState(() => document.activeElement as HTMLElement | null);
  useEffect(() => {
    const element = ref.current;
    if (element && !element.contains(document.activeElement)) {
      const target =
        element.querySelector<HTMLElement>("[autofocus], [data-autofocus]") ??
        element.querySelector<HTMLElement>(FOCUSABLE) ??
        element;
      target.focus();
    }
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape" && !e.defaultPrevented) {
        e.preventDefault();
        close.current();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => {
      window.removeEventListener("keydown", onKey);
      if (before && document.contains(before)) before.focus();
    };
  }, []);
}

export function Dialog({
  label,
  onClose,
  onSubmit,
  className,
  children,
}: {
  /** Its accessible name. */
  label: string;
  onClose(): void;
  /** Given: the dialog is a form, submitted by its submit button or Enter. */
  onSubmit?(event: FormEvent): void;
  className?: string;
  children: ReactNode;
}) {
  const ref = useRef<HTMLElement>(null);
  useDialogFocus(ref, onClose);
  const props = {
    className: className ? `dialog ${className}` : "dialog",
    role: "dialog",
    "aria-modal": true,
    "aria-label": label,
    tabIndex: -1,
    onClick: (e: React.MouseEvent) => e.stopPropagation(),
  } as const;
  return (
    <div className="dialog-backdrop" onClick={onClose}>
      {onSubmit ? (
        <form ref={ref as React.RefObject<HTMLFormElement>} {...props} onSubmit={onSubmit}>
          {children}
        </form>
      ) : (
        <div ref={ref as React.RefObject<HTMLDivElement>} {...props}>
          {children}
        </div>
      )}
    </div>
  );
}

export function ConfirmDialog({
  title,
  confirm,
  danger,
  onConfirm,
  onCancel,
  children,
}: {
  title: string;
  /** The confirm button's label. */
  confirm: string;
  danger?: boolean;
  onConfirm(): void;
  onCancel(): void;
  children?: ReactNode;
}) {
  return (
    <Dialog label={title} onClose={onCancel}>
      <h2>{title}</h2>
      {children}
      <p className="dialog-buttons">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="button" className={danger ? "danger" : "primary"} onClick={onConfirm} autoFocus>
          {confirm}
        </button>
      </p>
    </Dialog>
  );
}
