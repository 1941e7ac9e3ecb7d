/**
 * Following an execution as server-sent events, as Kestra streams it: an event with id
 * `progress` carrying the whole execution JSON at the start and at each change, then one with id
 * `end` once it is finished, and the stream closes. An execution already finished gets one `end`.
 */
import { isTerminated } from "@saker/sdk";
import { onEachPoll, type Execution } from "@saker/engine";
import { defineRoute, type AnyRoute } from "../http/route.ts";
import { SseStream } from "../http/sse.ts";
import { errors } from "../openapi/schemas.ts";
import { notFound } from "../http/errors.ts";
import { ExecutionParams } from "./executionSupport.ts";

const follow = defineRoute({
  method: "GET",
  url: "/executions/:executionId/follow",
  summary: "Follow an execution (server-sent events)",
  description:
    "`id: progress` events carry the execution JSON at each change; a final `id: end` event, then the stream closes.",
  tags: ["Executions"],
  params: ExecutionParams,
  response: {
    200: { description: "An event stream", contentType: "text/event-stream", schema: { type: "string" } },
    ...errors(404),
  },
  async handler({ params, reply, ctx }) {
    const instance = ctx.instance;
    const api = ctx.api.executions;
    const id = params.executionId;
    // As `GET /executions/{id}` reads it: the stored JSON text, sent as it is unless it holds a
    // secret (not parsed and serialised again). The status is read first: a finished one's text is final.
    const read = async (): Promise<{ finished: boolean; json: string } | undefined> => {
      const finished = (await api.status(id))?.finished === true;
      const stored = await api.jsonText(id);
      return stored && !stored.deleted ? { finished, json: instance.secretGuard.displayJson(stored.json) } : undefined;
    };
    const first = await read();
    if (!first) throw notFound("EXECUTION_NOT_FOUND", `Execution '${id}' not found`);
    const stream = new SseStream(reply, (data) => instance.secretGuard.display(data));
    if (first.finished) {
      stream.sendShownJson("end", [first.json]);
      stream.end();
      return;
    }
    let lastJson = first.json;
    const finish = (json: string) => {
      stream.sendShownJson("end", [json]);
      stream.end();
    };
    // The stored execution, sent when it changed: for a notification that carries only the id
    // (another process's, too large to send whole) and for the poll of a shared database.
    let reading = Promise.resolve();
    const readAgain = (progress: boolean) =>
      (reading = reading
        .then(async () => {
          if (stream.isClosed) return;
          const now = await read();
          if (!now || stream.isClosed) return;
          if (progress && now.json !== lastJson) stream.sendShownJson("progress", [now.json]);
          lastJson = now.json;
          if (now.finished) finish(now.json);
        })
        .catch(() => stream.end()));
    let heard = false;
    const onChange = (x: Execution) => {
      if (stream.isClosed) return;
      heard = true;
      if ((x as Partial<Execution>).state === undefined) return void readAgain(true);
      stream.send("progress", x);
      // only a terminated execution can be finished: other changes are not read back
      if (isTerminated(x.state.current)) void readAgain(false);
    };
    // one entry among the waiters of this execution: other executions' changes do not reach it
    stream.onClose(ctx.api.executions.waiters.watch(id, onChange));
    // Another process's notification may be lost (PostgreSQL): the stored execution is read again
    // at each poll that heard nothing.
    stream.onClose(
      onEachPoll(instance.backend.notifier, () => {
        if (!heard) void readAgain(true);
        heard = false;
      }),
    );
    // read again once subscribed: a change between the first read and the subscription is not lost
    const current = (await read()) ?? first;
    lastJson = current.json;
    stream.sendShownJson("progress", [current.json]);
    if (current.finished) finish(current.json);
  },
});

export const executionFollowRoutes: AnyRoute[] = [follow];
