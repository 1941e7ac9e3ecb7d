/** Posting a JSON body to a chat service's incoming webhook, with errors a flow author can act on. */
import { SakerError, type RunContext } from "@saker/sdk";

/** Checks that `url` is an http(s) URL; `path` is the property that held it. */
export function webhookUrl(ctx: RunContext, url: string, path = "url"): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SakerError("NOTIFICATION_BAD_URL", `'${url}' is not a URL`, locate(ctx, path));
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
    throw new SakerError(
      "NOTIFICATION_BAD_URL",
      `a webhook URL must be http or https, not '${parsed.protocol.replace(/:$/, "")}'`,
      locate(ctx, path),
    );
  return parsed;
}

/** POSTs `body` (JSON text) to `url`; a non-2xx answer fails with the service's status and body. */
export async function postJson(
  ctx: RunContext,
  service: string,
  url: string,
  body: string,
  urlPath = "url",
  headers: Readonly<Record<string, string>> = {},
): Promise<void> {
  const target = webhookUrl(ctx, url, urlPath);
  let response: Response;
  try {
    response = await fetch(target, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body,
      signal: ctx.signal,
    });
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    throw new SakerError(
      "NOTIFICATION_UNREACHABLE",
      `${service} webhook ${target.host} could not be reached: ${(error as Error).cause ?? (error as Error).message}`,
      { ...locate(ctx, urlPath), cause: error },
    );
  }
  const answer = await response.text();
  if (!response.ok)
    throw new SakerError(
      "NOTIFICATION_REJECTED",
      `${service} answered ${response.status}${response.statusText ? ` ${response.statusText}` : ""}: ${answer.slice(0, 2000)}`,
      locate(ctx),
    );
  ctx.logger.debug("{} answered {}: {}", service, response.status, answer.slice(0, 500));
}

export function locate(ctx: RunContext, path?: string): { flow: string; taskId: string; path?: string } {
  return { flow: `${ctx.flow.namespace}/${ctx.flow.id}`, taskId: ctx.task.id, ...(path ? { path } : {}) };
}
