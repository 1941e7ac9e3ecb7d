/**
 * `@saker/plugin-notifications`: chat notifications through incoming webhooks (Kestra's Slack,
 * Discord, Microsoft Teams and Google Chat types), a plain message or the summary of an execution.
 * Execution links use configuration `server.url`.
 *
 * @module
 */
import { definePlugin } from "@saker/sdk";
import { DiscordExecution, DiscordIncomingWebhook } from "./discord.ts";
import { GoogleChatExecution, GoogleChatIncomingWebhook } from "./googleChat.ts";
import { OpsgenieAlert, OpsgenieExecution } from "./opsgenie.ts";
import { PagerDutyAlert, PagerDutyExecution } from "./pagerDuty.ts";
import { SentryAlert, SentryExecution } from "./sentry.ts";
import { SlackExecution, SlackIncomingWebhook } from "./slack.ts";
import { TeamsExecution, TeamsIncomingWebhook } from "./teams.ts";
import { TelegramExecution, TelegramSend } from "./telegram.ts";
import { ZulipExecution, ZulipIncomingWebhook } from "./zulip.ts";

export default definePlugin({
  title: "Notifications",
  description: "Send messages and execution summaries to chat services through their incoming webhooks.",
  tasks: [
    SlackIncomingWebhook,
    SlackExecution,
    DiscordIncomingWebhook,
    DiscordExecution,
    TeamsIncomingWebhook,
    TeamsExecution,
    GoogleChatIncomingWebhook,
    GoogleChatExecution,
    TelegramSend,
    TelegramExecution,
    ZulipIncomingWebhook,
    ZulipExecution,
    PagerDutyAlert,
    PagerDutyExecution,
    OpsgenieAlert,
    OpsgenieExecution,
    SentryAlert,
    SentryExecution,
  ],
});
