/**
 * Previous / Next over a paged list, "Page n of m" (and a summary: what it counts), and the page
 * size when `sizes` are given. Without sizes it shows nothing when one page holds it all.
 */
import type { ReactNode } from "react";

export function Pager({
  page,
  size,
  total,
  onPage,
  summary,
  sizes,
  onSize,
}: {
  /** From 1. */
  page: number;
  size: number;
  total: number;
  onPage(page: number): void;
  /** After "Page n of m · ". */
  summary?: ReactNode;
  sizes?: readonly number[];
  onSize?(size: number): void;
}) {
  if (!sizes && total <= size) return null;
  const pages = Math.max(1, Math.ceil(total / size));
  return (
    <div className="pager">
      <button type="button" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        Previous
      </button>
      <span>
        Page {page} of {pages}
        {summary !== undefined ? <> · {summary}</> : null}
      </span>
      <button type="button" disabled={page >= pages} onClick={() => onPage(page + 1)}>
        Next
      </button>
      {sizes ? (
        <select aria-label="Page size" value={size} onChange={(e) => onSize?.(Number(e.target.value))}>
          {sizes.map((n) => (
            <option key={n} value={n}>
              {n} / page
            </option>
          ))}
        </select>
      ) : null}
    </div>
  );
}
