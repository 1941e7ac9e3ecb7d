/**
 * MailSend against a real SMTP server on loopback: what the server receives (headers, envelope,
 * bodies, attachments, inline images), each transport strategy, and what happens when the server
 * or the input is wrong.
 */
import { createServer, type AddressInfo, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestInstance } from "@saker/engine/testing";
import { emailInstance, mailFlow, startSmtpServer, taskRun, type TestSmtpServer } from "../test/support.ts";

let test: TestInstance;
let smtp: TestSmtpServer;
let smtps: TestSmtpServer;

beforeAll(async () => {
  test = await emailInstance();
  smtp = await startSmtpServer();
  smtps = await startSmtpServer({ secure: true });
});
afterAll(async () => {
  await test?.close();
  await smtp?.close();
  await smtps?.close();
});

const server = (port: number, strategy = "SMTP") =>
  `host: 127.0.0.1\nport: ${port}\ntransportStrategy: ${strategy}\nverifyServerIdentity: false`;

const errors = (executionId: string) =>
  test.instance.logs
    .find({ executionId, minLevel: "ERROR" })
    .map((e) => e.message)
    .join("\n");

describe("MailSend", () => {
  it("sends headers, both bodies, attachments and inline images the server can parse", async () => {
    const before = smtp.received.length;
    const ex = await test.run(
      mailFlow(
        "full",
        `${server(smtp.port)}
username: user
password: secret
from: Saker <alerts@example.com>
to: "ops@example.com; data@example.com"
cc: [lead@example.com]
bcc: hidden@example.com
subject: "Flow {{ flow.id }} report"
htmlTextContent: "<p>Execution {{ execution.id }}</p><img src=\\"cid:logo.png\\">"
plainTextContent: "Execution {{ execution.id }}"
attachments:
  - name: report.csv
    uri: "{{ outputs.report.uri }}"
    contentType: text/csv
embeddedImages:
  - name: logo.png
    uri: "{{ outputs.logo.uri }}"
    contentType: image/png`,
      ),
    );
    expect(ex.state.current, errors(ex.id)).toBe("SUCCESS");
    expect(taskRun(ex, "mail").outputs).toEqual({});
    expect(smtp.received).toHaveLength(before + 1);
    const { envelope, mail } = smtp.received[before]!;
    expect(envelope.from).toBe("alerts@example.com");
    expect([...envelope.to].sort()).toEqual(
      ["data@example.com", "hidden@example.com", "lead@example.com", "ops@example.com"].sort(),
    );
    expect(mail.from?.text).toBe('"Saker" <alerts@example.com>');
    expect(mail.subject).toBe("Flow full report");
    expect(mail.headers.get("bcc")).toBeUndefined();
    expect(mail.html).toBe(`<p>Execution ${ex.id}</p><img src="cid:logo.png">`);
    expect(mail.text?.trim()).toBe(`Execution ${ex.id}`);
    const attachment = mail.attachments.find((a) => a.filename === "report.csv")!;
    expect(attachment.contentType).toBe("text/csv");
    expect(attachment.contentDisposition).toBe("attachment");
    expect(attachment.content.toString()).toBe("id,name\n1,Ada\n");
    const image = mail.attachments.find((a) => a.filename === "logo.png")!;
    expect(image.contentType).toBe("image/png");
    expect(image.contentDisposition).toBe("inline");
    expect(image.contentId).toBe("<logo.png>");
    expect(image.content.toString()).toBe("not really a png");
  });

  it("sends over SMTPS, and under the older notifications id", async () => {
    const before = smtps.received.length;
    const ex = await test.run(
      mailFlow(
        "smtps",
        `${server(smtps.port, "SMTPS")}\nfrom: a@example.com\nto: b@example.com\nsubject: over TLS\nplainTextContent: hello`,
        "io.kestra.plugin.notifications.mail.MailSend",
      ),
    );
    expect(ex.state.current, errors(ex.id)).toBe("SUCCESS");
    expect(smtps.received).toHaveLength(before + 1);
    expect(smtps.received[before]!.mail.subject).toBe("over TLS");
    expect(smtps.received[before]!.mail.text?.trim()).toBe("hello");
  });

  it("takes attachments rendered from one expression, as Kestra's toJson example writes them", async () => {
    const before = smtp.received.length;
    const ex = await test.run(
      mailFlow(
        "jsonfiles",
        `${server(smtp.port)}
from: a@example.com
to: b@example.com
attachments: '{{ [{"name": "r.csv", "uri": outputs.report.uri}] | toJson }}'`,
      ),
    );
    expect(ex.state.current, errors(ex.id)).toBe("SUCCESS");
    const [file] = smtp.received[before]!.mail.attachments;
    expect(file?.filename).toBe("r.csv");
    expect(file?.content.toString()).toBe("id,name\n1,Ada\n");
  });

  it("sends over SMTP_TLS (STARTTLS)", async () => {
    const before = smtp.received.length;
    const ex = await test.run(
      mailFlow(
        "starttls",
        `${server(smtp.port, "SMTP_TLS")}\nfrom: a@example.com\nto: b@example.com\nsubject: starttls`,
      ),
    );
    expect(ex.state.current, errors(ex.id)).toBe("SUCCESS");
    expect(smtp.received[before]!.mail.subject).toBe("starttls");
  });

  it("SMTP_TLS with the server's identity checked fails on a self-signed certificate", async () => {
    const ex = await test.run(
      mailFlow(
        "selfsigned",
        `host: 127.0.0.1\nport: ${smtp.port}\ntransportStrategy: SMTP_TLS\nfrom: a@example.com\nto: b@example.com`,
      ),
    );
    expect(ex.state.current).toBe("FAILED");
    expect(errors(ex.id)).toContain(`Sending the mail through 127.0.0.1:${smtp.port} (SMTP_TLS) failed:`);
  });
});

describe("MailSend, refused or wrong", () => {
  it("a refused login fails with the server's answer and sends nothing", async () => {
    const before = smtp.received.length;
    const ex = await test.run(
      mailFlow(
        "badauth",
        `${server(smtp.port)}\nusername: user\npassword: wrong\nfrom: a@example.com\nto: b@example.com`,
      ),
    );
    expect(ex.state.current).toBe("FAILED");
    expect(errors(ex.id)).toContain(`SMTP server 127.0.0.1:${smtp.port} (SMTP) refused the login:`);
    expect(errors(ex.id)).toContain("Invalid username or password");
    expect(smtp.received).toHaveLength(before);
  });

  it("a refused recipient fails naming it", async () => {
    const ex = await test.run(
      mailFlow("badrcpt", `${server(smtp.port)}\nfrom: a@example.com\nto: [ok@example.com, nobody@refused.example]`),
    );
    expect(ex.state.current).toBe("FAILED");
    expect(errors(ex.id)).toContain("nobody@refused.example");
    expect(errors(ex.id)).toContain(
      `SMTP server 127.0.0.1:${smtp.port} refused the recipient(s) nobody@refused.example (`,
    );
    expect(errors(ex.id)).toContain("No such user nobody@refused.example");
    expect(errors(ex.id)).toContain("; the mail went to the 1 other recipient(s)");
  });

  it("every recipient refused fails with the server's answer", async () => {
    const ex = await test.run(
      mailFlow("allrcpt", `${server(smtp.port)}\nfrom: a@example.com\nto: nobody@refused.example`),
    );
    expect(ex.state.current).toBe("FAILED");
    expect(errors(ex.id)).toContain(`SMTP server 127.0.0.1:${smtp.port} (SMTP) refused the message:`);
    expect(errors(ex.id)).toContain("No such user nobody@refused.example");
  });

  it("no recipient is a clear error", async () => {
    const ex = await test.run(mailFlow("norcpt", `${server(smtp.port)}\nfrom: a@example.com\nto: " ; "`));
    expect(ex.state.current).toBe("FAILED");
    expect(errors(ex.id)).toContain("The mail has no recipient: set `to`, `cc` or `bcc`");
  });

  it("an attachment that is not in storage is a clear error naming it", async () => {
    const before = smtp.received.length;
    const ex = await test.run(
      mailFlow(
        "nofile",
        `${server(smtp.port)}\nfrom: a@example.com\nto: b@example.com\nattachments:\n  - name: file.csv\n    uri: "{{ outputs.report.uri }}.gone"`,
      ),
    );
    expect(ex.state.current).toBe("FAILED");
    const uri = `${taskRun(ex, "report").outputs!.uri as string}.gone`;
    expect(errors(ex.id)).toContain(`attachments[0] (file.csv): no file in internal storage at ${uri}`);
    expect(smtp.received).toHaveLength(before);
  });

  it("an image from another execution is refused, naming it", async () => {
    const uri = "kestra:///company/mail/other/executions/abc/tasks/t/x/logo.png";
    const ex = await test.run(
      mailFlow(
        "foreign",
        `${server(smtp.port)}\nfrom: a@example.com\nto: b@example.com\nembeddedImages:\n  - name: logo.png\n    uri: ${uri}`,
      ),
    );
    expect(ex.state.current).toBe("FAILED");
    expect(errors(ex.id)).toContain(
      `embeddedImages[0] (logo.png): Unable to read '${uri}': only files of this execution, of the executions it started and namespace files can be read`,
    );
  });

  it("a server that does not answer fails instead of hanging", async () => {
    const ex = await test.run(
      mailFlow("closed", `host: 127.0.0.1\nport: 1\ntransportStrategy: SMTP\nfrom: a@example.com\nto: b@example.com`),
    );
    expect(ex.state.current).toBe("FAILED");
    expect(errors(ex.id)).toContain("Sending the mail through 127.0.0.1:1 (SMTP) failed:");
  });

  it("a task timeout ends a send the server never answers (the task does not hang)", async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as AddressInfo).port;
    try {
      const ex = await test.run(
        mailFlow(
          "silent",
          `timeout: PT1S\nhost: 127.0.0.1\nport: ${port}\ntransportStrategy: SMTP\nsessionTimeout: 600000\nfrom: a@example.com\nto: b@example.com`,
        ),
      );
      expect(ex.state.current).toBe("FAILED");
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });
});
