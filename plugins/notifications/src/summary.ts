/**
 * The execution summary the `*Execution` notifications send lives in the SDK (`MailExecution`
 * sends it too); these are its names here.
 */
export {
  humanDuration,
  summarizeExecution as summarize,
  summaryFields,
  summaryTitle,
  type NotificationSummary,
} from "@saker/sdk";
