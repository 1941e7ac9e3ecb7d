/**
 * Following an execution as server-sent events, as Kestra streams it: an event with id
 * `progress` carrying the whole execution JSON at the start and at each change, then one with id
 * `end` once it is finished, and the stream closes. An execution already finished gets one `end`.
 */
import { isTerminated } from "@saker/sdk";
import type { Execution } from "@saker/engine";
import { defineRoute, type AnyRoute } from "../http/route.ts";
import { SseStream } from "../http/sse.ts";
import { errors } from "../openapi/schemas.ts";
import { ExecutionParams, storedExecution } from "./executionSupport.ts";

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
    const first = storedExecution(instance, params.executionId);
    const stream = new SseStream(reply, (data) => instance.secretGuard.display(data));
    if (first.finished) {
      stream.send("end", first.execution);
      stream.end();
      return;
    }
    const onChange = (x: Execution) => {
      if (stream.isClosed) return;
      stream.send("progress", x);
      // only a terminated execution can be finished: other changes are not read back
      if (isTerminated(x.state.current) && instance.executions.status(x.id)?.finished) {
        stream.send("end", instance.executions.get(x.id)!.execution);
        stream.end();
      }
    };
    // one entry among the waiters of this execution: other executions' changes do not reach it
    stream.onClose(ctx.api.executions.waiters.watch(params.executionId, onChange));
    // read again once subscribed: a change between the first read and the subscription is not lost
    const current = instance.executions.get(params.executionId) ?? first;
    stream.send("progress", current.execution);
    if (current.finished) {
      stream.send("end", current.execution);
      stream.end();
    }
  },
});

export const executionFollowRoutes: AnyRoute[] = [follow];
