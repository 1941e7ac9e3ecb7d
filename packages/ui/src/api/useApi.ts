/**
 * `useApi(load, deps)`: runs `load` (an API call) when `deps` change or the server comes back,
 * and gives its data, its error and `reload()`. A newer call's answer replaces an older one; an
 * answer that comes after the component is gone is dropped.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import { useConnection } from "./connection.ts";

export interface ApiState<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  reload(): void;
}

export function useApi<T>(load: (signal: AbortSignal) => Promise<T>, deps: readonly unknown[]): ApiState<T> {
  const { epoch } = useConnection();
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const depsRef = useRef<readonly unknown[]>(deps);
  useEffect(() => {
    const controller = new AbortController();
    // the data shown stays while the next answer comes; on an error it stays only when it is
    // the same thing read again (a reload, the server back), not another one (another flow)
    const same = depsRef.current.length === deps.length && deps.every((d, i) => Object.is(d, depsRef.current[i]));
    depsRef.current = deps;
    setState((s) => ({ ...s, loading: true }));
    loadRef.current(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setState({ data, loading: false });
      },
      (error: Error) => {
        if (!controller.signal.aborted) setState((s) => ({ data: same ? s.data : undefined, error, loading: false }));
      },
    );
    return () => controller.abort();
  }, [...deps, epoch, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

/** Calls `fn` every `ms` while the page is visible (live refresh); 0 or undefined stops it. */
export function useInterval(fn: () => void, ms: number | undefined): void {
  const fnRef = useRef(fn);
  fnRef.current = fn;
  useEffect(() => {
    if (!ms) return;
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") fnRef.current();
    }, ms);
    return () => clearInterval(timer);
  }, [ms]);
}
