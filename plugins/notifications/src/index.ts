/**
 * `@saker/plugin-notifications`: Kestra's notification types (chat webhooks, Telegram, LINE,
 * Messenger, WhatsApp, X, Twilio Notify, SendGrid mail, PagerDuty, Opsgenie, Zenduty, Squadcast,
 * Sentry), a plain message or the summary of an execution.
 * Execution links use configuration `server.url`.
 *
 * @module
 */
import { definePlugin } from "@saker/sdk";
import { DiscordExecution, DiscordIncomingWebhook } from "./discord.ts";
import { GoogleChatExecution, GoogleChatIncomingWebhook } from "./googleChat.ts";
import { LineExecution } from "./line.ts";
import { MessengerExecution } from "./messenger.ts";
import { OpsgenieAlert, OpsgenieExecution } from "./opsgenie.ts";
import { PagerDutyAlert, PagerDutyExecution } from "./pagerDuty.ts";
import { SendGridMailExecution, SendGridMailSend } from "./sendGrid.ts";
import { SentryAlert, SentryExecution } from "./sentry.ts";
import { SlackExecution, SlackIncomingWebhook } from "./slack.ts";
import { SquadcastExecution, SquadcastIncomingWebhook } from "./squadcast.ts";
import { TeamsExecution, TeamsIncomingWebhook } from "./teams.ts";
import { TelegramExecution, TelegramSend } from "./telegram.ts";
import { TwilioAlert, TwilioExecution } from "./twilio.ts";
import { WhatsAppExecution, WhatsAppIncomingWebhook } from "./whatsApp.ts";
import { XExecution } from "./x.ts";
import { ZendutyAlert, ZendutyExecution } from "./zenduty.ts";
import { ZulipExecution, ZulipIncomingWebhook } from "./zulip.ts";

export default definePlugin({
  title: "Notifications",
  description: "Send messages and execution summaries to chat, messaging and incident services over HTTP.",
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
    TwilioAlert,
    TwilioExecution,
    SendGridMailSend,
    SendGridMailExecution,
    ZendutyAlert,
    ZendutyExecution,
    SquadcastIncomingWebhook,
    SquadcastExecution,
    WhatsAppIncomingWebhook,
    WhatsAppExecution,
    LineExecution,
    MessengerExecution,
    XExecution,
  ],
});
