/**
 * Logs: search, by execution, download as text, follow as server-sent events, delete. Kestra's
 * `LogController` paths and shapes.
 */
import { Readable } from "node:stream";
import { LOG_LEVELS, z } from "@saker/sdk";
import { LogTupleReader, type EngineApi, type Instance, type LogQuery, type StoredLog } from "@saker/engine";
import { notFound } from "../http/errors.ts";
import { legacyFilters, parseFilterParams, refuseUnknownParams, type Filter } from "../http/filters.ts";
import { pagedSchema, pagingShape } from "../http/paging.ts";
import { defineRoute, type AnyRoute } from "../http/route.ts";
import { SseStream } from "../http/sse.ts";
import { errors, LogEntrySchema } from "../openapi/schemas.ts";

const TAGS = ["Logs"];
const Level = z.enum(LOG_LEVELS);
const ExecutionParams = z.object({ executionId: z.string() });
const ByExecutionQuery = z.looseObject({
  minLevel: Level.optional().describe("The minimum level"),
  taskRunId: z.string().optional(),
  taskId: z.string().optional(),
  attempt: z.coerce.number().int().min(0).optional().describe("The attempt number"),
});

/** A log entry as the API shows it (without the store's sequence number). */
export function logJson(log: StoredLog): Omit<StoredLog, "seq"> {
  const { seq: _seq, ...entry } = log;
  return entry;
}

function logQueryOf(executionId: string, query: z.output<typeof ByExecutionQuery>): LogQuery & { executionId: string } {
  return {
    executionId,
    ...(query.minLevel ? { minLevel: query.minLevel } : {}),
    ...(query.taskRunId ? { taskRunId: query.taskRunId } : {}),
    ...(query.taskId ? { taskId: query.taskId } : {}),
    ...(query.attempt !== undefined ? { attemptNumber: query.attempt } : {}),
  };
}

/**
 * The pages of an execution's logs (rows, read a page at a time): the first one is read now, so
 * an unknown execution is a 404 before anything is sent.
 */
async function executionPages<T>(
  api: EngineApi,
  executionId: string,
  pages: AsyncGenerator<T[]>,
): Promise<AsyncIterable<T[]>> {
  const first = await pages.next();
  if (first.done && !(await api.executions.status(executionId)))
    throw notFound("EXECUTION_NOT_FOUND", `Execution '${executionId}' not found`);
  return (async function* () {
    if (first.done) return;
    yield first.value;
    yield* pages;
  })();
}

/** A JSON array of the given JSON texts, a page at a time. */
async function* jsonArray(pages: AsyncIterable<string[]>): AsyncGenerator<string> {
  let started = false;
  for await (const page of pages) {
    if (page.length === 0) continue;
    yield (started ? "," : "[") + page.join(",");
    started = true;
  }
  yield started ? "]" : "[]";
}

const search = defineRoute({
  method: "GET",
  url: "/logs/search",
  summary: "Search logs",
  description:
    "Filters: `filters[namespace][PREFIX]`, `filters[flowId][EQUALS]`, `filters[level][IN]`, `filters[q][EQUALS]`…; or `q`, `namespace`, `flowId`, `triggerId`, `minLevel`, `startDate`, `endDate`. Newest first by default.",
  tags: TAGS,
  query: z.looseObject({
    ...pagingShape(10),
    q: z.string().optional(),
    namespace: z.string().optional(),
    flowId: z.string().optional(),
    triggerId: z.string().optional(),
    minLevel: Level.optional(),
    startDate: z.iso.datetime({ offset: true, local: true }).optional(),
    endDate: z.iso.datetime({ offset: true, local: true }).optional(),
  }),
  response: { 200: pagedSchema(LogEntrySchema), ...errors(400) },
  async handler({ query, ctx }) {
    const filters: Filter[] = [
      ...parseFilterParams(query),
      ...legacyFilters({ q: query.q, namespace: query.namespace, flowId: query.flowId }),
    ];
    if (query.triggerId) filters.push({ field: "triggerId", op: "EQUALS", values: [query.triggerId] });
    // Filtered, sorted and paged by the database: only the page is read.
    const page = await ctx.api.logs.search(
      {
        ...(query.minLevel ? { minLevel: query.minLevel } : {}),
        ...(query.startDate ? { startDate: new Date(query.startDate).toISOString() } : {}),
        ...(query.endDate ? { endDate: new Date(query.endDate).toISOString() } : {}),
      },
      { filters, sort: query.sort ?? [], page: query.page, size: query.size },
    );
    return { total: page.total, results: page.results.map(logJson) };
  },
});

const byExecution = defineRoute({
  method: "GET",
  url: "/logs/:executionId",
  summary: "The logs of an execution, oldest first",
  tags: TAGS,
  params: ExecutionParams,
  query: ByExecutionQuery,
  response: { 200: z.array(LogEntrySchema), ...errors(404) },
  async handler({ params, query, reply, ctx }) {
    // Streamed a page at a time: 100,000 lines never become one array of objects nor one string.
    const pages = await executionPages(
      ctx.api,
      params.executionId,
      (async function* () {
        for await (const page of ctx.api.logs.shownPages(logQueryOf(params.executionId, query))) yield page.json;
      })(),
    );
    return reply.type("application/json; charset=utf-8").send(Readable.from(jsonArray(pages), { objectMode: false }));
  },
});

const download = defineRoute({
  method: "GET",
  url: "/logs/:executionId/download",
  summary: "Download the logs of an execution as text, one `timestamp LEVEL message` line each",
  tags: TAGS,
  params: ExecutionParams,
  query: ByExecutionQuery,
  response: { 200: { description: "The logs", contentType: "text/plain", schema: { type: "string" } }, ...errors(404) },
  async handler({ params, query, reply, ctx }) {
    const masker = ctx.instance.secretGuard.masker();
    const reader = new LogTupleReader();
    const pages = await executionPages(
      ctx.api,
      params.executionId,
      ctx.api.logs.pages(logQueryOf(params.executionId, query)),
    );
    const text = async function* () {
      let started = false;
      for await (const page of pages) {
        const lines = page.map((t) => `${t[3]} ${reader.level(t)} ${masker.mask(t[2])}`).join("\n");
        yield started ? `\n${lines}` : lines;
        started = true;
      }
    };
    return reply
      .type("text/plain; charset=utf-8")
      .header("Content-Disposition", `attachment; filename="${params.executionId.replace(/[^A-Za-z0-9_-]/g, "_")}.log"`)
      .send(Readable.from(text(), { objectMode: false }));
  },
});

/** Reads new entries by sequence number: each is sent once, in order, whatever the timing. */
function streamLogs(
  instance: Instance,
  api: EngineApi,
  stream: SseStream,
  executionId: string,
  minLevel: z.output<typeof Level> | undefined,
): void {
  let lastSeq = 0;
  let ending = false;
  // One reading at a time, a page per turn of the event loop: a backlog of 100,000 lines is sent
  // as it is read (the first event at once), and a call during a reading makes it read again.
  let reading = false;
  let again = false;
  const flush = async () => {
    if (stream.isClosed) return;
    if (reading) {
      again = true;
      return;
    }
    reading = true;
    try {
      do {
        again = false;
        // what was written before the end was reported is read by this pass
        const final = ending;
        const query = { executionId, afterSeq: lastSeq, ...(minLevel ? { minLevel } : {}) };
        // JSON texts already masked as `display` masks them, one write per page
        for await (const page of api.logs.shownPages(query)) {
          if (stream.isClosed) return;
          stream.sendShownJson("progress", page.json);
          lastSeq = page.lastSeq;
          await new Promise((resolve) => setImmediate(resolve));
        }
        if (final) {
          stream.end();
          return;
        }
      } while (again);
    } finally {
      reading = false;
    }
  };
  // a reading that fails (the database closing) ends the stream rather than the process
  const flushSoon = () => void flush().catch(() => stream.end());
  // workers persist logs within 100 ms of emitting them: read a little after each one
  let pending: NodeJS.Timeout | undefined;
  const onLog = (entry: { executionId?: string }) => {
    if (entry.executionId === executionId) pending ??= setTimeout(() => ((pending = undefined), flushSoon()), 150);
  };
  const onEnd = (x: { id: string }) => {
    if (x.id !== executionId) return;
    ending = true;
    setTimeout(flushSoon, 150);
  };
  const poll = setInterval(flushSoon, 1000);
  instance.events.on("log", onLog);
  instance.events.on("execution:end", onEnd);
  stream.onClose(() => {
    clearInterval(poll);
    clearTimeout(pending);
    instance.events.off("log", onLog);
    instance.events.off("execution:end", onEnd);
  });
  void api.executions.status(executionId).then((status) => {
    if (status?.finished) ending = true;
    flushSoon();
  }, flushSoon);
}

const follow = defineRoute({
  method: "GET",
  url: "/logs/:executionId/follow",
  summary: "Follow the logs of an execution (server-sent events)",
  description:
    "Each log entry is an event with id `progress`. The stream closes once the execution is finished and its last logs were sent.",
  tags: TAGS,
  params: ExecutionParams,
  query: z.looseObject({ minLevel: Level.optional() }),
  response: {
    200: { description: "An event stream", contentType: "text/event-stream", schema: { type: "string" } },
    ...errors(404),
  },
  async handler({ params, query, reply, ctx }) {
    if (!(await ctx.api.executions.status(params.executionId)))
      throw notFound("EXECUTION_NOT_FOUND", `Execution '${params.executionId}' not found`);
    streamLogs(
      ctx.instance,
      ctx.api,
      new SseStream(reply, (data) => ctx.instance.secretGuard.display(data)),
      params.executionId,
      query.minLevel,
    );
  },
});

const remove = defineRoute({
  method: "DELETE",
  url: "/logs/:executionId",
  summary: "Delete the logs of an execution",
  tags: TAGS,
  params: ExecutionParams,
  query: z.looseObject({}),
  response: { 204: null },
  async handler({ params, query, reply, ctx }) {
    // Kestra narrows this delete by taskRunId, taskId, minLevel and attempt: not served here, and
    // refused rather than ignored (which would delete every log of the execution)
    refuseUnknownParams(query, []);
    await ctx.api.logs.deleteOfExecution(params.executionId);
    reply.code(204);
  },
});

const removeByFlow = defineRoute({
  method: "DELETE",
  url: "/logs/:namespace/:flowId",
  summary: "Delete the logs of a flow: its executions' and its triggers', or one trigger's",
  tags: TAGS,
  params: z.object({ namespace: z.string(), flowId: z.string() }),
  query: z.looseObject({ triggerId: z.string().optional().describe("Only this trigger's logs") }),
  response: { 204: null },
  async handler({ params, query, reply, ctx }) {
    refuseUnknownParams(query, ["triggerId"]);
    await ctx.api.logs.deleteOfFlow(params.namespace, params.flowId, query.triggerId);
    reply.code(204);
  },
});

export const logRoutes: AnyRoute[] = [search, byExecution, download, follow, remove, removeByFlow];
