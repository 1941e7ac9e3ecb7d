/**
 * Live data of the execution page: the execution through `GET /executions/{id}/follow` (its
 * `progress` events, then `end`), and its logs (all at once once it is finished, else through
 * `GET /logs/{id}/follow`). Updates are applied at most a few times a second, so a large
 * execution that changes often does not re-render the page at each event.
 */
import { useCallback, useEffect, useState } from "react";
import { api, ApiError } from "../../api/client.ts";
import { useConnection } from "../../api/connection.ts";
import { follow } from "../../api/stream.ts";
import { type Execution, type LogEntry, type Paged } from "../../api/types.ts";
import { pathOf } from "../../router.tsx";

const THROTTLE_MS = 250;

export interface FollowedExecution {
  execution?: Execution;
  error?: Error;
  /** The stream said `end`: the execution is finished. */
  ended: boolean;
  /** The stream gave its first event (`ended` is known). */
  streamed: boolean;
  /** Follows again (after an action that starts the execution again: restart, resume). */
  refollow(): void;
}

/** An error of a stream, with the API's message when the answer was a JSON error. */
function readable(error: unknown): Error {
  if (error instanceof ApiError && error.message.startsWith("{")) {
    try {
      const body = JSON.parse(error.message) as { message?: string; code?: string };
      return new ApiError(error.status, body.code ?? error.code, body.message ?? error.message);
    } catch {
      return error;
    }
  }
  return error as Error;
}

/** Whether two answers for an execution show the same thing (compared by what changes as it runs). */
function sameExecution(a: Execution, b: Execution): boolean {
  const signature = (x: Execution) =>
    [
      x.id,
      x.state.current,
      x.state.histories?.length,
      x.state.endDate,
      x.taskRunList?.length,
      (x.taskRunList ?? []).map((t) => `${t.state.current}${t.attempts?.length ?? 0}`).join(""),
      JSON.stringify(x.labels ?? []),
      JSON.stringify(x.outputs ?? null),
    ].join("|");
  return signature(a) === signature(b);
}

export function useFollowedExecution(id: string): FollowedExecution {
  const { epoch } = useConnection();
  const [tick, setTick] = useState(0);
  const [state, setState] = useState<{ execution?: Execution; error?: Error; ended: boolean; streamed: boolean }>({
    ended: false,
    streamed: false,
  });
  useEffect(() => {
    const controller = new AbortController();
    let latest: Execution | undefined;
    let ended = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const flush = () => {
      timer = undefined;
      if (controller.signal.aborted || !latest) return;
      const execution = latest;
      // the stream's first event often repeats what the GET gave: keep that object (no re-render
      // of a large Gantt for nothing)
      setState((s) => ({
        execution: s.execution && sameExecution(s.execution, execution) ? s.execution : execution,
        ended,
        streamed: true,
      }));
    };
    setState((s) => ({ ...s, ended: false, streamed: false, error: undefined }));
    // a plain GET answers sooner than the stream's first event on a large execution: shown
    // first, and the stream starts once it is here (the server writes one answer at a time: a
    // large execution's stream would hold the GET back)
    let streamed = false;
    const startFollow = () => {
      if (controller.signal.aborted) return;
      follow<Execution>(
        pathOf("executions", id, "follow"),
        (event) => {
          latest = event.data;
          if (event.id === "end") ended = true;
          if (!streamed || ended) {
            streamed = true;
            clearTimeout(timer);
            flush();
          } else timer ??= setTimeout(flush, THROTTLE_MS);
        },
        { signal: controller.signal },
      ).then(
        () => {
          if (controller.signal.aborted) return;
          clearTimeout(timer);
          flush();
          // the server closed the stream before the end (restarting): follow again shortly
          if (!ended) setTimeout(() => !controller.signal.aborted && setTick((t) => t + 1), 1000);
        },
        (error: unknown) => {
          if (!controller.signal.aborted) setState((s) => ({ ...s, error: readable(error) }));
        },
      );
    };
    api.get<Execution>(pathOf("executions", id), { signal: controller.signal }).then(
      (execution) => {
        if (streamed || controller.signal.aborted) return;
        setState((s) => ({ ...s, execution }));
        startFollow();
      },
      () => startFollow(),
    );
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [id, epoch, tick]);
  const refollow = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, refollow };
}

export interface ExecutionLogs {
  logs: readonly LogEntry[];
  /** Every line is here (the first page may show before). */
  complete: boolean;
  error?: Error;
}

const FIRST_PAGE = 300;

/**
 * The logs of an execution, once `wanted`: a first page at once (a quick first render), then of
 * a finished execution all of them, of a running one all of them through the follow stream
 * (which ends once the execution has; then they are read again whole). `finished` (undefined
 * while unknown) and `generation` (a restart, a resume) start the reading again.
 */
export function useExecutionLogs(
  executionId: string,
  wanted: boolean,
  finished: boolean | undefined,
  generation: number,
): ExecutionLogs {
  const { epoch } = useConnection();
  const [state, setState] = useState<ExecutionLogs>({ logs: [], complete: false });
  useEffect(() => {
    if (!wanted) return;
    const controller = new AbortController();
    api
      .get<Paged<LogEntry>>("/logs/search", {
        query: { "filters[executionId][EQUALS]": executionId, sort: "timestamp:asc", size: FIRST_PAGE },
        signal: controller.signal,
      })
      .then(
        (page) => {
          if (controller.signal.aborted) return;
          // only while nothing else came
          setState((s) =>
            s.logs.length || s.complete
              ? s
              : { logs: page.results, complete: page.total <= page.results.length && finished === true },
          );
        },
        () => undefined,
      );
    return () => controller.abort();
  }, [executionId, wanted, generation]);
  useEffect(() => {
    if (!wanted || finished === undefined) return;
    const controller = new AbortController();
    const signal = controller.signal;
    if (finished) {
      // the lines shown so far stay until all of them are here
      api.get<LogEntry[]>(pathOf("logs", executionId), { signal }).then(
        (logs) => {
          if (!signal.aborted) setState({ logs, complete: true });
        },
        (error: Error) => {
          if (!signal.aborted) setState((s) => ({ ...s, error }));
        },
      );
    } else {
      let buffer: LogEntry[] = [];
      let timer: ReturnType<typeof setTimeout> | undefined;
      // the stream gives every line from the first: its first lines replace what is shown
      let first = true;
      setState((s) => ({ ...s, complete: false }));
      const flush = () => {
        timer = undefined;
        if (signal.aborted || buffer.length === 0) return;
        const added = buffer;
        buffer = [];
        const replace = first;
        first = false;
        setState((s) => ({ ...s, logs: replace ? added : s.logs.concat(added) }));
      };
      follow<LogEntry>(
        pathOf("logs", executionId, "follow"),
        (event) => {
          buffer.push(event.data);
          timer ??= setTimeout(flush, THROTTLE_MS);
        },
        { signal },
      ).then(
        () => {
          clearTimeout(timer);
          flush();
          if (!signal.aborted) setState((s) => ({ ...s, complete: true }));
        },
        (error: unknown) => {
          if (!signal.aborted) setState((s) => ({ ...s, error: readable(error) }));
        },
      );
      return () => {
        controller.abort();
        clearTimeout(timer);
      };
    }
    return () => controller.abort();
  }, [executionId, wanted, finished, generation, epoch]);
  return state;
}
