/** The Overview tab: state and its history, dates, inputs, outputs, variables, labels, trigger, links. */
import type { Execution } from "../../api/types.ts";
import { StateBadge } from "../../components/StateBadge.tsx";
import { formatDate, formatMs, stateDurationMs } from "../../lib/format.ts";
import { useSettings } from "../../lib/settings.ts";
import { Link, pathOf } from "../../router.tsx";

function Values({ title, values }: { title: string; values: Record<string, unknown> | null | undefined }) {
  const entries = Object.entries(values ?? {});
  return (
    <div className="card" aria-label={title}>
      <h3>{title}</h3>
      {entries.length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <dl className="facts">
          {entries.map(([k, v]) => (
            <div key={k} style={{ display: "contents" }}>
              <dt>{k}</dt>
              <dd className="mono">{typeof v === "string" ? v : JSON.stringify(v)}</dd>
            </div>
          ))}
        </dl>
      )}
    </div>
  );
}

export function Overview({ execution, now }: { execution: Execution; now: number }) {
  const { timeZone } = useSettings();
  const x = execution;
  const linkTo = (id: string) => pathOf("executions", x.namespace, x.flowId, id);
  return (
    <div className="overview-grid">
      <div className="card" aria-label="Summary">
        <h3>Summary</h3>
        <dl className="facts">
          <dt>State</dt>
          <dd>
            <StateBadge state={x.state.current} />
          </dd>
          <dt>Namespace</dt>
          <dd>{x.namespace}</dd>
          <dt>Flow</dt>
          <dd>
            <Link to={pathOf("flows", "edit", x.namespace, x.flowId)}>{x.flowId}</Link> (revision {x.flowRevision})
          </dd>
          <dt>Start</dt>
          <dd>{formatDate(x.state.startDate, timeZone)}</dd>
          <dt>End</dt>
          <dd>{formatDate(x.state.endDate, timeZone) || "—"}</dd>
          <dt>Duration</dt>
          <dd>{formatMs(stateDurationMs(x.state, now))}</dd>
          <dt>Task runs</dt>
          <dd>{x.taskRunList?.length ?? 0}</dd>
          {x.parentId ? (
            <>
              <dt>Parent</dt>
              <dd>
                <Link to={linkTo(x.parentId)}>{x.parentId}</Link>
              </dd>
            </>
          ) : null}
          {x.originalId && x.originalId !== x.id ? (
            <>
              <dt>Original</dt>
              <dd>
                <Link to={linkTo(x.originalId)}>{x.originalId}</Link>
              </dd>
            </>
          ) : null}
          <dt>Labels</dt>
          <dd>
            {(x.labels ?? []).length === 0
              ? "—"
              : (x.labels ?? []).map((l) => (
                  <span key={l.key} className="label-chip">
                    {l.key}:{l.value}
                  </span>
                ))}
          </dd>
          <dt>Trigger</dt>
          <dd>
            {x.trigger ? (
              <>
                {x.trigger.id} <span className="muted">{x.trigger.type}</span>
              </>
            ) : (
              "manual"
            )}
          </dd>
        </dl>
      </div>
      <div className="card" aria-label="State history">
        <h3>State history</h3>
        <ol className="state-history">
          {(x.state.histories ?? []).map((h, i) => (
            <li key={i}>
              <StateBadge state={h.state} /> <span>{formatDate(h.date, timeZone)}</span>
            </li>
          ))}
        </ol>
      </div>
      <Values title="Inputs" values={x.inputs} />
      <Values title="Outputs" values={x.outputs} />
      <Values title="Variables" values={x.variables} />
      {x.trigger?.variables ? <Values title="Trigger variables" values={x.trigger.variables} /> : null}
    </div>
  );
}
