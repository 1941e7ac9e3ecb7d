/** Posting a JSON body to a chat service's incoming webhook, with errors a flow author can act on. */
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import {
  NonRetryableError,
  SakerError,
  checkHttpUrl,
  duration,
  formatDuration,
  isSakerError,
  outboundLookup,
  type RunContext,
  z,
} from "@saker/sdk";

/** Checks that `url` is an http(s) URL not pointing to a refused address; `path` is the property that held it. */
export function webhookUrl(ctx: RunContext, url: string, path = "url"): URL {
  return checkHttpUrl(ctx, url, path);
}

/** Kestra's `options` of the HTTP client, durations in milliseconds. */
export interface HttpOptions {
  connectTimeout?: number | undefined;
  readTimeout?: number | undefined;
  readIdleTimeout?: number | undefined;
  connectionPoolIdleTimeout?: number | undefined;
  maxContentLength?: number | undefined;
  defaultCharset?: string | undefined;
  headers?: Readonly<Record<string, string>> | undefined;
}

/** Kestra's defaults: read 10 s, idle 5 min, answers up to 10 MiB, UTF-8. */
export const HTTP_DEFAULTS = {
  readTimeout: 10_000,
  readIdleTimeout: 300_000,
  maxContentLength: 10 * 1024 * 1024,
  defaultCharset: "UTF-8",
} as const;

/** Kestra's `options` property of every notification task. */
export const optionsProperty = z
  .object({
    connectTimeout: duration()
      .optional()
      .describe("Time allowed to establish the connection (default: no limit of its own)."),
    readTimeout: duration().prefault("PT10S").describe("Time allowed, once connected, for the whole answer to arrive."),
    readIdleTimeout: duration().prefault("PT5M").describe("Time the connection may stay silent."),
    connectionPoolIdleTimeout: duration()
      .prefault("PT0S")
      .describe("Accepted for Kestra compatibility; each request uses its own connection."),
    maxContentLength: z.number().int().min(1).default(10_485_760).describe("Largest answer read, in bytes."),
    defaultCharset: z
      .string()
      .default("UTF-8")
      .describe("Charset of the request body: UTF-8, ISO-8859-1, US-ASCII or UTF-16LE."),
    headers: z.record(z.string(), z.string()).optional().describe("More HTTP headers to send."),
  })
  .optional()
  .describe("Options of the HTTP client: timeouts, answer size, charset, headers.");

/** Kestra's `templateRenderMap` of the `*Execution` types: accepted; the summary replaces it, as in Kestra. */
export const templateRenderMapProperty = z
  .record(z.string(), z.unknown())
  .optional()
  .describe("Accepted for Kestra compatibility; as in Kestra, the execution summary replaces it.");

/**
 * Kestra's `templateUri` of the `*Execution` types (hidden in its docs): accepted so that its flows
 * load; each of Kestra's tasks sets its own template over it, and Saker's sends its summary.
 */
export const templateUriProperty = z
  .string()
  .optional()
  .describe("Accepted for Kestra compatibility; as in Kestra, the task's own summary is sent instead.");

/** Java charset names → Node encodings. */
const CHARSETS: Record<string, BufferEncoding> = {
  "utf-8": "utf8",
  utf8: "utf8",
  "iso-8859-1": "latin1",
  latin1: "latin1",
  "us-ascii": "ascii",
  ascii: "ascii",
  "utf-16le": "utf16le",
};

/** A service's answer, whatever its status. */
export interface HttpAnswer {
  status: number;
  statusText: string;
  /** The headers, names as the server wrote them; a repeated header's values joined with `, `. */
  headers: Record<string, string>;
  /** The body, decoded with the request's charset. */
  text: string;
}

/** `rawHeaders` (name, value, name, value…) as one record, keeping the server's spelling of names. */
function headersOf(raw: readonly string[]): Record<string, string> {
  // A Map, then own properties: a header named `__proto__` stays a header.
  const headers = new Map<string, string>();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const [name, value] = [raw[i]!, raw[i + 1]!];
    const before = headers.get(name);
    headers.set(name, before === undefined ? value : `${before}, ${value}`);
  }
  return Object.fromEntries(headers);
}

function send(
  ctx: RunContext,
  service: string,
  target: URL,
  urlPath: string,
  body: Buffer,
  headers: Record<string, string>,
  o: Required<Pick<HttpOptions, "readTimeout" | "readIdleTimeout" | "maxContentLength">> & HttpOptions,
  encoding: BufferEncoding,
): Promise<HttpAnswer> {
  return new Promise<HttpAnswer>((resolve, reject) => {
    const request = target.protocol === "https:" ? httpsRequest : httpRequest;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const req = request(target, {
      method: "POST",
      headers: { ...headers, "content-length": String(body.length) },
      lookup: outboundLookup(ctx, urlPath) as never,
      agent: false,
      signal: ctx.signal,
    });
    const done = (error: unknown, answer?: HttpAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) {
        req.destroy();
        reject(error);
      } else resolve(answer!);
    };
    const arm = (ms: number, what: string) => {
      clearTimeout(timer);
      timer = setTimeout(
        () =>
          done(
            new SakerError(
              "NOTIFICATION_TIMEOUT",
              `${service} webhook ${target.host}: ${what} within ${formatDuration(ms)}`,
              {
                flow: `${ctx.flow.namespace}/${ctx.flow.id}`,
                taskId: ctx.task.id,
              },
            ),
          ),
        ms,
      );
    };
    if (o.connectTimeout !== undefined) arm(o.connectTimeout, "no connection (options.connectTimeout)");
    req.on("socket", (socket) => {
      const connected = () => arm(o.readTimeout, "no complete answer (options.readTimeout)");
      if (socket.connecting) socket.once("connect", connected);
      else connected();
    });
    req.setTimeout(o.readIdleTimeout, () =>
      done(
        new SakerError(
          "NOTIFICATION_TIMEOUT",
          `${service} webhook ${target.host}: idle for ${formatDuration(o.readIdleTimeout)} (options.readIdleTimeout)`,
          {
            flow: `${ctx.flow.namespace}/${ctx.flow.id}`,
            taskId: ctx.task.id,
          },
        ),
      ),
    );
    req.on("error", (error) => {
      if (ctx.signal.aborted) return done(ctx.signal.reason ?? error);
      if (isSakerError(error)) return done(error);
      done(
        new SakerError(
          "NOTIFICATION_UNREACHABLE",
          `${service} webhook ${target.host} could not be reached: ${error.message}`,
          { ...locate(ctx, urlPath), cause: error },
        ),
      );
    });
    req.on("response", (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > o.maxContentLength) {
          done(
            new NonRetryableError(
              `${service} answered more than ${o.maxContentLength} bytes (options.maxContentLength)`,
              locate(ctx),
            ),
          );
          return;
        }
        chunks.push(chunk);
      });
      res.on("error", (error) => done(error));
      res.on("end", () =>
        done(undefined, {
          status: res.statusCode ?? 0,
          statusText: res.statusMessage ?? "",
          headers: headersOf(res.rawHeaders),
          text: Buffer.concat(chunks).toString(encoding),
        }),
      );
    });
    req.end(body);
  });
}

/**
 * POSTs `body` (JSON text) to `url` and resolves with the answer, whatever its status: for tasks
 * that output the answer or word a refusal their own way (SendGrid). Nothing is logged.
 */
export async function postJsonAnswer(
  ctx: RunContext,
  service: string,
  url: string,
  body: string,
  urlPath = "url",
  headers: Readonly<Record<string, string>> = {},
  options: HttpOptions = {},
): Promise<HttpAnswer> {
  const target = webhookUrl(ctx, url, urlPath);
  const charset = options.defaultCharset ?? HTTP_DEFAULTS.defaultCharset;
  const encoding = CHARSETS[charset.toLowerCase()];
  if (!encoding)
    throw new NonRetryableError(
      `unsupported charset '${charset}' (use UTF-8, ISO-8859-1, US-ASCII or UTF-16LE)`,
      locate(ctx, "options.defaultCharset"),
    );
  const contentType = encoding === "utf8" ? "application/json" : `application/json; charset=${charset}`;
  return send(
    ctx,
    service,
    target,
    urlPath,
    Buffer.from(body, encoding),
    { "content-type": contentType, ...(options.headers ?? {}), ...headers },
    {
      ...options,
      readTimeout: options.readTimeout ?? HTTP_DEFAULTS.readTimeout,
      readIdleTimeout: options.readIdleTimeout ?? HTTP_DEFAULTS.readIdleTimeout,
      maxContentLength: options.maxContentLength ?? HTTP_DEFAULTS.maxContentLength,
    },
    encoding,
  );
}

/** POSTs `body` (JSON text) to `url`; a non-2xx answer fails with the service's status and body. */
export async function postJson(
  ctx: RunContext,
  service: string,
  url: string,
  body: string,
  urlPath = "url",
  headers: Readonly<Record<string, string>> = {},
  options: HttpOptions = {},
): Promise<void> {
  const answer = await postJsonAnswer(ctx, service, url, body, urlPath, headers, options);
  if (answer.status < 200 || answer.status >= 300)
    throw new SakerError(
      "NOTIFICATION_REJECTED",
      `${service} answered ${answer.status}${answer.statusText ? ` ${answer.statusText}` : ""}: ${answer.text.slice(0, 2000)}`,
      locate(ctx),
    );
  ctx.logger.debug("{} answered {}: {}", service, answer.status, answer.text.slice(0, 500));
}

/**
 * POSTs `fields` as an `application/x-www-form-urlencoded` body (Twilio's API): strings as they
 * are, numbers and booleans as text, lists as the field repeated, objects as JSON.
 */
export async function postForm(
  ctx: RunContext,
  service: string,
  url: string,
  fields: Readonly<Record<string, unknown>>,
  urlPath = "url",
  headers: Readonly<Record<string, string>> = {},
  options: HttpOptions = {},
): Promise<void> {
  const form = new URLSearchParams();
  const text = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value));
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined || value === null) continue;
    for (const item of Array.isArray(value) ? value : [value]) form.append(key, text(item));
  }
  await postJson(
    ctx,
    service,
    url,
    form.toString(),
    urlPath,
    {
      "content-type": "application/x-www-form-urlencoded",
      ...headers,
    },
    options,
  );
}

export function locate(ctx: RunContext, path?: string): { flow: string; taskId: string; path?: string } {
  return { flow: `${ctx.flow.namespace}/${ctx.flow.id}`, taskId: ctx.task.id, ...(path ? { path } : {}) };
}
