/**
 * The Revisions tab: every revision of the flow, a side-by-side diff of any two, and Restore (the
 * old source saved as a new revision).
 */
import { useMemo, useState } from "react";
import { api } from "../../api/client.ts";
import type { Flow } from "../../api/types.ts";
import { useApi } from "../../api/useApi.ts";
import { ErrorView } from "../../components/ErrorView.tsx";
import { diffLines, diffStats, sideBySide, splitLines } from "../../lib/lineDiff.ts";
import { pathOf, setQuery, useLocation } from "../../router.tsx";
import { ConfirmDialog } from "../../components/Dialog.tsx";

export function Revisions({ flow, onRestored }: { flow: Flow; onRestored(): void }) {
  const revisions = useApi(
    (signal) => api.get<Flow[]>(pathOf("flows", flow.namespace, flow.id, "revisions"), { signal }),
    [flow.namespace, flow.id, flow.revision],
  );
  const location = useLocation();
  const [restoring, setRestoring] = useState<Flow>();
  const [notice, setNotice] = useState<{ text: string; error?: boolean }>();
  const list = useMemo(() => [...(revisions.data ?? [])].sort((a, b) => b.revision - a.revision), [revisions.data]);
  const latest = list[0]?.revision ?? flow.revision;
  // the two revisions compared are kept in the URL (?left=2&right=5)
  const pick = (name: string, fallback: number) => {
    const n = Number(location.query.get(name));
    return list.some((r) => r.revision === n) ? n : fallback;
  };
  const right = pick("right", latest);
  const left = pick("left", list.find((r) => r.revision < right)?.revision ?? right);
  const choose = (name: "left" | "right", revision: number) => {
    const q = new URLSearchParams(location.query);
    q.set(name, String(revision));
    setQuery(q);
  };
  const leftFlow = list.find((r) => r.revision === left);
  const rightFlow = list.find((r) => r.revision === right);
  const ops = useMemo(
    () => diffLines(splitLines(leftFlow?.source ?? ""), splitLines(rightFlow?.source ?? "")),
    [leftFlow, rightFlow],
  );
  const rows = useMemo(() => sideBySide(ops), [ops]);
  const stats = diffStats(ops);

  const restore = async (revision: Flow) => {
    setRestoring(undefined);
    setNotice(undefined);
    try {
      const saved = await api.put<Flow>(pathOf("flows", flow.namespace, flow.id), revision.source ?? "", {
        contentType: "application/x-yaml",
      });
      setNotice({ text: `Revision ${revision.revision} restored as revision ${saved.revision}` });
      onRestored();
    } catch (e) {
      setNotice({ text: `Restore failed: ${(e as Error).message}`, error: true });
    }
  };

  if (revisions.error) return <ErrorView error={revisions.error} onRetry={revisions.reload} />;
  if (!revisions.data) return <p className="loading">Loading…</p>;
  return (
    <div className="revisions">
      <section>
        <ul className="revision-list" aria-label="Revisions">
          {list.map((r) => (
            <li key={r.revision} className={r.revision === latest ? "current" : undefined} data-revision={r.revision}>
              <span className="grow">
                Revision {r.revision}
                {r.revision === latest ? <span className="muted"> (current)</span> : null}
                {r.deleted ? <span className="label-chip">deleted</span> : null}
              </span>
              <button
                type="button"
                onClick={() => setRestoring(r)}
                disabled={r.revision === latest || r.deleted}
                aria-label={`Restore revision ${r.revision}`}
              >
                Restore
              </button>
            </li>
          ))}
        </ul>
      </section>
      <section>
        {notice ? (
          <p className={notice.error ? "notice error" : "notice"} role="status">
            {notice.text}
          </p>
        ) : null}
        <div className="toolbar">
          <RevisionSelect label="From" side="left" value={left} revisions={list} onChoose={choose} />
          <RevisionSelect label="to" side="right" value={right} revisions={list} onChoose={choose} />
          <span className="muted" aria-label="Diff summary">
            <span className="error">−{stats.removed}</span>{" "}
            <span style={{ color: "var(--state-success)" }}>+{stats.added}</span>
          </span>
        </div>
        {left === right ? <p className="muted">The same revision on both sides: pick another one to compare.</p> : null}
        <table className="diff" aria-label={`Diff of revisions ${left} and ${right}`}>
          <colgroup>
            <col style={{ width: 44 }} />
            <col />
            <col style={{ width: 44 }} />
            <col />
          </colgroup>
          <thead>
            <tr>
              <th colSpan={2}>Revision {left}</th>
              <th colSpan={2}>Revision {right}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row, i) => {
              const leftClass = row.kind === "equal" ? "" : row.left ? "del" : "empty";
              const rightClass = row.kind === "equal" ? "" : row.right ? "ins" : "empty";
              return (
                <tr key={i} data-kind={row.kind}>
                  <td className="num">{row.left?.line}</td>
                  <td className={leftClass}>{row.left?.text}</td>
                  <td className="num">{row.right?.line}</td>
                  <td className={rightClass}>{row.right?.text}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>
      {restoring ? (
        <ConfirmDialog
          title={`Restore revision ${restoring.revision}?`}
          confirm="Restore"
          onConfirm={() => void restore(restoring)}
          onCancel={() => setRestoring(undefined)}
        >
          <p>Its source is saved as a new revision (revision {latest} stays in the history).</p>
        </ConfirmDialog>
      ) : null}
    </div>
  );
}

/** One side of the diff: a revision picker. */
function RevisionSelect({
  label,
  side,
  value,
  revisions,
  onChoose,
}: {
  label: string;
  side: "left" | "right";
  value: number;
  revisions: readonly { revision: number }[];
  onChoose(side: "left" | "right", revision: number): void;
}) {
  return (
    <label className="inline">
      {label}{" "}
      <select
        aria-label={`${side === "left" ? "From" : "To"} revision`}
        value={value}
        onChange={(e) => onChoose(side, Number(e.target.value))}
      >
        {revisions.map((r) => (
          <option key={r.revision} value={r.revision}>
            Revision {r.revision}
          </option>
        ))}
      </select>
    </label>
  );
}
