/**
 * The HTTP client isomorphic-git speaks through: Node's http/https with the instance's outbound
 * address policy, a connect timeout, a read timeout and the task's abort signal, so that an
 * unreachable or silent server fails the task instead of hanging it. Redirects are followed (a
 * renamed repository), the credentials only to the same origin.
 */
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { TaskError, outboundLookup, type RunContext } from "@saker/sdk";
import type { GitHttpRequest, GitHttpResponse, HttpClient } from "isomorphic-git";

export interface HttpTimeouts {
  connectTimeout: number;
  readTimeout: number;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;

export function httpClient(ctx: RunContext, timeouts: HttpTimeouts): HttpClient {
  const lookup = outboundLookup(ctx, "url");
  return {
    async request(req: GitHttpRequest): Promise<GitHttpResponse> {
      const body = req.body ? await collect(req.body) : undefined;
      const method = req.method ?? "GET";
      let url = new URL(req.url);
      let headers = { ...req.headers };
      for (let hop = 0; ; hop++) {
        const res = await send(ctx, timeouts, lookup, url, method, headers, body);
        const location = res.headers.location;
        const follow = REDIRECTS.has(res.statusCode ?? 0) && location && (method === "GET" || res.statusCode! >= 307);
        if (!follow || hop === MAX_REDIRECTS) return response(url, method, res);
        res.resume();
        const next = new URL(location, url);
        // credentials go to the origin they were given for, never to another host
        if (next.origin !== url.origin) headers = withoutAuthorization(headers);
        url = next;
      }
    },
  };
}

function send(
  ctx: RunContext,
  timeouts: HttpTimeouts,
  lookup: ReturnType<typeof outboundLookup>,
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: Buffer | undefined,
): Promise<IncomingMessage> {
  const request = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise<IncomingMessage>((resolve, reject) => {
    const client = request(url, {
      method,
      headers: { ...headers, ...(body ? { "content-length": String(body.length) } : {}) },
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
      resolve(res);
    });
    client.end(body);
  });
}

function response(url: URL, method: string, res: IncomingMessage): GitHttpResponse {
  return {
    url: url.toString(),
    method,
    statusCode: res.statusCode ?? 0,
    statusMessage: res.statusMessage ?? "",
    headers: flatHeaders(res.headers),
    body: res[Symbol.asyncIterator]() as AsyncIterableIterator<Uint8Array>,
  };
}

function withoutAuthorization(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => name.toLowerCase() !== "authorization"));
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
