/**
 * Body parsers: JSON is kept as text beside its parsed value (the KV store needs the text to
 * keep a value's type), YAML and plain text are strings. JSON is parsed within the data limits:
 * a body nested too deep or holding `__proto__` is a 400 before any route sees it.
 */
import { isSakerError } from "@saker/sdk";
import { parseJsonData } from "@saker/engine";
import type { FastifyInstance, FastifyRequest } from "fastify";

const RAW = Symbol("saker.rawBody");
const INVALID_JSON = Symbol("saker.invalidJson");

const WEBHOOK_URL = /^\/api\/v1\/(?:[^/]+\/)?executions\/webhook\//;

type WithRaw = FastifyRequest & { [RAW]?: string; [INVALID_JSON]?: boolean };

/** True when a JSON body could not be parsed (routes with a body schema then answer 400). */
export function hasInvalidJson(request: FastifyRequest): boolean {
  return (request as WithRaw)[INVALID_JSON] === true;
}

/** The body as the client sent it (JSON or text routes). */
export function rawBodyOf(request: FastifyRequest): string {
  const raw = (request as WithRaw)[RAW];
  if (raw !== undefined) return raw;
  return typeof request.body === "string" ? request.body : "";
}

export function registerBodyParsers(app: FastifyInstance): void {
  app.removeContentTypeParser(["application/json", "text/plain"]);
  const asJson = (
    request: FastifyRequest,
    body: string | Buffer,
    done: (error: Error | null, value?: unknown) => void,
  ) => {
    const text = String(body);
    (request as WithRaw)[RAW] = text;
    if (text.trim() === "") return done(null, undefined);
    try {
      done(null, parseJsonData(text, "The request body"));
    } catch (error) {
      if (isSakerError(error)) return done(error);
      // not an error yet: the KV store reads bare values (2024-01-01, PT5M) sent as JSON
      (request as WithRaw)[INVALID_JSON] = true;
      done(null, undefined);
    }
  };
  app.addContentTypeParser("application/json", { parseAs: "string" }, asJson);
  app.addContentTypeParser(/^application\/[a-z.+-]*\+json$/, { parseAs: "string" }, asJson);
  const asText = (
    request: FastifyRequest,
    body: string | Buffer,
    done: (error: Error | null, value?: unknown) => void,
  ) => {
    (request as WithRaw)[RAW] = String(body);
    done(null, String(body));
  };
  app.addContentTypeParser(
    ["text/plain", "application/x-yaml", "application/yaml", "text/yaml", "text/x-yaml"],
    { parseAs: "string" },
    asText,
  );
  // `curl -d name=value`: form fields, read like multipart fields (repeated names give lists)
  app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (request, body, done) => {
    (request as WithRaw)[RAW] = String(body);
    const fields: Record<string, string | string[]> = {};
    for (const [name, value] of new URLSearchParams(String(body))) {
      const seen = fields[name];
      fields[name] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
    }
    done(null, fields);
  });
  // A webhook takes any content type (XML, CSV, bytes…) as text; other routes refuse what they do not read.
  app.addContentTypeParser("*", { parseAs: "buffer" }, (request, body, done) => {
    if (!WEBHOOK_URL.test(request.url)) {
      return done(
        Object.assign(new Error(`Unsupported Media Type: ${String(request.headers["content-type"])}`), {
          statusCode: 415,
          code: "FST_ERR_CTP_INVALID_MEDIA_TYPE",
        }),
      );
    }
    const text = Buffer.isBuffer(body) ? body.toString("utf8") : String(body);
    (request as WithRaw)[RAW] = text;
    done(null, text);
  });
}
