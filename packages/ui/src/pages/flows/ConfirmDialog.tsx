/** A modal asking to confirm an action (delete, restore): Escape or Cancel closes it. */
import { useEffect, type ReactNode } from "react";

export function ConfirmDialog({
  title,
  confirm,
  danger,
  onConfirm,
  onCancel,
  children,
}: {
  title: string;
  confirm: string;
  danger?: boolean;
  onConfirm(): void;
  onCancel(): void;
  children?: ReactNode;
}) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") onCancel();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onCancel]);
  return (
    <div className="dialog-backdrop" onClick={onCancel}>
      <div className="dialog" role="dialog" aria-modal="true" aria-label={title} onClick={(e) => e.stopPropagation()}>
        <h2>{title}</h2>
        {children}
        <p>
          <button type="button" className={danger ? "danger" : "primary"} onClick={onConfirm} autoFocus>
            {confirm}
          </button>{" "}
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        </p>
      </div>
    </div>
  );
}
