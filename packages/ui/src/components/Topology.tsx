/**
 * The topology of a flow (`POST /flows/graph`, `GET /flows/{ns}/{id}/graph`) or of an execution
 * (`GET /executions/{id}/graph`) with each task's live state.
 * Contract used by the flow page, the editor's side panel and the execution page.
 */
import type { FlowGraph, StateType } from "../api/types.ts";
import { StateBadge } from "./StateBadge.tsx";

export interface TopologyProps {
  graph: FlowGraph;
  /** The state of each task id (execution topology). */
  states?: Readonly<Record<string, StateType>>;
  onTaskClick?(taskId: string): void;
}

export function Topology({ graph, states, onTaskClick }: TopologyProps) {
  const tasks = graph.nodes.filter((n) => n.task);
  return (
    <ol className="topology" aria-label="Topology">
      {tasks.map((n) => (
        <li key={n.uid} data-task-id={n.task!.id} onClick={() => onTaskClick?.(n.task!.id)}>
          <strong>{n.task!.id}</strong> <span className="muted">{n.task!.type}</span>{" "}
          {states?.[n.task!.id] ? <StateBadge state={states[n.task!.id]} /> : null}
        </li>
      ))}
    </ol>
  );
}
