/** The live topology of the flow being edited (`POST /flows/graph`), kept while the YAML has problems. */
import { useEffect, useState } from "react";
import type { FlowGraph } from "../../api/types.ts";
import { Topology } from "../Topology.tsx";
import { flowGraph } from "./editorApi.ts";

export function TopologyPanel({ source, onTaskClick }: { source: string; onTaskClick(taskId: string): void }) {
  const [graph, setGraph] = useState<FlowGraph>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    const controller = new AbortController();
    flowGraph(source, controller.signal).then(
      (g) => {
        setGraph(g);
        setError(undefined);
      },
      (e: Error) => {
        if (!controller.signal.aborted) setError(e.message);
      },
    );
    return () => controller.abort();
  }, [source]);
  return (
    <div className="editor-topology">
      <h3>Topology</h3>
      {error ? (
        <p className="muted" role="status">
          {graph ? "The last valid topology; the flow has problems now." : `No topology: ${error.split("\n")[0]}`}
        </p>
      ) : null}
      {graph ? <Topology graph={graph} onTaskClick={onTaskClick} /> : error ? null : <p className="muted">Loading…</p>}
    </div>
  );
}
