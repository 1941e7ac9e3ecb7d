/**
 * RealTimeTrigger in a real instance (scheduler on) against the machine's real Dovecot, over IMAP
 * (IDLE) and POP3 (polling), in clear text and over TLS: one execution per message that arrives,
 * within seconds over IMAP; a stopped listener closes its connection, and when started again it
 * reports the mail that came meanwhile, and nothing twice.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, type TestInstance } from "@saker/engine/testing";
import { dovecotAvailable, useDovecot } from "../test/dovecot.ts";
import {
  REALTIME,
  compose,
  executionsOf,
  mailboxProps,
  setTriggerDisabled,
  triggerFlow,
  triggerLogs,
  triggered,
  CONNECTIONS,
  userOf,
} from "../test/mailboxes.ts";
import { emailInstance } from "../test/support.ts";
import type { EmailData } from "./mailbox/emailData.ts";

const available = dovecotAvailable();
const USERS = CONNECTIONS.map((c) => userOf(`realtime-${c}`));

describe.skipIf(!available)("RealTimeTrigger against Dovecot", { concurrent: true }, () => {
  const dovecot = useDovecot(USERS);
  let test: TestInstance;
  beforeAll(async () => {
    test = await emailInstance({}, { scheduler: true });
  });
  afterAll(async () => {
    await test?.close();
  });

  const mail = (user: string, n: number) =>
    compose({
      from: `Writer ${n} <writer${n}@example.com>`,
      to: user,
      cc: n === 2 ? "copy@example.com" : [],
      subject: `Message ${n}`,
      messageId: `<m${n}.${user}>`,
      date: new Date(Math.floor(Date.now() / 1000) * 1000),
      text: `Body ${n}`,
    });

  describe.each(CONNECTIONS)("over %s", (connection) => {
    const imap = connection.startsWith("IMAP");
    const user = userOf(`realtime-${connection}`);
    const flowId = `realtime_${connection.toLowerCase()}`;

    it("starts one execution per message as it arrives; once stopped it lets go of the server, and goes on where it stopped", async () => {
      const type = connection === "IMAPS" ? "io.kestra.plugin.notifications.mail.RealTimeTrigger" : REALTIME;
      await test.instance.deploy(triggerFlow(flowId, type, mailboxProps(dovecot, connection, user)));
      await eventually(() => triggerLogs(test, flowId).find((l) => l.startsWith(imap ? "Listening" : "Checking")));

      dovecot.deliver(user, await mail(user, 1));
      const sent = Date.now();
      const [one] = await triggered(test, flowId, 1);
      // IDLE: the server announces the message, no interval involved
      if (imap) expect(Date.now() - sent).toBeLessThan(5000);
      expect(one).toEqual({
        subject: "Message 1",
        from: "writer1@example.com",
        to: [user],
        cc: [],
        bcc: [],
        date: (one as EmailData).date,
        body: "Body 1\n",
        messageId: `<m1.${user}>`,
        attachments: [],
      } satisfies EmailData);
      expect(Date.parse((one as EmailData).date)).toBeGreaterThan(sent - 10_000);

      dovecot.deliver(user, await mail(user, 2));
      dovecot.deliver(user, await mail(user, 3));
      const three = await triggered(test, flowId, 3);
      expect(three.map((v) => [v!.subject, v!.from, v!.cc])).toEqual([
        ["Message 1", "writer1@example.com", []],
        ["Message 2", "writer2@example.com", ["copy@example.com"]],
        ["Message 3", "writer3@example.com", []],
      ]);

      setTriggerDisabled(test, flowId, true);
      await dovecot.idle(user, 10_000);
      dovecot.deliver(user, await mail(user, 4));
      await new Promise((resolve) => setTimeout(resolve, 2000));
      expect(executionsOf(test, flowId)).toHaveLength(3);

      setTriggerDisabled(test, flowId, false);
      const four = await triggered(test, flowId, 4);
      expect(four.map((v) => v!.subject)).toEqual(["Message 1", "Message 2", "Message 3", "Message 4"]);
      const done = await test.instance.waitForSettled(executionsOf(test, flowId)[3]!.id, 10_000);
      expect(done.taskRunList[0]!.outputs).toEqual({ value: "Message 4" });
      setTriggerDisabled(test, flowId, true);
      await dovecot.idle(user, 10_000);
      expect(executionsOf(test, flowId)).toHaveLength(4);
    }, 60_000);
  });
});
