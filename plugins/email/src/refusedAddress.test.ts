/**
 * The SMTP host and the outbound-address policy: a refused address (the cloud metadata one by
 * default, loopback when configured, checked after DNS resolution) fails naming `host` and the
 * address; a host name resolves and the mail goes to the address that was checked.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { TestInstance } from "@saker/engine/testing";
import { emailInstance, mailFlow, startSmtpServer, type TestSmtpServer } from "../test/support.ts";

let open: TestInstance;
let strict: TestInstance;
let smtp: TestSmtpServer;
beforeAll(async () => {
  open = await emailInstance();
  strict = await emailInstance({ http: { refusedAddresses: ["127.0.0.0/8", "::1/128"] } });
  smtp = await startSmtpServer();
});
afterAll(async () => {
  await open?.close();
  await strict?.close();
  await smtp?.close();
});

const errors = (test: TestInstance, executionId: string) =>
  test.instance.logs
    .find({ executionId, minLevel: "ERROR" })
    .map((e) => e.message)
    .join("\n");

const mail = (host: string, port: number) =>
  `host: ${host}\nport: ${port}\ntransportStrategy: SMTP\nfrom: a@example.com\nto: b@example.com\nsubject: hi`;

it("refuses the cloud metadata address by default, naming host", async () => {
  const ex = await open.run(mailFlow("meta", mail("169.254.169.254", 25)));
  expect(ex.state.current).toBe("FAILED");
  expect(errors(open, ex.id)).toContain(
    "host: connecting to 169.254.169.254 is refused: the address is in 169.254.0.0/16",
  );
});

it("checks the name after DNS resolution: localhost refused when loopback is, delivered otherwise", async () => {
  const before = smtp.received.length;
  const refused = await strict.run(mailFlow("local", mail("localhost", smtp.port)));
  expect(refused.state.current).toBe("FAILED");
  expect(errors(strict, refused.id)).toMatch(/host: connecting to localhost \((127\.0\.0\.1|::1)\) is refused/);
  expect(smtp.received.length).toBe(before);
  const literal = await strict.run(mailFlow("literal", mail("127.0.0.1", smtp.port)));
  expect(errors(strict, literal.id)).toContain("connecting to 127.0.0.1 is refused: the address is in 127.0.0.0/8");
  const sent = await open.run(mailFlow("sent", mail("127.0.0.1", smtp.port)));
  expect(sent.state.current, errors(open, sent.id)).toBe("SUCCESS");
  expect(smtp.received.at(-1)!.mail.subject).toBe("hi");
});
