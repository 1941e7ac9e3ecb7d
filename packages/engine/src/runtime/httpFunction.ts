/**
 * Kestra's `http()` expression function: one HTTP call from an expression, returning the response
 * body (parsed when it is JSON). Arguments: `uri`, `method` (GET), `query` (a map of parameters),
 * `body`, `contentType` (application/json), `headers`, `options` (the Request task's options:
 * auth, timeouts, redirects, allowed codes) and `accept` (application/json).
 *
 * The call runs while the render waits (`ctx.resolve`), within two budgets from the
 * `expressions` configuration: `httpTimeoutMs` for the whole call and `httpMaxResponseBytes` for
 * the body.
 */
import type { RunContext } from "@saker/sdk";
import YAML from "yaml";
import { HTTP_METHODS, HttpOptions, exchange, readText, type HttpProps } from "../core/http/client.ts";
import { EvalError } from "../expression/errors.ts";
import { toJson, type CallArgs, type CallContext, type FunctionDef } from "../expression/index.ts";
import { parseJson } from "../expression/json.ts";
import { toPlain } from "../expression/values.ts";
import { signalOf } from "../model/killSwitch.ts";

export interface HttpFunctionSettings {
  /** Milliseconds the whole call (connection, headers and body) may take. */
  timeoutMs: number;
  /** Bytes of response body read at most. */
  maxResponseBytes: number;
}

const ARGUMENTS = ["uri", "method", "query", "body", "contentType", "headers", "options", "accept"] as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The arguments by name (positional ones in Kestra's order). */
function named(args: CallArgs): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  ARGUMENTS.forEach((name, i) => {
    const value = args.get(name, i);
    if (value !== undefined && value !== null) out[name] = toPlain(value);
  });
  for (const name of Object.keys(args.named)) {
    if (!(ARGUMENTS as readonly string[]).includes(name))
      throw new EvalError(`http(): unknown argument '${name}' (expected one of ${ARGUMENTS.join(", ")})`);
  }
  return out;
}

function text(value: unknown): string {
  return typeof value === "string" ? value : toJson(value);
}

/** The request body in `contentType`; a string is sent as it is. */
function encodeBody(body: unknown, contentType: string): string {
  if (typeof body === "string") return body;
  const type = contentType.split(";")[0]!.trim().toLowerCase();
  if (type === "application/json" || type.endsWith("+json")) return toJson(body);
  if (type === "application/x-www-form-urlencoded" && isRecord(body)) {
    return new URLSearchParams(Object.entries(body).map(([k, v]): [string, string] => [k, text(v)])).toString();
  }
  if (type === "application/yaml" || type === "application/x-yaml") return YAML.stringify(body);
  if (type.startsWith("text/")) return text(body);
  throw new EvalError(`http(): cannot write a ${Array.isArray(body) ? "list" : typeof body} body as '${contentType}'`);
}

function headersOf(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (!isRecord(value)) throw new EvalError("http(): headers must be a map");
  const headers: Record<string, string> = {};
  for (const [name, v] of Object.entries(value)) {
    // The body's content type comes from `contentType`, as in Kestra.
    if (name.toLowerCase() === "content-type") continue;
    headers[name] = Array.isArray(v) ? v.map(String).join(", ") : String(v);
  }
  return headers;
}

function uriWithQuery(uri: string, query: unknown): string {
  if (query === undefined) return uri;
  if (!isRecord(query)) throw new EvalError("http(): query must be a map");
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new EvalError(`http(): 'uri' must be an absolute http(s) URI, got '${uri}'`);
  }
  for (const [name, value] of Object.entries(query)) {
    for (const item of Array.isArray(value) ? value : [value]) url.searchParams.append(name, text(item));
  }
  return url.toString();
}

function statusAccepted(options: HttpProps["options"], code: number): boolean {
  if (options.allowedResponseCodes) return options.allowedResponseCodes.includes(code);
  return code < 400 || options.allowFailed === true;
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

async function call(
  request: Record<string, unknown>,
  settings: HttpFunctionSettings,
  signal: AbortSignal | undefined,
): Promise<unknown> {
  if (typeof request.uri !== "string") throw new EvalError("The 'http' function expects an argument 'uri'.");
  const method = String(request.method ?? "GET").toUpperCase();
  if (!(HTTP_METHODS as readonly string[]).includes(method))
    throw new EvalError(`http(): unknown method '${method}' (expected one of ${HTTP_METHODS.join(", ")})`);
  const contentType = String(request.contentType ?? "application/json");
  const parsedOptions = HttpOptions.safeParse(request.options ?? {});
  if (!parsedOptions.success)
    throw new EvalError(
      `http(): invalid options: ${parsedOptions.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
    );
  const options = parsedOptions.data;
  const limit = Math.min(options.maxContentLength ?? settings.maxResponseBytes, settings.maxResponseBytes);
  const props: HttpProps = {
    uri: uriWithQuery(request.uri, request.query),
    method: method as HttpProps["method"],
    ...(request.body !== undefined ? { body: encodeBody(request.body, contentType), contentType } : {}),
    headers: { ...headersOf(request.headers), Accept: String(request.accept ?? "application/json") },
    options,
    allowFailed: false,
  };
  const timeout = AbortSignal.timeout(settings.timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  // No formData is sent, so the call never reads internal storage.
  const context = { signal: combined, storage: undefined as unknown as RunContext["storage"] };
  try {
    return await exchange(
      context,
      props,
      async (response) => {
        if (!statusAccepted(options, response.code)) {
          await response.body.dump().catch(() => undefined);
          throw new EvalError(
            `Failed to execute HTTP Request, server respond with status ${response.code} : ${STATUS_TEXT[response.code] ?? "Error"}`,
          );
        }
        const body = await readText(response.body, limit);
        const type = (response.headers["content-type"]?.[0] ?? "").toLowerCase();
        if (body === "") return null;
        return type.includes("json") ? parseJson(body) : body;
      },
      true,
    );
  } catch (error) {
    if (timeout.aborted && !signal?.aborted)
      throw new EvalError(
        `http(): ${method} ${request.uri} took longer than ${settings.timeoutMs} ms (expressions.httpTimeoutMs)`,
      );
    if (error instanceof EvalError) throw error;
    throw new EvalError(`Failed to execute HTTP request: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
}

export function httpFunction(settings: HttpFunctionSettings): FunctionDef {
  return {
    call: (args: CallArgs, ctx: CallContext) => {
      const request = named(args);
      return ctx.resolve(`http:${toJson(request)}`, () => call(request, settings, signalOf(ctx.signal)));
    },
  };
}
