/**
 * What Request and Download share: their properties (Kestra's `AbstractHttp`, with both the older
 * flat `options` and the newer `options.auth` / `options.timeout` forms), building the request,
 * and the undici client honouring timeouts, redirects and the allowed status codes.
 */
import { basename } from "node:path";
import { anyValue, duration, errorMessage, map, NonRetryableError, TaskError, z, type RunContext } from "@saker/sdk";
import type { Dispatcher, FormData } from "undici";

export const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE"] as const;

const Auth = z.looseObject({
  type: z.enum(["BASIC", "BEARER"]).describe("BASIC (username, password) or BEARER (token)."),
  username: z.string().optional(),
  password: z.string().optional(),
  token: z.string().optional(),
});

export const HttpOptions = z
  .looseObject({
    connectTimeout: duration().optional().describe("How long to wait for the connection."),
    readTimeout: duration().optional().describe("How long to wait for the response headers (PT10S by default)."),
    readIdleTimeout: duration().optional().describe("How long the body may stay silent (PT5M by default)."),
    timeout: z
      .looseObject({ connectTimeout: duration().optional(), readIdleTimeout: duration().optional() })
      .optional()
      .describe("Timeouts (newer form)."),
    followRedirects: z.boolean().default(true).describe("Follow redirects."),
    allowFailed: z.boolean().optional().describe("Do not fail on an HTTP status of 400 or more."),
    allowedResponseCodes: z.array(z.number().int()).optional().describe("The only status codes accepted."),
    basicAuthUser: z.string().optional().describe("User for basic authentication (older form)."),
    basicAuthPassword: z.string().optional().describe("Password for basic authentication (older form)."),
    auth: Auth.optional().describe("Authentication."),
    maxContentLength: z
      .number()
      .int()
      .optional()
      .describe("The largest response body read by Request, in bytes (10 MiB by default)."),
  })
  .describe("HTTP client options.");

export const httpProperties = {
  uri: z.string().describe("The URI to call."),
  method: z.enum(HTTP_METHODS).default("GET").describe("The HTTP method."),
  body: z.string().optional().describe("The request body."),
  formData: map(anyValue())
    .optional()
    .describe(
      "A form: URL-encoded, or multipart with `contentType: multipart/form-data` (a kestra:// value, or `{name, content}`, sends a file).",
    ),
  contentType: z
    .string()
    .optional()
    .describe(
      "The request content type: of a `body` (application/json unless set here or in `headers`), or multipart/form-data for a multipart `formData`.",
    ),
  headers: map(anyValue()).optional().describe("Request headers."),
  options: HttpOptions.prefault({}),
  sslOptions: map(anyValue()).optional().describe("TLS options (accepted; the system trust store is used)."),
  allowFailed: z
    .boolean()
    .default(false)
    .describe("Do not fail on an HTTP status of 400 or more (older form of options.allowFailed)."),
};

export const httpPropsSchema = z.object(httpProperties);
export type HttpProps = z.output<typeof httpPropsSchema>;

const DEFAULT_READ_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_CONTENT_LENGTH = 10 * 1024 * 1024;
const DEFAULT_READ_IDLE_TIMEOUT_MS = 5 * 60_000;

function authorization(options: HttpProps["options"]): string | undefined {
  const auth = options.auth;
  if (auth?.type === "BEARER") return `Bearer ${auth.token ?? ""}`;
  const user = auth?.type === "BASIC" ? auth.username : options.basicAuthUser;
  const password = auth?.type === "BASIC" ? auth.password : options.basicAuthPassword;
  return user === undefined ? undefined : `Basic ${Buffer.from(`${user}:${password ?? ""}`).toString("base64")}`;
}

async function multipart(ctx: Pick<RunContext, "storage">, form: Record<string, unknown>): Promise<FormData> {
  const data = new (await import("undici")).FormData();
  for (const [key, value] of Object.entries(form)) {
    if (typeof value === "string" && value.startsWith("kestra://")) {
      data.append(key, new Blob([await ctx.storage.readFile(value)]), basename(value));
    } else if (value && typeof value === "object" && "name" in value && "content" in value) {
      const file = value as { name: unknown; content: unknown };
      data.append(key, new Blob([await ctx.storage.readFile(String(file.content))]), String(file.name));
    } else data.append(key, typeof value === "string" ? value : JSON.stringify(value));
  }
  return data;
}

async function requestBody(
  ctx: Pick<RunContext, "storage">,
  props: HttpProps,
  headers: Record<string, string>,
): Promise<string | FormData | undefined> {
  if (props.formData) {
    if (props.contentType?.toLowerCase().startsWith("multipart/form-data")) {
      delete headers["content-type"]; // undici sets it with the boundary
      return multipart(ctx, props.formData);
    }
    // URL-encoded whatever `contentType` says, as in Kestra (a header of the user's still wins)
    headers["content-type"] ??= "application/x-www-form-urlencoded";
    return new URLSearchParams(
      Object.entries(props.formData).map(([k, v]): [string, string] => [
        k,
        typeof v === "string" ? v : JSON.stringify(v),
      ]),
    ).toString();
  }
  return props.body;
}

function checkUri(uri: string): URL {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new NonRetryableError(`'uri' must be an absolute http(s) URI, got '${uri}'`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new NonRetryableError(`'uri' must be an http(s) URI, got '${uri}'`);
  return url;
}

export interface HttpResponse {
  code: number;
  headers: Record<string, string[]>;
  body: Dispatcher.ResponseData["body"];
}

/** `allowFailed`, in its older top-level form or in `options`. */
export function allowsFailure(props: HttpProps): boolean {
  return props.allowFailed || props.options.allowFailed === true;
}

/** Whether a status passes `allowedResponseCodes`, or else is below 400 or failures are allowed. */
function statusAccepted(props: HttpProps, code: number): boolean {
  if (props.options.allowedResponseCodes) return props.options.allowedResponseCodes.includes(code);
  return code < 400 || allowsFailure(props);
}

/**
 * Sends the request; `use` reads the response before the client closes. A refused status fails
 * the call unless `anyStatus` (the HTTP trigger lets its condition decide).
 */
export async function exchange<T>(
  ctx: Pick<RunContext, "storage" | "signal">,
  props: HttpProps,
  use: (response: HttpResponse) => Promise<T>,
  anyStatus = false,
): Promise<T> {
  const url = checkUri(props.uri);
  const options = props.options;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(props.headers ?? {})) headers[name.toLowerCase()] = String(value);
  const auth = authorization(options);
  if (auth) headers.authorization = auth;
  const body = await requestBody(ctx, props, headers);
  // Kestra's `contentType` (JSON by default) types a text body, or a request without one; a
  // Content-Type header of the user's wins over it
  const contentType = props.contentType ?? (typeof body === "string" ? "application/json" : undefined);
  if (!props.formData && contentType) headers["content-type"] ??= contentType;
  const connectTimeout = options.timeout?.connectTimeout ?? options.connectTimeout;
  // undici (about 110 modules) loads with the first request, not with every process that opens the engine
  const { Agent, interceptors, request } = await import("undici");
  const agent = new Agent({
    ...(connectTimeout !== undefined ? { connectTimeout } : {}),
    headersTimeout: options.readTimeout ?? DEFAULT_READ_TIMEOUT_MS,
    bodyTimeout: options.timeout?.readIdleTimeout ?? options.readIdleTimeout ?? DEFAULT_READ_IDLE_TIMEOUT_MS,
  });
  const dispatcher = options.followRedirects ? agent.compose(interceptors.redirect({ maxRedirections: 10 })) : agent;
  try {
    const response = await request(url, {
      method: props.method,
      headers,
      ...(body !== undefined ? { body } : {}),
      signal: ctx.signal,
      dispatcher,
    }).catch((error: unknown) => {
      if (ctx.signal.aborted) throw error;
      throw new TaskError(`${props.method} ${props.uri} failed: ${errorMessage(error)}`, { cause: error });
    });
    const result: HttpResponse = {
      code: response.statusCode,
      headers: responseHeaders(response.headers),
      body: response.body,
    };
    if (!anyStatus && !statusAccepted(props, result.code)) {
      const text = await readText(response.body, 2048).catch(() => "");
      throw new NonRetryableError(`Failed http request with response code '${result.code}'${text ? `: ${text}` : ""}`);
    }
    return await use(result);
  } finally {
    await agent.close();
  }
}

function responseHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string[]> {
  const headers: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(raw))
    if (value !== undefined) headers[name] = Array.isArray(value) ? value : [value];
  return headers;
}

/** Reads a body as UTF-8 text, failing beyond `limit` bytes. */
export async function readText(body: Dispatcher.ResponseData["body"], limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      body.destroy();
      throw new NonRetryableError(
        `The response body is larger than ${limit} bytes (options.maxContentLength); use the Download task for large responses`,
      );
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}
