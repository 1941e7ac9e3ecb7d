/**
 * The two task shapes every chat service has: an incoming-webhook task that sends a rendered
 * `payload` (or a plain `messageText`), and an execution task that sends the summary of another
 * execution. A service only says how its message JSON looks.
 */
import { SakerError, defineTask, z, type PluginExample, type RunContext } from "@saker/sdk";
import { summarize, type NotificationSummary } from "./summary.ts";
import {
  locate,
  optionsProperty,
  postJson,
  templateRenderMapProperty,
  templateUriProperty,
  webhookUrl,
} from "./webhook.ts";

const url = z.string().min(1).describe("The incoming webhook URL (http or https).");

const webhookProperties = {
  url,
  payload: z.string().optional().describe("The JSON body to send, rendered. Wins over `messageText`."),
  messageText: z.string().optional().describe("A plain message; the task builds the service's JSON around it."),
  options: optionsProperty,
};

interface ServiceInfo {
  /** Name used in messages and docs (`Slack`). */
  service: string;
  type: string;
  aliases: readonly string[];
  examples: readonly PluginExample[];
}

export function incomingWebhookTask(
  info: ServiceInfo & {
    /** The service's JSON for a plain text message; without it the task takes `payload` only. */
    textMessage?(text: string): Record<string, unknown>;
  },
) {
  const textMessage = info.textMessage;
  const properties = textMessage
    ? z.object(webhookProperties)
    : z.object({ url, payload: webhookProperties.payload, options: optionsProperty });
  return defineTask({
    type: info.type,
    aliases: info.aliases,
    title: `Send a ${info.service} message through an incoming webhook.`,
    description: `POSTs \`payload\`${textMessage ? ` (or \`messageText\` wrapped as ${info.service} expects)` : ""} to \`url\`. A 4xx or 5xx answer fails the task with the service's answer.`,
    examples: info.examples,
    properties: properties as z.ZodObject<typeof webhookProperties>,
    outputs: z.object({}),
    async run(props, ctx) {
      const body = bodyOf(ctx, props.payload, props.messageText, textMessage);
      await postJson(ctx, info.service, props.url, body, "url", {}, props.options);
      return {};
    },
  });
}

export function bodyOf(
  ctx: RunContext,
  payload: string | undefined,
  messageText: string | undefined,
  textMessage: ((text: string) => Record<string, unknown>) | undefined,
): string {
  if (payload !== undefined) {
    try {
      JSON.parse(payload);
    } catch (error) {
      throw new SakerError("NOTIFICATION_BAD_PAYLOAD", `payload is not JSON: ${(error as Error).message}`, {
        ...locate(ctx, "payload"),
      });
    }
    return payload;
  }
  if (messageText !== undefined && textMessage) return JSON.stringify(textMessage(messageText));
  throw new SakerError(
    "NOTIFICATION_NO_MESSAGE",
    textMessage ? "set `payload` or `messageText`" : "set `payload`",
    locate(ctx),
  );
}

export const executionProperties = {
  ...webhookProperties,
  executionId: z
    .string()
    .optional()
    .describe("The execution to report, usually `{{ trigger.executionId }}` (default: this execution)."),
  customFields: z.record(z.string(), z.unknown()).optional().describe("More label → value lines for the summary."),
  customMessage: z.string().optional().describe("A line of text shown above the summary."),
  templateRenderMap: templateRenderMapProperty,
  templateUri: templateUriProperty,
};

/**
 * What every `*Execution` task takes to read and add to the summary, for services whose task has
 * no `url` + `payload` of an incoming webhook (Opsgenie, Twilio, Line, X…).
 */
export const summaryProperties = {
  executionId: executionProperties.executionId,
  customFields: executionProperties.customFields,
  customMessage: executionProperties.customMessage,
  templateRenderMap: executionProperties.templateRenderMap,
  templateUri: executionProperties.templateUri,
};

/**
 * A property of Kestra's `*Execution` task that, as in Kestra, is never sent (its `*Template`
 * class puts the rendered summary in `payload` whatever the flow set): `payload`, or Slack's
 * `messageText`. `ownTask` sends one.
 */
export function ignoredProperty(name: "payload" | "messageText", ownTask: string) {
  return z
    .string()
    .optional()
    .describe(
      `Accepted as Kestra's is, and ignored as Kestra ignores it, with a warning: the summary is sent (${ownTask} sends a ${name} of your own).`,
    );
}

/**
 * Says, once, that the properties `ignored` (set by the flow) are not sent, as Kestra's `task`
 * does not send them; `ownTask` is the service's task that sends them.
 */
export function warnIgnored(ctx: RunContext, task: string, ignored: readonly string[], ownTask: string): void {
  if (ignored.length === 0) return;
  const names = ignored.join(" and ");
  ctx.logger.warn(
    `${names} ${ignored.length > 1 ? "are" : "is"} ignored by ${task}, as by Kestra's: the execution's summary is sent ` +
      `(customMessage and customFields add to it; ${ownTask} sends a ${ignored.join(" or ")} of your own)`,
  );
}

export interface ExecutionMessageInput {
  summary: NotificationSummary;
  customFields: Readonly<Record<string, unknown>>;
  customMessage?: string;
}

export function executionTask<E extends z.ZodRawShape>(
  info: ServiceInfo & {
    extraProperties: E;
    /** The service's JSON around `messageText` (default `{ text }`), as its incoming webhook task builds it. */
    textMessage?(text: string): Record<string, unknown>;
    /** A property of the service's own that, like `messageText`, replaces the summary (Google Chat's `text`). */
    textProperty?: keyof E & string;
    /**
     * `messageText` goes inside the summary's message (`summaryMessage` reads it from `props`) instead of
     * replacing it: for services whose message needs more than a text (PagerDuty's event needs a source
     * and a severity, and reads its text from `payload.summary`).
     */
    textInSummary?: boolean;
    /**
     * A `payload` that is not blank is sent as it is, in place of the summary, as Kestra's
     * DiscordTemplate does (a blank one sends the summary). Without it, as in Kestra's other
     * `*Template` classes, `payload` is accepted and ignored with a warning.
     */
    payloadReplacesSummary?: boolean;
    /**
     * Kestra's task has `messageText` (from its incoming-webhook task) and, its payload being always
     * the summary, ignores it (Slack): so does this one, with a warning. Otherwise `messageText` is
     * Saker's and replaces the summary.
     */
    ignoresMessageText?: boolean;
    /** The service's task that sends a message of one's own, named in the warning (default `<Service>IncomingWebhook`). */
    ownTask?: string;
    /** The service's JSON for the summary; `props` holds the service's own properties. */
    summaryMessage(input: ExecutionMessageInput, props: Record<string, unknown>): Record<string, unknown>;
  },
) {
  const name = info.type.slice(info.type.lastIndexOf(".") + 1);
  const ownTask = info.ownTask ?? name.replace(/Execution$/, "IncomingWebhook");
  const replaces = info.textProperty ? ` (as \`${info.textProperty}\` does)` : "";
  const payloadProperty = info.payloadReplacesSummary
    ? z
        .string()
        .optional()
        .describe(
          "JSON sent as it is, rendered, in place of the summary, as by Kestra's (a blank one sends the summary). Wins over `messageText`.",
        )
    : ignoredProperty("payload", ownTask);
  const messageTextProperty = info.ignoresMessageText
    ? ignoredProperty("messageText", ownTask)
    : z
        .string()
        .optional()
        .describe(
          `A plain message sent in place of the summary${replaces}; the task builds the service's JSON around it.`,
        );
  const payloadSentence = info.payloadReplacesSummary
    ? "`payload`, when set and not blank, is sent in place of the summary, as by Kestra's. "
    : `\`payload\` is accepted and, as by Kestra's, ignored (a warning says so; ${ownTask} sends a payload of your own). `;
  const textSentence = info.ignoresMessageText
    ? "`messageText` is ignored too, as by Kestra's."
    : info.textInSummary
      ? "`messageText` takes the place of the summary's title in the message."
      : "`messageText`, when set, replaces the summary.";
  return defineTask({
    type: info.type,
    aliases: info.aliases,
    title: `Send a ${info.service} message with the summary of an execution.`,
    description:
      "Reports an execution (link, id, namespace, flow, state, start, duration and the failed task) to " +
      `${info.service}; use it in a flow with a Flow trigger and \`executionId: "{{ trigger.executionId }}"\`. ` +
      "The link's base URL is configuration `server.url`. " +
      payloadSentence +
      textSentence,
    examples: info.examples,
    properties: z.object({
      ...executionProperties,
      payload: payloadProperty,
      messageText: messageTextProperty,
      ...info.extraProperties,
    }),
    outputs: z.object({}),
    async run(props, ctx) {
      const p = props as z.output<z.ZodObject<typeof executionProperties>> & Record<string, unknown>;
      webhookUrl(ctx, p.url);
      const ignored: string[] = [];
      let payload = p.payload;
      if (payload !== undefined && !info.payloadReplacesSummary) {
        ignored.push("payload");
        payload = undefined;
      }
      if (payload !== undefined && payload.trim() === "") payload = undefined;
      if (p.messageText !== undefined && info.ignoresMessageText) ignored.push("messageText");
      warnIgnored(ctx, name, ignored, ownTask);
      const messageText =
        info.textInSummary || info.ignoresMessageText
          ? undefined
          : (p.messageText ?? (info.textProperty ? (p[info.textProperty] as string | undefined) : undefined));
      let body: string;
      if (payload !== undefined || messageText !== undefined)
        body = bodyOf(ctx, payload, messageText, info.textMessage ?? ((text) => ({ text })));
      else {
        const summary = await summarize(ctx, p.executionId ?? ctx.execution.id);
        body = JSON.stringify(
          info.summaryMessage(
            {
              summary,
              customFields: p.customFields ?? {},
              ...(p.customMessage !== undefined ? { customMessage: p.customMessage } : {}),
            },
            p,
          ),
        );
      }
      await postJson(ctx, info.service, p.url, body, "url", {}, p.options);
      return {};
    },
  });
}
