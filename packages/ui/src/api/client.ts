/**
 * The REST client: every call goes to `/api/v1` on the server that served the UI. Credentials
 * (basic auth) are kept for the browser session after sign-in. A request that cannot reach the
 * server marks it "away" and the connection watcher polls /health until it is back.
 */
import { connection } from "./connection.ts";

export const API = "/api/v1";

/** An error answer of the API (`{message, code, path?}`), or `NETWORK` when there was no answer. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly path?: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

const CREDENTIALS_KEY = "saker.credentials";

export const auth = {
  header(): string | undefined {
    const stored = sessionStorage.getItem(CREDENTIALS_KEY) ?? localStorage.getItem(CREDENTIALS_KEY);
    return stored ? `Basic ${stored}` : undefined;
  },
  signIn(username: string, password: string, remember: boolean): void {
    const encoded = btoa(String.fromCharCode(...new TextEncoder().encode(`${username}:${password}`)));
    (remember ? localStorage : sessionStorage).setItem(CREDENTIALS_KEY, encoded);
  },
  signOut(): void {
    sessionStorage.removeItem(CREDENTIALS_KEY);
    localStorage.removeItem(CREDENTIALS_KEY);
  },
};

export type Query = Record<string, string | number | boolean | readonly (string | number)[] | undefined | null>;

/** `?a=1&b=x&b=y` from an object; undefined, null and "" are left out. */
export function queryString(query: Query | URLSearchParams | undefined): string {
  if (!query) return "";
  const params = query instanceof URLSearchParams ? query : new URLSearchParams();
  if (!(query instanceof URLSearchParams)) {
    for (const [key, value] of Object.entries(query)) {
      if (value === undefined || value === null || value === "") continue;
      if (Array.isArray(value)) for (const v of value) params.append(key, String(v));
      else params.append(key, String(value));
    }
  }
  const s = params.toString();
  return s ? `?${s}` : "";
}

export interface RequestOptions {
  query?: Query | URLSearchParams;
  /** A JSON body, a string (sent as is with `contentType`), FormData or a Blob. */
  body?: unknown;
  contentType?: string;
  /** Extra request headers (e.g. the KV store's `ttl`). */
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Answer as text, a Blob or the raw Response rather than parsed JSON. */
  as?: "json" | "text" | "blob" | "response";
}

function headers(options: RequestOptions): Record<string, string> {
  const h: Record<string, string> = { "X-Requested-With": "XMLHttpRequest", Accept: "application/json" };
  const authorization = auth.header();
  if (authorization) h.Authorization = authorization;
  const body = options.body;
  if (options.contentType) h["Content-Type"] = options.contentType;
  else if (body !== undefined && !(body instanceof FormData) && !(body instanceof Blob) && typeof body !== "string")
    h["Content-Type"] = "application/json";
  return { ...h, ...options.headers };
}

function encodeBody(body: unknown): BodyInit | undefined {
  if (body === undefined) return undefined;
  if (body instanceof FormData || body instanceof Blob || typeof body === "string") return body;
  return JSON.stringify(body);
}

async function errorOf(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => "");
  try {
    const body = JSON.parse(text) as { message?: string; code?: string; path?: string; details?: unknown };
    return new ApiError(
      response.status,
      body.code ?? `HTTP_${response.status}`,
      body.message ?? response.statusText,
      body.path,
      body.details,
    );
  } catch {
    return new ApiError(response.status, `HTTP_${response.status}`, text || response.statusText);
  }
}

/** One API call; `path` is below `/api/v1` (`/flows/search`). */
export async function request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(API + path + queryString(options.query), {
      method,
      headers: headers(options),
      body: encodeBody(options.body),
      signal: options.signal,
    });
  } catch (error) {
    if ((error as Error).name === "AbortError") throw error;
    connection.lost();
    throw new ApiError(0, "NETWORK", "The server cannot be reached");
  }
  if (response.status === 401) connection.unauthorized();
  if (!response.ok) throw await errorOf(response);
  const as = options.as ?? "json";
  if (as === "response") return response as T;
  if (as === "blob") return (await response.blob()) as T;
  const text = await response.text();
  if (as === "text") return text as T;
  return (text ? JSON.parse(text) : undefined) as T;
}

export const api = {
  get: <T = unknown>(path: string, options?: RequestOptions) => request<T>("GET", path, options),
  post: <T = unknown>(path: string, body?: unknown, options?: RequestOptions) =>
    request<T>("POST", path, { ...options, body }),
  put: <T = unknown>(path: string, body?: unknown, options?: RequestOptions) =>
    request<T>("PUT", path, { ...options, body }),
  delete: <T = unknown>(path: string, options?: RequestOptions) => request<T>("DELETE", path, options),
};

/** A URL of the API for a plain link (a download); the browser sends the session's credentials itself only without auth. */
export function apiUrl(path: string, query?: Query): string {
  return API + path + queryString(query);
}

/** Downloads an API answer as a file (works with basic auth, unlike a plain link). */
export async function download(path: string, filename: string, query?: Query): Promise<void> {
  const blob = await request<Blob>("GET", path, { query, as: "blob" });
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
