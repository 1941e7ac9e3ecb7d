/** The dashboard's numbers: stacked bars from the daily stats, totals per state, duration percentiles per flow. */

export interface DailyStat {
  startDate: string;
  executionCounts: Record<string, number>;
  duration?: { avg?: string; max?: string; count?: number };
  groupBy: string;
}

/** The states stacked, bottom first; others are summed as OTHER. */
export const STACKED_STATES = ["SUCCESS", "WARNING", "FAILED", "KILLED", "RUNNING", "PAUSED", "CREATED", "QUEUED"];

export interface BarSegment {
  state: string;
  count: number;
  /** From the bottom, in counts. */
  from: number;
}

export interface Bar {
  startDate: string;
  total: number;
  segments: BarSegment[];
}

/** Each bucket as a bar of stacked segments (states with no execution left out). */
export function stackBars(stats: readonly DailyStat[]): Bar[] {
  return stats.map((s) => {
    const segments: BarSegment[] = [];
    let from = 0;
    const counts = { ...s.executionCounts };
    let other = 0;
    for (const [state, n] of Object.entries(counts)) if (!STACKED_STATES.includes(state)) other += n;
    for (const state of [...STACKED_STATES, "OTHER"]) {
      const count = state === "OTHER" ? other : (counts[state] ?? 0);
      if (count <= 0) continue;
      segments.push({ state, count, from });
      from += count;
    }
    return { startDate: s.startDate, total: from, segments };
  });
}

/** Executions per state over all buckets, biggest first. */
export function totalsByState(stats: readonly DailyStat[]): { state: string; count: number }[] {
  const totals = new Map<string, number>();
  for (const s of stats)
    for (const [state, n] of Object.entries(s.executionCounts)) totals.set(state, (totals.get(state) ?? 0) + n);
  return [...totals]
    .filter(([, n]) => n > 0)
    .map(([state, count]) => ({ state, count }))
    .sort((a, b) => b.count - a.count || a.state.localeCompare(b.state));
}

/** A round axis maximum (1, 2, 5 × 10^n) at or above `max`, and its ticks. */
export function niceScale(max: number, ticks = 4): { max: number; ticks: number[] } {
  if (max <= 0) return { max: 1, ticks: [0, 1] };
  const rough = max / ticks;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough)!;
  const step1 = Math.max(1, step);
  const top = Math.ceil(max / step1) * step1;
  const list: number[] = [];
  for (let v = 0; v <= top + 1e-9; v += step1) list.push(v);
  return { max: top, ticks: list };
}

/** The `p`-th percentile (0–100) of sorted numbers, by nearest rank. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export interface FlowDurations {
  namespace: string;
  flowId: string;
  count: number;
  medianMs: number;
  p95Ms: number;
  maxMs: number;
}

/** Median, p95 and max duration per flow, from ended executions; slowest (p95) first. */
export function durationsByFlow(
  executions: readonly { namespace: string; flowId: string; durationMs: number }[],
): FlowDurations[] {
  const byFlow = new Map<string, number[]>();
  for (const x of executions) {
    if (!Number.isFinite(x.durationMs)) continue;
    const key = `${x.namespace}\u0000${x.flowId}`;
    byFlow.set(key, [...(byFlow.get(key) ?? []), x.durationMs]);
  }
  return [...byFlow]
    .map(([key, values]) => {
      const [namespace = "", flowId = ""] = key.split("\u0000");
      const sorted = [...values].sort((a, b) => a - b);
      return {
        namespace,
        flowId,
        count: sorted.length,
        medianMs: percentile(sorted, 50),
        p95Ms: percentile(sorted, 95),
        maxMs: sorted[sorted.length - 1]!,
      };
    })
    .sort((a, b) => b.p95Ms - a.p95Ms || a.flowId.localeCompare(b.flowId));
}

/** The dashboard's period from the URL: a preset (`P7D`) or custom dates; end defaults to now. */
export function periodOf(
  query: URLSearchParams,
  now = Date.now(),
): { range: string; startDate: string; endDate: string } {
  const start = query.get("start");
  const end = query.get("end");
  if (start) {
    const s = Date.parse(start);
    const e = end ? Date.parse(end) : now;
    if (Number.isFinite(s) && Number.isFinite(e) && s < e)
      return { range: "custom", startDate: new Date(s).toISOString(), endDate: new Date(e).toISOString() };
  }
  const range = query.get("range") ?? "P7D";
  const ms = RANGES.find((r) => r.value === range)?.ms ?? RANGES[2]!.ms;
  return { range, startDate: new Date(now - ms).toISOString(), endDate: new Date(now).toISOString() };
}

export const RANGES = [
  { value: "PT6H", label: "Last 6 hours", ms: 6 * 3_600_000 },
  { value: "PT24H", label: "Last 24 hours", ms: 24 * 3_600_000 },
  { value: "P7D", label: "Last 7 days", ms: 7 * 86_400_000 },
  { value: "P30D", label: "Last 30 days", ms: 30 * 86_400_000 },
  { value: "P90D", label: "Last 90 days", ms: 90 * 86_400_000 },
];
