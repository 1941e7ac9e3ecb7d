/**
 * The mistakes a user can make with the mail triggers, against the machine's real Dovecot: each
 * ends the evaluation (or the listener) with an error naming the flow, the trigger, the property
 * to fix and the server, logged on the trigger; a value the flow's schema refuses is refused when
 * the flow is deployed. No password ever shows, and secrets read through `secret()` are masked.
 */
import { createServer, type AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isSakerError } from "@saker/sdk";
import type { TestInstance } from "@saker/engine/testing";
import { dovecotAvailable, useDovecot } from "../test/dovecot.ts";
import {
  NAMESPACE,
  REALTIME,
  RECEIVED,
  compose,
  everything,
  mailboxProps,
  setTriggerDisabled,
  triggerContext,
  triggerError,
  triggerFlow,
  triggered,
  type Connection,
} from "../test/mailboxes.ts";
import { emailInstance } from "../test/support.ts";
import { MailReceivedTrigger } from "./mailReceivedTrigger.ts";

const available = dovecotAvailable();
const USER = "errors@example.com";
const SECRET_USER = "secret-holder@example.com";
const WRONG = "Wrong-pw-for-test-81";
const base64 = (text: string) => Buffer.from(text).toString("base64");

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe.skipIf(!available)("Mail triggers, refused or wrong", { concurrent: true }, () => {
  const dovecot = useDovecot([USER, SECRET_USER]);
  let test: TestInstance;
  beforeAll(async () => {
    test = await emailInstance(
      {},
      {
        scheduler: true,
        env: {
          SECRET_MAIL_USER: base64(SECRET_USER),
          SECRET_MAIL_PASSWORD: base64(dovecot.password),
          SECRET_WRONG_PASSWORD: base64("Secret-wrong-pw-55"),
        },
      },
    );
  });
  afterAll(async () => {
    await test?.close();
  });

  /** Deploys a MailReceivedTrigger flow, returns the first error its trigger logs, then stops it. */
  async function firstError(flowId: string, props: string, type = RECEIVED): Promise<string> {
    await test.instance.deploy(triggerFlow(flowId, type, props));
    try {
      return await triggerError(test, flowId);
    } finally {
      setTriggerDisabled(test, flowId, true);
    }
  }
  const server = (connection: Connection) =>
    `${connection.startsWith("IMAP") ? "IMAP" : "POP3"} server 127.0.0.1:${dovecot.ports[connection.toLowerCase() as "imap"]}`;
  const where = (flowId: string, property: string) => `Flow '${NAMESPACE}/${flowId}', task 'watch', ${property}: `;

  it.each([
    ["IMAP", "[AUTHENTICATIONFAILED] Authentication failed."],
    ["POP3S", "[AUTH] Authentication failed."],
  ] as const)(
    "%s: a wrong password names the trigger, the user and the server, never the password",
    async (connection, answer) => {
      const flowId = `wrong_${connection.toLowerCase()}`;
      const props = mailboxProps(dovecot, connection, USER).replace(dovecot.password, WRONG);
      expect(await firstError(flowId, props)).toBe(
        `Evaluation failed: ${where(flowId, "password")}${server(connection)} refused the login of '${USER}': ${answer}`,
      );
      expect(everything(test)).not.toContain(WRONG);
    },
  );

  it("a realtime listener whose login is refused logs it on the trigger, with the engine's restart notice", async () => {
    const flowId = "wrong_realtime";
    const props = mailboxProps(dovecot, "IMAPS", USER).replace(dovecot.password, WRONG);
    expect(await firstError(flowId, props, REALTIME)).toBe(
      `Listener failed, restarting in 5 s: ${where(flowId, "password")}${server("IMAPS")} refused the login of '${USER}': [AUTHENTICATIONFAILED] Authentication failed.`,
    );
    expect(everything(test)).not.toContain(WRONG);
  });

  it("a host that does not resolve names host", async () => {
    const props = mailboxProps(dovecot, "IMAP", USER).replace("host: 127.0.0.1", "host: mail.saker.invalid");
    expect(await firstError("unknown_host", props)).toBe(
      `Evaluation failed: ${where("unknown_host", "host")}the host 'mail.saker.invalid' is not known (ENOTFOUND)`,
    );
  });

  it.each(["IMAP", "POP3"] as const)("%s: a port nothing listens on names port", async (connection) => {
    const port = await closedPort();
    const flowId = `closed_${connection.toLowerCase()}`;
    const props = mailboxProps(dovecot, connection, USER).replace(/port: \d+/, `port: ${port}`);
    expect(await firstError(flowId, props)).toBe(
      `Evaluation failed: ${where(flowId, "port")}${connection} server 127.0.0.1:${port} refused the connection: nothing listens on port ${port}`,
    );
  });

  it("the cloud metadata address is refused before any connection, naming host", async () => {
    const props = mailboxProps(dovecot, "IMAP", USER).replace("host: 127.0.0.1", "host: 169.254.169.254");
    expect(await firstError("metadata", props)).toBe(
      `Evaluation failed: ${where("metadata", "host")}connecting to 169.254.169.254 is refused: the address is in 169.254.0.0/16, which configuration http.refusedAddresses refuses`,
    );
  });

  it("an address configuration http.refusedAddresses refuses is refused, naming host", async () => {
    const strict = await emailInstance({ http: { refusedAddresses: ["127.0.0.0/8"] } }, { scheduler: true });
    try {
      await strict.instance.deploy(triggerFlow("refused_loopback", RECEIVED, mailboxProps(dovecot, "IMAP", USER)));
      expect(await triggerError(strict, "refused_loopback")).toBe(
        `Evaluation failed: ${where("refused_loopback", "host")}connecting to 127.0.0.1 is refused: the address is in 127.0.0.0/8, which configuration http.refusedAddresses refuses`,
      );
    } finally {
      await strict.close();
    }
  });

  it("an IMAP folder that does not exist names folder", async () => {
    const props = mailboxProps(dovecot, "IMAP", USER, "folder: Nowhere");
    expect(await firstError("no_folder", props)).toBe(
      `Evaluation failed: ${where("no_folder", "folder")}the folder 'Nowhere' does not exist on ${server("IMAP")} (for '${USER}')`,
    );
  });

  it("POP3 has no folders: another folder than the inbox names folder", async () => {
    const props = mailboxProps(dovecot, "POP3", USER, "folder: Archive");
    expect(await firstError("pop3_folder", props)).toBe(
      `Evaluation failed: ${where("pop3_folder", "folder")}'Archive' cannot be read over POP3, which only reads the inbox: remove folder, or use protocol IMAP`,
    );
  });

  it.each(["IMAPS", "POP3S"] as const)(
    "%s: a self-signed certificate is refused unless trustAllCertificates",
    async (connection) => {
      const flowId = `untrusted_${connection.toLowerCase()}`;
      const props = mailboxProps(dovecot, connection, USER).replace("trustAllCertificates: true", "");
      expect(await firstError(flowId, props)).toBe(
        `Evaluation failed: ${where(flowId, "trustAllCertificates")}the TLS certificate of ${server(connection)} is not trusted (self-signed certificate): set trustAllCertificates: true to accept it, for a server you trust`,
      );
    },
  );

  it("TLS spoken to a clear-text port names ssl", async () => {
    const props = mailboxProps(dovecot, "POP3", USER).replace("ssl: false", "ssl: true");
    const error = await firstError("tls_to_plain", props);
    expect(error).toContain(`Evaluation failed: ${where("tls_to_plain", "ssl")}TLS with ${server("POP3")} failed (`);
    expect(error).toContain("does this port speak TLS from the first byte (ssl: true)?");
  });

  it("a protocol or an interval the schema refuses is refused at deploy, or at evaluation when an expression gives it", async () => {
    const props = mailboxProps(dovecot, "IMAP", USER);
    await expect(
      test.instance.deploy(triggerFlow("bad_protocol", RECEIVED, props.replace("protocol: IMAP", "protocol: SMTP"))),
    ).rejects.toThrow(
      `Flow '${NAMESPACE}/bad_protocol' is invalid: triggers[0].protocol: must be one of IMAP, POP3 (got "SMTP")`,
    );
    await expect(test.instance.deploy(triggerFlow("bad_interval", RECEIVED, props, "soon"))).rejects.toThrow(
      `Flow '${NAMESPACE}/bad_interval' is invalid: triggers[0].interval: must be an ISO-8601 duration such as PT30S, PT5M or P1D (got "soon")`,
    );
    const rendered = props.replace("protocol: IMAP", `protocol: "{{ 'SM' ~ 'TP' }}"`);
    expect(await firstError("rendered_protocol", rendered)).toBe(
      "Evaluation failed: property 'protocol' must be one of IMAP, POP3 (got \"SMTP\")",
    );
  });

  it("credentials from secret() work, and are masked wherever they would show", async () => {
    const secretProps = (password: string) =>
      mailboxProps(dovecot, "IMAP", "x")
        .replace("username: x", `username: "{{ secret('MAIL_USER') }}"`)
        .replace(`password: ${dovecot.password}`, `password: "{{ secret('${password}') }}"`);
    await test.instance.deploy(triggerFlow("secret_ok", RECEIVED, secretProps("MAIL_PASSWORD")));
    await expect(firstError("secret_wrong", secretProps("WRONG_PASSWORD"))).resolves.toBe(
      `Evaluation failed: ${where("secret_wrong", "password")}${server("IMAP")} refused the login of '**masked*****************': [AUTHENTICATIONFAILED] Authentication failed.`,
    );
    dovecot.deliver(SECRET_USER, await compose({ from: "a@example.com", to: SECRET_USER, subject: "for the secret" }));
    const [vars] = await triggered(test, "secret_ok", 1);
    setTriggerDisabled(test, "secret_ok", true);
    expect((vars as { total: number }).total).toBe(1);
    const shown = everything(test);
    expect(shown).not.toContain("Secret-wrong-pw-55");
    expect(shown).not.toContain(dovecot.password);
  });

  it("each error is a SakerError with a stable code and the flow, trigger and property as its location", async () => {
    const evaluate = async (props: Record<string, unknown>) => {
      const parsed = MailReceivedTrigger.properties.parse({ host: "127.0.0.1", username: USER, ...props });
      return MailReceivedTrigger.evaluate!(parsed, triggerContext()).then(
        () => undefined,
        (error: unknown) => error,
      );
    };
    const plain = { port: dovecot.ports.imap, ssl: false };
    const cases = [
      [{ ...plain, password: WRONG }, "TASK_FAILED_NON_RETRYABLE", "password"],
      [{ ...plain, password: dovecot.password, folder: "Nowhere" }, "PROPERTY_INVALID", "folder"],
      [{ ssl: false, port: await closedPort(), password: WRONG }, "TASK_FAILED", "port"],
      [{ protocol: "POP3", ...plain, password: "a\r\nDELE 1" }, "PROPERTY_INVALID", "password"],
    ] as const;
    for (const [props, code, path] of cases) {
      const error = await evaluate(props);
      expect(isSakerError(error), String(error)).toBe(true);
      expect(error).toMatchObject({ code, location: { flow: `${NAMESPACE}/direct`, taskId: "watch", path } });
      expect(String((error as Error).message)).not.toContain(WRONG);
    }
  });
});
