/**
 * Test support: a real engine instance with the core plugin and this one registered, and a real
 * SMTP server on loopback that keeps every mail it accepts, parsed.
 */
import type { AddressInfo } from "node:net";
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer, type SMTPServerOptions } from "smtp-server";
import { coreRegistry, openTestInstance, type TestInstance } from "@saker/engine/testing";
import email from "../src/index.ts";

export async function emailInstance(
  overrides: Record<string, unknown> = {},
  options: { scheduler?: boolean; env?: Record<string, string> } = {},
): Promise<TestInstance> {
  const registry = coreRegistry();
  registry.addPlugin({ name: "@saker/plugin-email", version: "1.0.0", core: false }, email);
  return openTestInstance({ registry, overrides, ...options });
}

export { eventually, taskRun } from "@saker/engine/testing";

/** A mail the server accepted: the SMTP envelope and the parsed message. */
export interface Received {
  envelope: { from: string; to: string[] };
  mail: ParsedMail;
}

export interface TestSmtpServer {
  port: number;
  received: Received[];
  close(): Promise<void>;
}

/**
 * Starts an SMTP server on 127.0.0.1 (a free port). Logins are accepted for `user`/`secret` only;
 * recipients at `refused.example` are rejected. `secure` serves TLS from the start with
 * smtp-server's built-in self-signed certificate.
 */
export async function startSmtpServer(options: { secure?: boolean } = {}): Promise<TestSmtpServer> {
  const received: Received[] = [];
  const settings: SMTPServerOptions = {
    secure: options.secure ?? false,
    authOptional: true,
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === "user" && auth.password === "secret") callback(null, { user: auth.username });
      else callback(new Error("Invalid username or password"));
    },
    onRcptTo(address, _session, callback) {
      if (address.address.endsWith("@refused.example")) callback(new Error(`No such user ${address.address}`));
      else callback();
    },
    onData(stream, session, callback) {
      simpleParser(stream, { keepCidLinks: true })
        .then((mail) => {
          received.push({
            envelope: {
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
              to: session.envelope.rcptTo.map((r) => r.address),
            },
            mail,
          });
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  };
  const server = new SMTPServer(settings);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return { port, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A flow writing `files` (name → content) to storage, then sending a mail with `props` (YAML lines). */
export function mailFlow(id: string, props: string, type = "io.kestra.plugin.email.MailSend"): string {
  const indented = props
    .trim()
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n");
  return `id: ${id}
namespace: company.mail
tasks:
  - id: report
    type: io.kestra.plugin.core.storage.Write
    content: "id,name\\n1,Ada\\n"
    extension: .csv
  - id: logo
    type: io.kestra.plugin.core.storage.Write
    content: "not really a png"
    extension: .png
  - id: mail
    type: ${type}
${indented}
`;
}
