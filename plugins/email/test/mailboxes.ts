/**
 * Test support for the mail triggers: messages built by nodemailer's MailComposer (real MIME),
 * flows started by a mail trigger, and what the instance did with them: executions, trigger
 * evaluations and trigger logs.
 */
import MailComposer from "nodemailer/lib/mail-composer/index.js";
import type Mail from "nodemailer/lib/mailer/index.js";
import type { KvEntry, KvStore, LogLevel, TriggerContext } from "@saker/sdk";
import { eventually, taskYaml, type TestInstance } from "@saker/engine/testing";
import type { TestDovecot } from "./dovecot.ts";

export const NAMESPACE = "company.mail";
export const RECEIVED = "io.kestra.plugin.email.MailReceivedTrigger";
export const REALTIME = "io.kestra.plugin.email.RealTimeTrigger";

/** The message `options` describe, as a server stores it (with its Bcc header when `keepBcc`). */
export function compose(options: Mail.Options, keepBcc = false): Promise<Buffer> {
  const node = new MailComposer(options).compile();
  node.keepBcc = keepBcc;
  return node.build();
}

export type Connection = "IMAP" | "IMAPS" | "POP3" | "POP3S";

/** Every way to reach the test Dovecot. */
export const CONNECTIONS: readonly Connection[] = ["IMAP", "IMAPS", "POP3", "POP3S"];

/** The test mailbox named `name` (its address, the login). */
export const userOf = (name: string) => `${name.toLowerCase()}@example.com`;

/** The trigger properties (YAML lines) reaching `user`'s mailbox over `connection`. */
export function mailboxProps(dovecot: TestDovecot, connection: Connection, user: string, more = ""): string {
  const protocol = connection.startsWith("IMAP") ? "IMAP" : "POP3";
  const ssl = connection.endsWith("S");
  const port = dovecot.ports[connection.toLowerCase() as keyof TestDovecot["ports"]];
  const tls = ssl ? "ssl: true\ntrustAllCertificates: true" : "ssl: false";
  return `protocol: ${protocol}\nhost: 127.0.0.1\nport: ${port}\n${tls}\nusername: ${user}\npassword: ${dovecot.password}\n${more}`;
}

/** A flow `id` whose trigger `watch` of `type` has `props` (YAML lines), and a task returning the subject. */
export function triggerFlow(id: string, type: string, props: string, interval = "PT1S"): string {
  return `id: ${id}
namespace: ${NAMESPACE}
tasks:
  - id: got
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.subject ?? trigger.latestEmail.subject }}"
triggers:
${taskYaml("watch", type, `interval: ${interval}\n${props}`)}`;
}

const key = (flowId: string) => ({ namespace: NAMESPACE, flowId, triggerId: "watch" });

/** The flow's executions, oldest first. */
export function executionsOf(test: TestInstance, flowId: string) {
  const { instance } = test;
  return instance.executions.search({
    tenantId: instance.config.tenantId,
    namespace: NAMESPACE,
    flowId,
    size: 1000,
    sort: "asc",
  }).results;
}

/** Waits until the flow has `count` executions; returns their trigger variables, oldest first. */
export async function triggered(test: TestInstance, flowId: string, count: number, timeoutMs = 15_000) {
  const found = await eventually(
    () => {
      const all = executionsOf(test, flowId);
      return all.length >= count ? all : undefined;
    },
    timeoutMs,
    `${count} execution(s) of ${flowId}`,
  );
  return found.map((e) => e.trigger?.variables as Record<string, unknown>);
}

/** Resolves once the polling trigger has been evaluated `count` more times. */
export async function evaluations(test: TestInstance, flowId: string, count: number): Promise<void> {
  const { instance } = test;
  const state = () => instance.triggers.get(instance.config.tenantId, key(flowId));
  let last = state()?.nextDate;
  for (let seen = 0; seen < count; seen++) {
    last = await eventually(
      () => {
        const next = state()?.nextDate;
        return next !== last ? next : undefined;
      },
      10_000,
      `evaluation ${seen + 1} of ${flowId}`,
    );
  }
}

/** Disables (stops) or enables the flow's trigger. */
export function setTriggerDisabled(test: TestInstance, flowId: string, disabled: boolean): void {
  test.instance.triggers.setDisabled(test.instance.config.tenantId, key(flowId), disabled);
}

/** The flow's trigger log lines (at `minLevel` and above). */
export function triggerLogs(test: TestInstance, flowId: string, minLevel: LogLevel = "TRACE"): string[] {
  return test.instance.logs
    .find({ namespace: NAMESPACE, flowId, minLevel })
    .filter((l) => l.triggerId === "watch")
    .map((l) => l.message);
}

/** Waits for the flow's first trigger log line at ERROR. */
export function triggerError(test: TestInstance, flowId: string, timeoutMs = 15_000): Promise<string> {
  return eventually(() => triggerLogs(test, flowId, "ERROR")[0], timeoutMs, `an error of ${flowId}'s trigger`);
}

/** Everything the instance logged, at every level, and every execution: to check no secret shows. */
export function everything(test: TestInstance): string {
  const logs = test.instance.logs.find({ namespace: NAMESPACE, minLevel: "TRACE" });
  const executions = test.instance.executions.search({
    tenantId: test.instance.config.tenantId,
    namespace: NAMESPACE,
    size: 10_000,
  }).results;
  return JSON.stringify(logs) + JSON.stringify(executions);
}

/** A KV store in memory. */
function memoryKv(): KvStore {
  const entries = new Map<string, KvEntry>();
  return {
    namespace: NAMESPACE,
    get: async (key) => entries.get(key),
    set: async (key, value) => void entries.set(key, { key, value } as KvEntry),
    delete: async (key) => entries.delete(key),
    list: async () => [...entries.values()],
  };
}

/** What a trigger's evaluation or listener needs of its context, outside an instance (flow `direct`, trigger `watch`). */
export function triggerContext(signal = new AbortController().signal): TriggerContext {
  const quiet = () => {};
  const kv = memoryKv();
  return {
    flow: { id: "direct", namespace: NAMESPACE },
    trigger: { id: "watch", type: REALTIME },
    logger: { trace: quiet, debug: quiet, info: quiet, warn: quiet, error: quiet, log: quiet },
    signal,
    kv: () => kv,
  } as unknown as TriggerContext;
}
