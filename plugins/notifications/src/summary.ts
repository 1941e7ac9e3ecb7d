/**
 * The execution summary the `*Execution` notifications send lives in the SDK (`MailExecution`
 * sends it too); these are its names here.
 */
import { summaryFields, summaryTitle, type NotificationSummary } from "@saker/sdk";

export {
  humanDuration,
  summarizeExecution as summarize,
  summaryFields,
  summaryTitle,
  type NotificationSummary,
} from "@saker/sdk";

/**
 * The summary as plain-text lines, for services whose message is one text (Telegram, Line,
 * Messenger, Twilio, Squadcast): the title, the link (when `server.url` is set), the custom
 * message, then one `Label: value` line per field.
 */
export function summaryLines(
  summary: NotificationSummary,
  customMessage: string | undefined,
  customFields: Readonly<Record<string, unknown>> = {},
): string[] {
  return [
    summaryTitle(summary),
    ...(summary.execution.url ? [summary.execution.url] : []),
    ...(customMessage ? [customMessage] : []),
    ...summaryFields(summary, customFields).map(([name, value]) => `${name}: ${value}`),
  ];
}
