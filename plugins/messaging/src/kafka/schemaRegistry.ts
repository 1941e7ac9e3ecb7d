/**
 * A client of the Confluent Schema Registry REST API, the part the serializers use: register a
 * schema under a subject (or look it up, or take the subject's latest version) for its id, and
 * fetch a schema by id. Answers are cached for the task's run. Basic authentication comes from
 * the URL's user info or Confluent's `basic.auth.user.info`; it never appears in an error.
 */
import { NonRetryableError, TaskError } from "@saker/sdk";
import { describeError } from "../core/redactText.ts";
import { redactUrl, scrub, urlSecrets } from "../core/errors.ts";

export interface RegisteredSchema {
  id: number;
  /** The schema text as the registry holds it. */
  schema: string;
  /** `AVRO` (the registry's default when it names none), `PROTOBUF` or `JSON`. */
  schemaType: string;
}

/** How long one registry request may take. */
export const REGISTRY_TIMEOUT_MS = 10_000;

const CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

export class SchemaRegistry {
  private readonly base: string;
  private readonly shown: string;
  private readonly authorization: string | undefined;
  private readonly secrets: string[];
  private readonly byId = new Map<number, Promise<RegisteredSchema>>();
  private readonly bySubject = new Map<string, Promise<RegisteredSchema>>();

  constructor(
    url: string,
    private readonly signal: AbortSignal,
    userInfo?: string,
  ) {
    const parsed = parseUrl(url);
    const credentials =
      userInfo ??
      (parsed.username ? `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}` : undefined);
    parsed.username = "";
    parsed.password = "";
    this.base = parsed.toString().replace(/\/+$/, "");
    this.shown = redactUrl(this.base);
    this.authorization = credentials ? `Basic ${Buffer.from(credentials).toString("base64")}` : undefined;
    this.secrets = [...urlSecrets(url), ...(credentials ? credentials.split(":").filter((s) => s.length >= 2) : [])];
  }

  /** The schema of an id, as a consumer needs it for a record's bytes. */
  schemaById(id: number): Promise<RegisteredSchema> {
    let found = this.byId.get(id);
    if (!found) {
      found = this.request("GET", `/schemas/ids/${id}`, undefined, `schema id ${id}`).then((body) => ({
        id,
        schema: stringField(body, "schema", this.shown),
        schemaType: typeof body.schemaType === "string" ? body.schemaType : "AVRO",
      }));
      found.catch(() => this.byId.delete(id));
      this.byId.set(id, found);
    }
    return found;
  }

  /**
   * The id of `schema` under `subject`: registered (`register`, as Confluent's
   * `auto.register.schemas` does by default), or looked up, or the subject's latest version.
   */
  idFor(
    subject: string,
    schema: string,
    schemaType: string,
    mode: "register" | "lookup" | "latest",
  ): Promise<RegisteredSchema> {
    const key = `${mode}\u0000${subject}\u0000${schema}`;
    let found = this.bySubject.get(key);
    if (!found) {
      const path = `/subjects/${encodeURIComponent(subject)}`;
      const body = { schema, ...(schemaType !== "AVRO" ? { schemaType } : {}) };
      const what = `subject ${subject}`;
      const answer =
        mode === "register"
          ? this.request("POST", `${path}/versions`, body, what)
          : mode === "lookup"
            ? this.request("POST", path, body, what)
            : this.request("GET", `${path}/versions/latest`, undefined, what);
      found = answer.then((reply) => {
        const id = reply.id;
        if (typeof id !== "number")
          throw new TaskError(`Schema registry ${this.shown}: no schema id in its answer for ${what}`);
        return {
          id,
          schema: typeof reply.schema === "string" ? reply.schema : schema,
          schemaType: typeof reply.schemaType === "string" ? reply.schemaType : schemaType,
        };
      });
      found.catch(() => this.bySubject.delete(key));
      this.bySubject.set(key, found);
    }
    return found;
  }

  private async request(method: string, path: string, body: unknown, what: string): Promise<Record<string, unknown>> {
    const headers: Record<string, string> = { accept: CONTENT_TYPE };
    if (body !== undefined) headers["content-type"] = CONTENT_TYPE;
    if (this.authorization) headers.authorization = this.authorization;
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.any([this.signal, AbortSignal.timeout(REGISTRY_TIMEOUT_MS)]),
      });
    } catch (error) {
      this.signal.throwIfAborted();
      throw new TaskError(`Schema registry ${this.shown}: cannot reach it for ${what}: ${this.reason(error)}`);
    }
    const text = await response.text().catch(() => "");
    let parsed: Record<string, unknown> = {};
    try {
      const value = JSON.parse(text) as unknown;
      if (value && typeof value === "object" && !Array.isArray(value)) parsed = value as Record<string, unknown>;
    } catch {
      // A proxy's HTML page or an empty answer: the status says what happened.
    }
    if (response.ok) return parsed;
    const message = scrub(
      typeof parsed.message === "string" ? parsed.message : text.slice(0, 200) || response.statusText,
      this.secrets,
    );
    const code = typeof parsed.error_code === "number" ? ` (error ${parsed.error_code})` : "";
    const full = `Schema registry ${this.shown}: ${what}: ${response.status} ${message}${code}`;
    if (response.status === 401 || response.status === 403)
      throw new NonRetryableError(
        `Schema registry ${this.shown} refused the credentials for ${what}: ${response.status} ${message}`,
      );
    if (response.status === 404) throw new NonRetryableError(`${full}: not in the registry`);
    if (response.status >= 500 || response.status === 429) throw new TaskError(full);
    throw new NonRetryableError(full);
  }

  private reason(error: unknown): string {
    const cause = (error as { cause?: unknown }).cause;
    const code = (cause as { code?: unknown } | undefined)?.code;
    if (code === "ECONNREFUSED") return "connection refused";
    if ((error as Error).name === "TimeoutError") return `no answer within ${REGISTRY_TIMEOUT_MS / 1000} s`;
    return scrub(describeError(cause ?? error), this.secrets);
  }
}

function parseUrl(url: string): URL {
  try {
    const parsed = new URL(url.trim());
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new Error("not http");
    return parsed;
  } catch {
    throw new NonRetryableError(`schema.registry.url must be an http:// or https:// URL, got '${redactUrl(url)}'`);
  }
}

function stringField(body: Record<string, unknown>, name: string, shown: string): string {
  const value = body[name];
  if (typeof value !== "string") throw new TaskError(`Schema registry ${shown}: no ${name} in its answer`);
  return value;
}
