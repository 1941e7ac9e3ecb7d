/**
 * `@saker/plugin-notifications`: chat notifications through incoming webhooks (Kestra's
 * `io.kestra.plugin.slack.notifications.*`), a plain message or the summary of an execution.
 * Execution links use configuration `server.url`.
 *
 * @module
 */
import { definePlugin } from "@saker/sdk";
import { SlackExecution, SlackIncomingWebhook } from "./slack.ts";

export default definePlugin({
  title: "Notifications",
  description: "Send messages and execution summaries to chat services through their incoming webhooks.",
  tasks: [SlackIncomingWebhook, SlackExecution],
});
