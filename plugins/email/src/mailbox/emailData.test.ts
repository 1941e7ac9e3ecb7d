/**
 * What a received message becomes (Kestra's EmailData), from real MIME built by nodemailer's
 * MailComposer or written by hand: addresses, dates, the body as Kestra concatenates it, and the
 * attachments.
 */
import { describe, expect, it } from "vitest";
import { compose } from "../../test/mailboxes.ts";
import { parseEmail } from "./emailData.ts";

const SENT = new Date("2025-03-04T10:20:30.000Z");
const RECEIVED = new Date("2025-03-04T10:21:00.000Z");
const crlf = (text: string) => Buffer.from(text.replace(/\n/g, "\r\n"));

describe("parseEmail", () => {
  it("gives the bare addresses, the subject, the Message-ID and the received date of a plain mail", async () => {
    const raw = await compose(
      {
        from: '"Alice Martin" <alice@example.com>',
        to: ["Bob <bob@example.com>", "carol@example.com"],
        cc: "Dan <dan@example.com>",
        bcc: "eve@example.com",
        subject: "Réunion de 10h",
        messageId: "<plain-1@example.com>",
        date: SENT,
        text: "Hello Bob,\nsee you at ten.",
      },
      true,
    );
    expect(await parseEmail(raw, RECEIVED)).toEqual({
      subject: "Réunion de 10h",
      from: "alice@example.com",
      to: ["bob@example.com", "carol@example.com"],
      cc: ["dan@example.com"],
      bcc: ["eve@example.com"],
      date: "2025-03-04T10:21:00.000Z",
      body: "Hello Bob,\nsee you at ten.\n",
      messageId: "<plain-1@example.com>",
      attachments: [],
    });
  });

  it("takes the Date header without a received date (POP3), and leaves out what the mail does not have", async () => {
    const raw = await compose({ from: "alice@example.com", date: SENT, text: "no subject, no recipient" });
    const email = await parseEmail(raw, undefined);
    expect(email.date).toBe("2025-03-04T10:20:30.000Z");
    expect(email.to).toEqual([]);
    expect(email.cc).toEqual([]);
    expect(email.bcc).toEqual([]);
    expect("subject" in email).toBe(false);
  });

  it("dates a mail with no date at all when it is read, as Kestra does", async () => {
    const before = Date.now();
    const email = await parseEmail(crlf("From: a@example.com\nSubject: undated\n\nbody\n"), undefined);
    expect(Date.parse(email.date)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(email.date)).toBeLessThanOrEqual(Date.now());
    expect("messageId" in email).toBe(false);
  });

  it("concatenates the plain text and the HTML of an alternative, with nothing between, as Kestra does", async () => {
    const raw = await compose({
      from: "alice@example.com",
      to: "bob@example.com",
      subject: "both",
      text: "Plain\nversion",
      html: "<p>HTML <b>version</b></p>",
    });
    expect((await parseEmail(raw, RECEIVED)).body).toBe("Plain\nversion<p>HTML <b>version</b></p>");
  });

  it("lists attachments with their name, type and decoded size, and keeps their content out of the body", async () => {
    const raw = await compose({
      from: "alice@example.com",
      to: "bob@example.com",
      subject: "report",
      text: "See attached.",
      html: '<p>See attached.</p><img src="cid:logo@x">',
      attachments: [
        { filename: "report.csv", content: "id,name\n1,Ada\n", contentType: "text/csv" },
        { filename: "data.bin", content: Buffer.alloc(1000, 7) },
        { filename: "logo.png", content: Buffer.from("not really a png"), contentType: "image/png", cid: "logo@x" },
      ],
    });
    const email = await parseEmail(raw, RECEIVED);
    expect(email.body).toBe('See attached.<p>See attached.</p><img src="cid:logo@x">');
    expect(email.attachments).toEqual([
      { filename: "logo.png", contentType: "image/png", size: 16 },
      { filename: "report.csv", contentType: "text/csv", size: 14 },
      { filename: "data.bin", contentType: "application/octet-stream", size: 1000 },
    ]);
  });

  it("gives the HTML source of an HTML-only mail, with the line break that ends the message", async () => {
    const raw = await compose({ from: "a@example.com", subject: "html", html: "<h1>Title</h1>\n<p>text</p>" });
    expect((await parseEmail(raw, RECEIVED)).body).toBe("<h1>Title</h1>\n<p>text</p>\n");
  });

  it("decodes each part's transfer encoding and charset, walks nested multiparts in order, skips non-text parts", async () => {
    const raw = crlf(`From: "Groupe" <g@example.com>
To: Team: ann@example.com, "Ben" <ben@example.com>;, zed@example.com
Subject: =?ISO-8859-1?Q?caf=E9?=
Message-ID: <nested@example.com>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer"

preamble, not shown
--outer
Content-Type: multipart/alternative; boundary=inner

--inner
Content-Type: text/plain; charset=ISO-8859-1
Content-Transfer-Encoding: quoted-printable

caf=E9 cr=E8me=
 and a soft break
--inner
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: base64

PHA+Y2Fmw6k8L3A+
--inner--
--outer
Content-Type: application/json
Content-Disposition: inline

{"not": "text"}
--outer
Content-Type: text/plain; name="notes.txt"
Content-Disposition: attachment; filename="notes.txt"

attached text, not in the body
--outer
Content-Type: text/plain

..a line starting with a dot, and the last part
--outer--
epilogue, not shown
`);
    const email = await parseEmail(raw, RECEIVED);
    expect(email.subject).toBe("café");
    expect(email.from).toBe("g@example.com");
    expect(email.to).toEqual(["ann@example.com", "ben@example.com", "zed@example.com"]);
    expect(email.body).toBe("café crème and a soft break<p>café</p>..a line starting with a dot, and the last part");
    expect(email.attachments).toEqual([
      { contentType: "application/json", size: 15 },
      { filename: "notes.txt", contentType: "text/plain", size: 30 },
    ]);
  });
});
