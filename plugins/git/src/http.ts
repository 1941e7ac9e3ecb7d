/**
 * The HTTP client isomorphic-git speaks through: Node's http/https with the instance's outbound
 * address policy, a connect timeout, a read timeout and the task's abort signal, so that an
 * unreachable or silent server fails the task instead of hanging it.
 */
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { TaskError, outboundLookup, type RunContext } from "@saker/sdk";
import type { GitHttpRequest, GitHttpResponse, HttpClient } from "isomorphic-git";

export interface HttpTimeouts {
  connectTimeout: number;
  readTimeout: number;
}

export function httpClient(ctx: RunContext, timeouts: HttpTimeouts): HttpClient {
  const lookup = outboundLookup(ctx, "url");
  return {
    async request(req: GitHttpRequest): Promise<GitHttpResponse> {
      const body = req.body ? await collect(req.body) : undefined;
      const url = new URL(req.url);
      const send = url.protocol === "https:" ? httpsRequest : httpRequest;
      return new Promise<GitHttpResponse>((resolve, reject) => {
        const client = send(url, {
          method: req.method ?? "GET",
          headers: { ...req.headers, ...(body ? { "content-length": String(body.length) } : {}) },
          lookup,
          signal: ctx.signal,
          agent: false, // a fresh socket per request: the timeouts below watch it alone
        });
        const connectTimer = setTimeout(
          () => client.destroy(new TaskError(`could not connect within ${timeouts.connectTimeout} ms`)),
          timeouts.connectTimeout,
        );
        client.on("socket", (socket) => {
          socket.once(url.protocol === "https:" ? "secureConnect" : "connect", () => clearTimeout(connectTimer));
          socket.setTimeout(timeouts.readTimeout, () =>
            client.destroy(new TaskError(`no answer from the server within ${timeouts.readTimeout} ms`)),
          );
        });
        client.on("error", (error) => {
          clearTimeout(connectTimer);
          reject(error);
        });
        client.on("response", (res: IncomingMessage) => {
          clearTimeout(connectTimer);
          resolve({
            url: req.url,
            method: req.method ?? "GET",
            statusCode: res.statusCode ?? 0,
            statusMessage: res.statusMessage ?? "",
            headers: flatHeaders(res.headers),
            body: res[Symbol.asyncIterator]() as AsyncIterableIterator<Uint8Array>,
          });
        });
        client.end(body);
      });
    },
  };
}

async function collect(body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

function flatHeaders(headers: IncomingMessage["headers"]): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers))
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(", ") : value;
  return flat;
}
