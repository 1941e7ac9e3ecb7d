/**
 * The Outputs tab: each task run's outputs as a tree (expand and collapse), files of internal
 * storage (`kestra:///…`) with a preview and a download, and a Debug expression box that renders
 * an expression in a task run's context.
 */
import { useMemo, useState } from "react";
import { api, download } from "../../api/client.ts";
import type { Execution, TaskRun } from "../../api/types.ts";
import { isStorageUri, leafText, outputRows } from "../../lib/executionView.ts";
import { pathOf } from "../../router.tsx";

interface Preview {
  extension: string;
  type: "TEXT" | "MARKDOWN" | "LIST";
  content: unknown;
  truncated?: boolean;
}

function runLabel(t: TaskRun): string {
  return t.taskId + (t.value !== undefined && t.value !== null ? ` [${t.value}]` : "");
}

export function Outputs({ execution }: { execution: Execution }) {
  const runs = useMemo(
    () => (execution.taskRunList ?? []).filter((t) => t.outputs && Object.keys(t.outputs).length > 0),
    [execution.taskRunList],
  );
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => new Set(runs.slice(0, 20).map((r) => r.id)));
  const [file, setFile] = useState<string>();
  const [preview, setPreview] = useState<{ uri: string; data?: Preview; error?: string }>();
  const [evalRun, setEvalRun] = useState<string>(runs[0]?.id ?? execution.taskRunList?.[0]?.id ?? "");
  const [expression, setExpression] = useState("");
  const [evalResult, setEvalResult] = useState<{ result?: string; error?: string }>();

  const toggle = (path: string) =>
    setExpanded((s) => {
      const n = new Set(s);
      if (n.has(path)) n.delete(path);
      else n.add(path);
      return n;
    });
  const rows = useMemo(() => runs.flatMap((r) => outputRows(r.outputs, expanded, r.id, runLabel(r))), [runs, expanded]);
  const showPreview = async (uri: string) => {
    setFile(uri);
    setPreview({ uri });
    try {
      const data = await api.get<Preview>(pathOf("executions", execution.id, "file", "preview"), {
        query: { path: uri, maxRows: 100 },
      });
      setPreview({ uri, data });
    } catch (error) {
      setPreview({ uri, error: (error as Error).message });
    }
  };
  const evaluate = async () => {
    try {
      const answer = await api.post<{ result?: string; error?: string }>(
        pathOf("executions", execution.id, "eval", evalRun),
        expression,
        { contentType: "text/plain" },
      );
      setEvalResult(answer);
    } catch (error) {
      setEvalResult({ error: (error as Error).message });
    }
  };

  return (
    <div className="outputs-layout">
      <div>
        <div className="toolbar">
          <button type="button" onClick={() => setExpanded(new Set(runs.map((r) => r.id)))}>
            Expand task runs
          </button>
          <button type="button" onClick={() => setExpanded(new Set())}>
            Collapse all
          </button>
        </div>
        <div className="output-tree" role="tree" aria-label="Outputs">
          {runs.length === 0 ? (
            <p className="muted" style={{ padding: "4px 8px" }}>
              No task run has outputs.
            </p>
          ) : null}
          {rows.map((row) => (
            <div
              key={row.path}
              className="output-row"
              role="treeitem"
              aria-expanded={row.size !== undefined ? row.expanded : undefined}
              aria-level={row.depth + 1}
              style={{ paddingLeft: 8 + row.depth * 16 }}
            >
              {row.size !== undefined ? (
                <button
                  type="button"
                  className="toggle"
                  onClick={() => toggle(row.path)}
                  aria-label={`Toggle ${row.key}`}
                >
                  {row.expanded ? "▾" : "▸"}
                </button>
              ) : (
                <span style={{ width: 16 }} />
              )}
              <span className="key">{row.key}</span>
              {row.size !== undefined ? (
                <span className="muted">{row.size} item(s)</span>
              ) : isStorageUri(row.value) ? (
                <span className="value">
                  {row.value}{" "}
                  <button type="button" className="linklike" onClick={() => void showPreview(row.value as string)}>
                    preview
                  </button>{" "}
                  <button
                    type="button"
                    className="linklike"
                    onClick={() =>
                      void download(
                        pathOf("executions", execution.id, "file"),
                        (row.value as string).split("/").pop() ?? "file",
                        { path: row.value as string },
                      )
                    }
                  >
                    download
                  </button>
                </span>
              ) : (
                <span className="value">{leafText(row.value)}</span>
              )}
            </div>
          ))}
        </div>
      </div>
      <div>
        {file && preview ? (
          <div className="card file-preview" aria-label="File preview">
            <h3>Preview</h3>
            <p className="muted mono">{preview.uri}</p>
            {preview.error ? <p className="error">{preview.error}</p> : null}
            {preview.data ? (
              <pre>
                {typeof preview.data.content === "string"
                  ? preview.data.content
                  : (preview.data.content as unknown[]).map((r) => JSON.stringify(r)).join("\n")}
              </pre>
            ) : !preview.error ? (
              <p className="muted">Loading…</p>
            ) : null}
            {preview.data?.truncated ? <p className="muted">Only the first lines are shown.</p> : null}
          </div>
        ) : null}
        <div className="card eval-box" aria-label="Debug expression">
          <h3>Debug expression</h3>
          <label>
            Task run
            <select value={evalRun} onChange={(e) => setEvalRun(e.target.value)}>
              {(execution.taskRunList ?? []).slice(0, 2000).map((t) => (
                <option key={t.id} value={t.id}>
                  {runLabel(t)}
                </option>
              ))}
            </select>
          </label>
          <label>
            Expression
            <textarea
              value={expression}
              onChange={(e) => setExpression(e.target.value)}
              placeholder="{{ outputs.task_id.value }}"
            />
          </label>
          <button
            type="button"
            className="primary"
            disabled={!evalRun || !expression.trim()}
            onClick={() => void evaluate()}
          >
            Evaluate
          </button>
          {evalResult ? (
            evalResult.error ? (
              <p className="error" role="alert">
                {evalResult.error}
              </p>
            ) : (
              <pre aria-label="Result">{evalResult.result}</pre>
            )
          ) : null}
        </div>
      </div>
    </div>
  );
}
