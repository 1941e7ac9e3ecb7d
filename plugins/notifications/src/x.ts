/**
 * X (Twitter): `io.kestra.plugin.x.XExecution` (and the older
 * `io.kestra.plugin.notifications.x.XExecution`): a post of the v2 API, authenticated with a
 * bearer token or with OAuth 1.0a user credentials (signed here, HMAC-SHA1).
 */
import { createHmac, randomBytes } from "node:crypto";
import { NonRetryableError, defineTask, z } from "@saker/sdk";
import { summaryProperties } from "./families.ts";
import { summarize, summaryTitle, type NotificationSummary } from "./summary.ts";
import { locate, optionsProperty, postJson, webhookUrl } from "./webhook.ts";

/** X's limit on a post's length. */
const MAX_POST = 280;

/** RFC 3986 percent-encoding, as OAuth 1.0a signs with. */
const enc = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

interface OAuth1 {
  consumerKey: string;
  consumerSecret: string;
  accessToken: string;
  accessSecret: string;
}

/** The `Authorization: OAuth …` header of a POST to `url` with a JSON body (only the oauth_* parameters are signed). */
export function oauth1Header(
  url: string,
  c: OAuth1,
  now = Date.now(),
  nonce = randomBytes(16).toString("hex"),
): string {
  const target = new URL(url);
  const params: [string, string][] = [
    ["oauth_consumer_key", c.consumerKey],
    ["oauth_nonce", nonce],
    ["oauth_signature_method", "HMAC-SHA1"],
    ["oauth_timestamp", String(Math.floor(now / 1000))],
    ["oauth_token", c.accessToken],
    ["oauth_version", "1.0"],
  ];
  const signed = [...params, ...[...target.searchParams].map(([k, v]) => [k, v] as [string, string])]
    .map(([k, v]) => [enc(k), enc(v)])
    .sort(([a, av], [b, bv]) => (a === b ? (av! < bv! ? -1 : 1) : a! < b! ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  const base = `POST&${enc(`${target.protocol}//${target.host}${target.pathname}`)}&${enc(signed)}`;
  const signature = createHmac("sha1", `${enc(c.consumerSecret)}&${enc(c.accessSecret)}`)
    .update(base)
    .digest("base64");
  params.push(["oauth_signature", signature]);
  params.sort(([a], [b]) => (a < b ? -1 : 1));
  return `OAuth ${params.map(([k, v]) => `${k}="${enc(v)}"`).join(", ")}`;
}

/** A short summary that fits a post: title, failed task, custom message and fields, link. */
function postText(s: NotificationSummary, customMessage?: string, customFields: Record<string, unknown> = {}): string {
  return [
    summaryTitle(s),
    ...(s.failedTask ? [`Failed task: ${s.failedTask.taskId}`] : []),
    ...(customMessage ? [customMessage] : []),
    ...Object.entries(customFields).map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`),
    ...(s.execution.url ? [s.execution.url] : []),
  ].join("\n");
}

export const XExecution = defineTask({
  type: "io.kestra.plugin.x.XExecution",
  aliases: ["io.kestra.plugin.notifications.x.XExecution"],
  title: "Post the summary of an execution on X.",
  description:
    "POSTs `{text}` to `url` (default `https://api.x.com/2/tweets`): the title, the failed task, the custom message and fields, " +
    "and the link. Authenticated with `bearerToken` or, without it, OAuth 1.0a (`consumerKey`, `consumerSecret`, `accessToken`, `accessSecret`). " +
    `A text longer than ${MAX_POST} characters fails the task before anything is sent; a 4xx or 5xx answer fails it with X's answer. ` +
    "`textBody` is accepted and, as by Kestra's, ignored with a warning.",
  examples: [
    {
      title: "Post failed executions",
      code: `- id: x
  type: io.kestra.plugin.x.XExecution
  bearerToken: "{{ secret('X_BEARER_TOKEN') }}"
  executionId: "{{ trigger.executionId }}"
  customMessage: Production run failed
`,
    },
  ],
  properties: z.object({
    bearerToken: z
      .string()
      .optional()
      .describe("A bearer token; without it the four OAuth 1.0a credentials are needed."),
    consumerKey: z.string().optional().describe("OAuth 1.0a consumer key (API key)."),
    consumerSecret: z.string().optional().describe("OAuth 1.0a consumer secret (API secret)."),
    accessToken: z.string().optional().describe("OAuth 1.0a access token."),
    accessSecret: z.string().optional().describe("OAuth 1.0a access token secret."),
    textBody: z
      .string()
      .optional()
      .describe(
        "Accepted as Kestra's is, and ignored as Kestra's XExecution ignores it, with a warning: the summary is posted.",
      ),
    url: z.string().min(1).default("https://api.x.com/2/tweets").describe("The create-post URL."),
    options: optionsProperty,
    ...summaryProperties,
  }),
  outputs: z.object({}),
  async run(props, ctx) {
    webhookUrl(ctx, props.url);
    let authorization: string;
    if (props.bearerToken !== undefined) authorization = `Bearer ${props.bearerToken}`;
    else {
      const { consumerKey, consumerSecret, accessToken, accessSecret } = props;
      const missing = Object.entries({ consumerKey, consumerSecret, accessToken, accessSecret })
        .filter(([, v]) => v === undefined)
        .map(([k]) => k);
      if (missing.length)
        throw new NonRetryableError(
          `set bearerToken, or the OAuth 1.0a credentials (missing: ${missing.join(", ")})`,
          locate(ctx, missing[0]),
        );
      authorization = oauth1Header(props.url, { consumerKey, consumerSecret, accessToken, accessSecret } as OAuth1);
    }
    if (props.textBody !== undefined)
      ctx.logger.warn("textBody is ignored by XExecution, as by Kestra's: the execution's summary is posted");
    const summary = await summarize(ctx, props.executionId ?? ctx.execution.id);
    const text = postText(summary, props.customMessage, props.customFields);
    if ([...text].length > MAX_POST)
      throw new NonRetryableError(
        `the post is ${[...text].length} characters long, more than X's ${MAX_POST} (shorten customMessage or customFields)`,
        locate(ctx),
      );
    await postJson(ctx, "X", props.url, JSON.stringify({ text }), "url", { authorization }, props.options);
    return {};
  },
});
