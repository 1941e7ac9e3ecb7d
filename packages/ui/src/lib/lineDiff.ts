/**
 * A line diff (Myers' O((N+M)·D) algorithm, after trimming the common head and tail) and its
 * side-by-side rows, for comparing two revisions of a flow.
 */

export type DiffOp =
  | { kind: "equal"; a: number; b: number; text: string }
  | { kind: "delete"; a: number; text: string }
  | { kind: "insert"; b: number; text: string };

export function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** The operations turning `a` into `b`, in order (indexes from 0). */
export function diffLines(a: readonly string[], b: readonly string[]): DiffOp[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const ops: DiffOp[] = [];
  for (let i = 0; i < head; i++) ops.push({ kind: "equal", a: i, b: i, text: a[i]! });
  ops.push(...myers(a, b, head, a.length - tail, head, b.length - tail));
  for (let k = tail; k > 0; k--) {
    const i = a.length - k;
    const j = b.length - k;
    ops.push({ kind: "equal", a: i, b: j, text: a[i]! });
  }
  return ops;
}

/** Myers' greedy shortest edit script of a[a0..a1) → b[b0..b1), traced back from the saved frontiers. */
function myers(a: readonly string[], b: readonly string[], a0: number, a1: number, b0: number, b1: number): DiffOp[] {
  const n = a1 - a0;
  const m = b1 - b0;
  if (n === 0) return Array.from({ length: m }, (_, j) => ({ kind: "insert", b: b0 + j, text: b[b0 + j]! }));
  if (m === 0) return Array.from({ length: n }, (_, i) => ({ kind: "delete", a: a0 + i, text: a[a0 + i]! }));
  const max = n + m;
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  // trace[d]: the furthest x on each diagonal k before step d (each step reads only the diagonals
  // of the other parity, so updating in place is safe)
  const trace: Int32Array[] = [];
  outer: for (let d = 0; d <= max; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x =
        k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[a0 + x] === b[b0 + y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) break outer;
    }
  }
  const ops: DiffOp[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0; d--) {
    const before = trace[d]!;
    const k = x - y;
    const prevK = k === -d || (k !== d && before[offset + k - 1]! < before[offset + k + 1]!) ? k + 1 : k - 1;
    const prevX = before[offset + prevK]!;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      x--;
      y--;
      ops.push({ kind: "equal", a: a0 + x, b: b0 + y, text: a[a0 + x]! });
    }
    if (d === 0) break;
    if (x === prevX) ops.push({ kind: "insert", b: b0 + prevY, text: b[b0 + prevY]! });
    else ops.push({ kind: "delete", a: a0 + prevX, text: a[a0 + prevX]! });
    x = prevX;
    y = prevY;
  }
  return ops.reverse();
}

export interface SideCell {
  /** The line number, from 1. */
  line: number;
  text: string;
}

export interface SideRow {
  kind: "equal" | "change" | "delete" | "insert";
  left?: SideCell;
  right?: SideCell;
}

/** Side-by-side rows: deletions and insertions next to each other are paired as changed lines. */
export function sideBySide(ops: readonly DiffOp[]): SideRow[] {
  const rows: SideRow[] = [];
  let i = 0;
  while (i < ops.length) {
    const op = ops[i]!;
    if (op.kind === "equal") {
      rows.push({ kind: "equal", left: { line: op.a + 1, text: op.text }, right: { line: op.b + 1, text: op.text } });
      i++;
      continue;
    }
    const deletes: SideCell[] = [];
    const inserts: SideCell[] = [];
    while (i < ops.length && ops[i]!.kind !== "equal") {
      const o = ops[i]!;
      if (o.kind === "delete") deletes.push({ line: o.a + 1, text: o.text });
      else if (o.kind === "insert") inserts.push({ line: o.b + 1, text: o.text });
      i++;
    }
    for (let k = 0; k < Math.max(deletes.length, inserts.length); k++) {
      const left = deletes[k];
      const right = inserts[k];
      rows.push({
        kind: left && right ? "change" : left ? "delete" : "insert",
        ...(left ? { left } : {}),
        ...(right ? { right } : {}),
      });
    }
  }
  return rows;
}

/** Counts of added and removed lines. */
export function diffStats(ops: readonly DiffOp[]): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const op of ops) {
    if (op.kind === "insert") added++;
    else if (op.kind === "delete") removed++;
  }
  return { added, removed };
}
