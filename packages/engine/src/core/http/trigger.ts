/**
 * `http.Trigger`: polls an HTTP endpoint every `interval` and starts an execution when
 * `responseCondition` (rendered with `response.statusCode`, `response.body`, `response.headers`)
 * is true. The execution sees the response as `trigger.uri`, `trigger.code`, `trigger.headers`
 * and `trigger.body`.
 */
import { SakerError, anyValue, defineTrigger, duration, map, raw, z, type TriggerContext } from "@saker/sdk";
import { Agent, interceptors, request, type Dispatcher } from "undici";
import { isTruthyText } from "../../scheduler/whereFilters.ts";

export const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE"] as const;

const OptionsSchema = z
  .looseObject({
    connectTimeout: duration().optional().describe("How long to wait for the connection."),
    readTimeout: duration().optional().describe("How long to wait for the response (PT10S by default)."),
    followRedirects: z.boolean().optional().describe("Follow redirects (default true)."),
    basicAuthUser: z.string().optional().describe("User for basic authentication."),
    basicAuthPassword: z.string().optional().describe("Password for basic authentication."),
    maxContentLength: z.number().int().optional().describe("The largest response body read, in bytes (10 MiB by default)."),
  })
  .describe("HTTP client options.");

type HttpOptions = z.output<typeof OptionsSchema>;

const DEFAULT_READ_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_CONTENT_LENGTH = 10 * 1024 * 1024;

function requestHeaders(props: { headers?: Record<string, unknown> | undefined; contentType?: string | undefined; options?: HttpOptions | undefined }): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(props.headers ?? {})) headers[name.toLowerCase()] = String(value);
  if (props.contentType) headers["content-type"] = props.contentType;
  const { basicAuthUser: user, basicAuthPassword: password } = props.options ?? {};
  if (user !== undefined) headers.authorization = `Basic ${Buffer.from(`${user}:${password ?? ""}`).toString("base64")}`;
  return headers;
}

function requestBody(props: { body?: string | undefined; formData?: Record<string, unknown> | undefined }, headers: Record<string, string>): string | undefined {
  if (props.formData) {
    headers["content-type"] ??= "application/x-www-form-urlencoded";
    return new URLSearchParams(Object.entries(props.formData).map(([k, v]): [string, string] => [k, typeof v === "string" ? v : JSON.stringify(v)])).toString();
  }
  return props.body;
}

function responseHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string[]> {
  const headers: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(raw)) if (value !== undefined) headers[name] = Array.isArray(value) ? value : [value];
  return headers;
}

async function readBody(body: Dispatcher.ResponseData["body"], limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      body.destroy();
      throw new SakerError("HTTP_RESPONSE_TOO_LARGE", `the response body is larger than ${limit} bytes (options.maxContentLength)`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export const Trigger = defineTrigger({
  type: "io.kestra.plugin.core.http.Trigger",
  aliases: ["io.kestra.plugin.fs.http.Trigger"],
  triggerKind: "polling",
  title: "Start an execution when an HTTP endpoint answers as expected",
  description:
    "Calls `uri` every `interval`; when `responseCondition` renders true (by default: a status below 400), starts an execution that sees the response as `trigger.uri`, `trigger.code`, `trigger.headers` and `trigger.body`. Failed statuses do not fail the poll: the condition decides.",
  examples: [
    {
      title: "Poll a price every 30 seconds",
      code: "id: price\ntype: io.kestra.plugin.core.http.Trigger\nuri: https://example.com/products/1\nresponseCondition: \"{{ json(response.body).price <= 110 }}\"\ninterval: PT30S\nstopAfter:\n  - SUCCESS",
    },
  ],
  properties: z.object({
    uri: z.string().describe("The URI to call."),
    method: z.enum(HTTP_METHODS).default("GET").describe("The HTTP method."),
    body: z.string().optional().describe("The request body."),
    formData: map(anyValue()).optional().describe("A form sent URL-encoded."),
    contentType: z.string().optional().describe("The request content type."),
    headers: map(anyValue()).optional().describe("Request headers."),
    options: OptionsSchema.optional(),
    sslOptions: map(anyValue()).optional().describe("TLS options (accepted; the system trust store is used)."),
    encryptBody: z.boolean().default(false).describe("Keep the body out of the trigger variables (Kestra stores it encrypted)."),
    responseCondition: raw(z.string()).default("{{ response.statusCode < 400 }}").describe("Starts an execution when this renders true; sees `response.statusCode`, `response.body`, `response.headers`."),
    interval: duration().prefault("PT60S").describe("Time between two polls."),
  }),
  outputs: z.object({
    uri: z.string(),
    code: z.number(),
    headers: z.record(z.string(), z.array(z.string())),
    body: z.unknown().optional(),
  }),
  async evaluate(props, ctx: TriggerContext) {
    const options = props.options;
    const headers = requestHeaders(props);
    const body = requestBody(props, headers);
    const readTimeout = options?.readTimeout ?? DEFAULT_READ_TIMEOUT_MS;
    const agent = new Agent({ ...(options?.connectTimeout !== undefined ? { connectTimeout: options.connectTimeout } : {}), headersTimeout: readTimeout, bodyTimeout: readTimeout });
    const dispatcher = options?.followRedirects === false ? agent : agent.compose(interceptors.redirect({ maxRedirections: 10 }));
    try {
      const response = await request(props.uri, { method: props.method, headers, ...(body !== undefined ? { body } : {}), signal: ctx.signal, dispatcher });
      const text = await readBody(response.body, options?.maxContentLength ?? DEFAULT_MAX_CONTENT_LENGTH);
      const responseVars = { statusCode: response.statusCode, body: text, headers: responseHeaders(response.headers) };
      ctx.logger.debug("{} responded with status code '{}'", props.uri, response.statusCode);
      if (!isTruthyText(await ctx.render(props.responseCondition, { response: responseVars }))) return undefined;
      return { variables: { uri: props.uri, code: response.statusCode, headers: responseVars.headers, ...(props.encryptBody ? {} : { body: text }) } };
    } finally {
      await agent.close();
    }
  },
});
