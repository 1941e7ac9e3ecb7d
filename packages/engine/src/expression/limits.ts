/** What one render may use: iterations, output, depth, collections and time. */
export interface RenderLimits {
  /** Loop iterations in one render. */
  maxIterations: number;
  /** Characters of output (and of any string built by `~`, `+` or a filter). */
  maxOutputSize: number;
  /** Items of a range. */
  maxRangeSize: number;
  /** Nested macro calls and `render()` calls. */
  maxDepth: number;
  /** Items of a list built by a filter or function (a memory budget for collections). */
  maxCollectionSize: number;
  /**
   * Milliseconds one synchronous evaluation may run (the whole of `render`, or one pass of
   * `renderAsync` between two asynchronous loads): past it the render fails, so that no expression
   * holds the event loop longer.
   */
  evaluationTimeoutMs: number;
  /** Milliseconds one `jq` call may run in its worker thread before the thread is stopped. */
  jqTimeoutMs: number;
  /** Megabytes of memory a `jq` call may use (its WebAssembly heap, and its thread's JavaScript heap). */
  jqMemoryMb: number;
}

export const DEFAULT_LIMITS: Readonly<RenderLimits> = Object.freeze({
  maxIterations: 100_000,
  maxOutputSize: 10_000_000,
  maxRangeSize: 100_000,
  maxDepth: 64,
  maxCollectionSize: 1_000_000,
  evaluationTimeoutMs: 100,
  jqTimeoutMs: 10_000,
  jqMemoryMb: 256,
});
