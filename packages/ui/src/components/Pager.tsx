/** Previous / Next over a paged list, with "Page n of m"; nothing when one page holds it all. */
export function Pager({
  page,
  size,
  total,
  onPage,
}: {
  /** From 1. */
  page: number;
  size: number;
  total: number;
  onPage(page: number): void;
}) {
  if (total <= size) return null;
  return (
    <div className="toolbar">
      <button type="button" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        Previous
      </button>
      <span className="muted">
        Page {page} of {Math.ceil(total / size)}
      </span>
      <button type="button" disabled={page * size >= total} onClick={() => onPage(page + 1)}>
        Next
      </button>
    </div>
  );
}
