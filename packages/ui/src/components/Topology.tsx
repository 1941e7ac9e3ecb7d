/**
 * The topology of a flow (`POST /flows/graph`, `GET /flows/{ns}/{id}/graph`) or of an execution
 * (`GET /executions/{id}/graph`) with each task's live state.
 * Contract used by the flow page, the editor's side panel and the execution page.
 *
 * Drawn as positioned boxes (tasks and triggers, clickable) over an SVG of the clusters and edges,
 * laid out by lib/graphLayout.ts; the view scrolls and pans (drag) for big flows, and zooms.
 */
import { useLayoutEffect, useMemo, useRef, useState, type PointerEvent } from "react";
import type { FlowGraph, StateType } from "../api/types.ts";
import { layoutFlowGraph, type Direction, type Point } from "../lib/graphLayout.ts";
import { StateBadge } from "./StateBadge.tsx";
import "../styles/flows.css";

export interface TopologyProps {
  graph: FlowGraph;
  /** The state of each task id (execution topology). */
  states?: Readonly<Record<string, StateType>>;
  onTaskClick?(taskId: string): void;
  /** A task id to highlight (the one whose details are shown beside). */
  selected?: string;
}

type GraphNode = FlowGraph["nodes"][number] & { triggerDeclaration?: { id: string; type: string } };

const isDot = (type: string) => type.endsWith("GraphClusterRoot") || type.endsWith("GraphClusterEnd");
const shortType = (type: string) => type.slice(type.lastIndexOf(".") + 1);

/** The title of a cluster: the flowable task's id, or the last part of its uid (`Triggers`). */
function clusterTitle(c: FlowGraph["clusters"][number]): { title: string; type?: string } {
  const task = c.cluster.taskNode?.task as { id: string; type?: string } | undefined;
  if (task) return { title: task.id, ...(task.type ? { type: task.type } : {}) };
  const uid = c.cluster.uid.replace(/^cluster_/, "");
  return { title: uid.slice(uid.lastIndexOf(".") + 1) };
}

/** A smooth path through the points: an S-curve between each two, leaving and arriving along the flow. */
function edgePath(points: readonly Point[], direction: Direction): string {
  let d = `M${points[0]!.x},${points[0]!.y}`;
  for (let i = 1; i < points.length; i++) {
    const s = points[i - 1]!;
    const t = points[i]!;
    d +=
      direction === "TB"
        ? ` C${s.x},${(s.y + t.y) / 2} ${t.x},${(s.y + t.y) / 2} ${t.x},${t.y}`
        : ` C${(s.x + t.x) / 2},${s.y} ${(s.x + t.x) / 2},${t.y} ${t.x},${t.y}`;
  }
  return d;
}

export function Topology({ graph, states, onTaskClick, selected }: TopologyProps) {
  const [direction, setDirection] = useState<Direction>("TB");
  const [zoom, setZoom] = useState(1);
  const layout = useMemo(() => layoutFlowGraph(graph, direction), [graph, direction]);
  const view = useRef<HTMLDivElement>(null);
  const drag = useRef<{ x: number; y: number; left: number; top: number; moved: boolean } | undefined>(undefined);
  const margin = 16;
  // a graph bigger than the view starts zoomed out to fit it (down to 60%; scroll for the rest)
  const fit = () => {
    const v = view.current;
    if (!v || v.clientWidth === 0) return 1;
    const scale = Math.min(
      1,
      (v.clientWidth - 4) / (layout.width + 2 * margin),
      (v.clientHeight - 4) / (layout.height + 2 * margin),
    );
    return Math.max(0.6, Math.round(scale * 100) / 100);
  };
  useLayoutEffect(() => setZoom(fit()), [layout]);
  const width = (layout.width + 2 * margin) * zoom;
  const height = (layout.height + 2 * margin) * zoom;

  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    if (e.button !== 0 || !view.current) return;
    drag.current = {
      x: e.clientX,
      y: e.clientY,
      left: view.current.scrollLeft,
      top: view.current.scrollTop,
      moved: false,
    };
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    const d = drag.current;
    if (!d || !view.current) return;
    const dx = e.clientX - d.x;
    const dy = e.clientY - d.y;
    if (!d.moved && Math.abs(dx) + Math.abs(dy) < 4) return;
    d.moved = true;
    view.current.scrollLeft = d.left - dx;
    view.current.scrollTop = d.top - dy;
  };
  const endDrag = () => {
    // a click right after a drag is not a task click
    setTimeout(() => (drag.current = undefined), 0);
  };

  const byUid = useMemo(() => new Map(graph.nodes.map((n) => [n.uid, n])), [graph]);
  const clusterInfo = new Map(graph.clusters.map((c) => [c.cluster.uid, clusterTitle(c)]));
  return (
    <div className="topology-frame">
      <div className="topology-tools">
        <button
          type="button"
          onClick={() => setDirection((d) => (d === "TB" ? "LR" : "TB"))}
          title="Switch the layout direction"
        >
          {direction === "TB" ? "Left to right" : "Top to bottom"}
        </button>
        <button type="button" onClick={() => setZoom((z) => Math.max(0.3, z / 1.2))} aria-label="Zoom out">
          −
        </button>
        <button type="button" onClick={() => setZoom(1)} aria-label="Reset zoom" title="Actual size">
          {Math.round(zoom * 100)}%
        </button>
        <button type="button" onClick={() => setZoom(fit())}>
          Fit
        </button>
        <button type="button" onClick={() => setZoom((z) => Math.min(2.5, z * 1.2))} aria-label="Zoom in">
          +
        </button>
      </div>
      <div
        ref={view}
        className="topology-view"
        aria-label="Topology"
        role="group"
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={endDrag}
        onPointerLeave={endDrag}
      >
        <div
          className="topology-canvas"
          style={{ width, height }}
          data-direction={direction}
          data-width={Math.round(layout.width)}
          data-height={Math.round(layout.height)}
        >
          <div
            className="topology-scaled"
            style={{
              transform: `scale(${zoom})`,
              width: layout.width + 2 * margin,
              height: layout.height + 2 * margin,
            }}
          >
            <svg width={layout.width + 2 * margin} height={layout.height + 2 * margin} aria-hidden="true">
              <defs>
                <marker
                  id="topology-arrow"
                  viewBox="0 0 8 8"
                  refX="7"
                  refY="4"
                  markerWidth="7"
                  markerHeight="7"
                  orient="auto"
                >
                  <path d="M0,0 L8,4 L0,8 z" className="topology-arrow" />
                </marker>
              </defs>
              <g transform={`translate(${margin},${margin})`}>
                {[...layout.clusters.entries()].map(([uid, box]) => (
                  <rect
                    key={uid}
                    className="topology-cluster"
                    x={box.x}
                    y={box.y}
                    width={box.width}
                    height={box.height}
                    rx={8}
                  />
                ))}
                {layout.edges.map((e, i) => {
                  const path = edgePath(e.points, direction);
                  const target = byUid.get(e.target);
                  const error = (target as { branchType?: string } | undefined)?.branchType === "ERROR";
                  return (
                    <path
                      key={i}
                      d={path}
                      className={error ? "topology-edge error-edge" : "topology-edge"}
                      markerEnd={isDot(target?.type ?? "") ? undefined : "url(#topology-arrow)"}
                    />
                  );
                })}
              </g>
            </svg>
            {[...layout.clusters.entries()].map(([uid, box]) => {
              const info = clusterInfo.get(uid);
              return (
                <div
                  key={uid}
                  className="topology-cluster-title"
                  style={{ left: box.x + margin + 8, top: box.y + margin + 4, maxWidth: box.width - 16 }}
                  data-cluster={uid}
                  title={info?.type}
                >
                  {info?.title}
                  {info?.type ? <span className="muted"> {shortType(info.type)}</span> : null}
                </div>
              );
            })}
            {(graph.nodes as GraphNode[]).map((n) => {
              const box = layout.nodes.get(n.uid);
              if (!box) return null;
              const style = { left: box.x + margin, top: box.y + margin, width: box.width, height: box.height };
              if (isDot(n.type))
                return (
                  <span
                    key={n.uid}
                    className={n.type.endsWith("End") ? "topology-dot end" : "topology-dot"}
                    style={style}
                  />
                );
              const item = n.task ?? n.triggerDeclaration ?? n.trigger;
              const trigger = !n.task;
              const id = item?.id ?? (n.trigger as { triggerId?: string } | undefined)?.triggerId ?? n.uid;
              const type = item?.type ?? "";
              const state = n.task ? states?.[n.task.id] : undefined;
              return (
                <button
                  type="button"
                  key={n.uid}
                  className={`topology-node${trigger ? " trigger" : ""}${state ? ` state-border-${state.toLowerCase()}` : ""}${n.task && n.task.id === selected ? " selected" : ""}`}
                  aria-pressed={n.task ? n.task.id === selected : undefined}
                  style={style}
                  data-uid={n.uid}
                  {...(n.task ? { "data-task-id": n.task.id } : { "data-trigger-id": id })}
                  title={type}
                  onClick={() => {
                    if (drag.current?.moved) return;
                    if (n.task) onTaskClick?.(n.task.id);
                  }}
                >
                  <strong>{id}</strong>
                  <span className="topology-type">
                    {trigger ? "trigger · " : ""}
                    {shortType(type)}
                  </span>
                  {state ? <StateBadge state={state} /> : null}
                </button>
              );
            })}
          </div>
        </div>
      </div>
    </div>
  );
}
