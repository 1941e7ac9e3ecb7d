/**
 * Line counts of one file's change as Kestra's push tasks report them: each edited region adds
 * to `additions` (more lines after), `deletions` (fewer lines) or `changes` (as many lines).
 */

export interface LineCounts {
  additions: number;
  deletions: number;
  changes: number;
}

/** Beyond this many line pairs, the changed middle counts as one region (no quadratic diff). */
const MAX_CELLS = 4_000_000;

const linesOf = (content: Buffer): string[] => {
  if (content.length === 0) return [];
  const lines = content.toString("utf8").split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
};

export function lineCounts(before: Buffer, after: Buffer): LineCounts {
  const a = linesOf(before);
  const b = linesOf(after);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const regions = editRegions(a.slice(start, endA), b.slice(start, endB));
  const counts = { additions: 0, deletions: 0, changes: 0 };
  for (const [lengthA, lengthB] of regions) {
    const delta = lengthB - lengthA;
    if (delta > 0) counts.additions += delta;
    else if (delta < 0) counts.deletions -= delta;
    else counts.changes += lengthB;
  }
  return counts;
}

/** The edited regions between two line lists, as (lines before, lines after) pairs, from an LCS. */
function editRegions(a: string[], b: string[]): Array<[number, number]> {
  if (a.length === 0 && b.length === 0) return [];
  if (a.length === 0 || b.length === 0 || a.length * b.length > MAX_CELLS) return [[a.length, b.length]];
  const width = b.length + 1;
  const lcs = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--)
      lcs[i * width + j] =
        a[i] === b[j]
          ? lcs[(i + 1) * width + j + 1]! + 1
          : Math.max(lcs[(i + 1) * width + j]!, lcs[i * width + j + 1]!);
  const regions: Array<[number, number]> = [];
  let i = 0;
  let j = 0;
  let open: [number, number] | undefined;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      if (open) regions.push(open);
      open = undefined;
      i++;
      j++;
    } else {
      open ??= [0, 0];
      if (j < b.length && (i === a.length || lcs[i * width + j + 1]! >= lcs[(i + 1) * width + j]!)) {
        open[1]++;
        j++;
      } else {
        open[0]++;
        i++;
      }
    }
  }
  if (open) regions.push(open);
  return regions;
}
