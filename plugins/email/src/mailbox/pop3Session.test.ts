/**
 * Pop3Session against a POP3 server of the test's own (which records the commands it gets): the
 * first check reads dates with `TOP n 0`, or with RETR from a server without TOP; a message larger
 * than the session reads is never retrieved, is skipped with a warning naming it, and counts as seen.
 */
import { createServer, type AddressInfo, type Socket } from "node:net";
import { describe, expect, it } from "vitest";
import type { Mailbox } from "./mailboxProperties.ts";
import { warnSkipped } from "./mailboxSession.ts";
import { openPop3 } from "./pop3Session.ts";

interface Message {
  uid: string;
  date: string;
  /** Body lines added to reach a size. */
  bodyBytes?: number;
}

function source(m: Message): string {
  const body = m.bodyBytes ? `${"b".repeat(m.bodyBytes)}\r\n` : "hello\r\n";
  return `From: a@example.com\r\nSubject: ${m.uid}\r\nDate: ${m.date}\r\n\r\n${body}`;
}

/** A mailbox over POP3 holding `messages`; `top: false` answers TOP with -ERR. */
async function pop3Server(messages: Message[], top = true) {
  const commands: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.write("+OK ready\r\n");
    let pending = "";
    socket.on("data", (data) => {
      pending += data.toString("latin1");
      let end: number;
      while ((end = pending.indexOf("\r\n")) >= 0) {
        const line = pending.slice(0, end);
        pending = pending.slice(end + 2);
        commands.push(line);
        const [command, arg] = line.split(" ");
        const message = messages[Number(arg) - 1];
        const listing = (value: (m: Message) => string | number) =>
          `+OK\r\n${messages.map((m, i) => `${i + 1} ${value(m)}\r\n`).join("")}.\r\n`;
        if (command === "USER" || command === "PASS") socket.write("+OK\r\n");
        else if (command === "UIDL") socket.write(listing((m) => m.uid));
        else if (command === "LIST") socket.write(listing((m) => Buffer.byteLength(source(m))));
        else if (command === "TOP" && top && message)
          socket.write(`+OK\r\n${source(message).split("\r\n\r\n")[0]}\r\n\r\n.\r\n`);
        else if (command === "RETR" && message) socket.write(`+OK\r\n${source(message)}.\r\n`);
        else if (command === "QUIT") socket.end("+OK bye\r\n");
        else socket.write("-ERR not here\r\n");
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const mailbox: Mailbox = {
    protocol: "POP3",
    host: "127.0.0.1",
    port: (server.address() as AddressInfo).port,
    username: "u@example.com",
    password: "Secret-pw-1",
    folder: "INBOX",
    ssl: false,
    trustAllCertificates: false,
    intervalMs: 60_000,
    where: { flow: "company.mail/direct", triggerId: "watch" },
  };
  return {
    commands,
    open: (maxMessageBytes?: number) =>
      openPop3(mailbox, { address: "127.0.0.1", servername: undefined }, new AbortController().signal, maxMessageBytes),
    mailbox,
    sockets,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

const OLD = "Mon, 01 Jan 2024 10:00:00 +0000";
const now = () => new Date().toUTCString();
const since = () => new Date(Date.now() - 60_000);

describe("Pop3Session", () => {
  it("reads the dates of the first check with TOP n 0, and retrieves only the new messages", async () => {
    const server = await pop3Server([
      { uid: "a", date: OLD },
      { uid: "b", date: now() },
    ]);
    try {
      const session = await server.open();
      const check = await session.check(undefined, since(), 10);
      expect(check.messages).toHaveLength(1);
      expect((await check.messages[0]!.read()).subject).toBe("b");
      expect(check.skipped).toEqual([]);
      expect(check.cursorAfter(1)).toEqual({ protocol: "POP3", seen: ["a", "b"] });
      await session.close();
      expect(server.commands.filter((c) => /^(TOP|RETR)/.test(c))).toEqual(["TOP 1 0", "TOP 2 0", "RETR 2"]);
    } finally {
      await server.close();
    }
  });

  it("reads the dates with RETR from a server without TOP", async () => {
    const server = await pop3Server(
      [
        { uid: "a", date: OLD },
        { uid: "b", date: now() },
      ],
      false,
    );
    try {
      const session = await server.open();
      const check = await session.check(undefined, since(), 10);
      expect(await Promise.all(check.messages.map(async (m) => (await m.read()).subject))).toEqual(["b"]);
      await session.close();
      // TOP is asked once; a message is retrieved once, though read twice
      expect(server.commands.filter((c) => /^(TOP|RETR)/.test(c))).toEqual(["TOP 1 0", "RETR 1", "RETR 2"]);
    } finally {
      await server.close();
    }
  });

  it("skips a message larger than it reads, without retrieving it, names it in a warning, and counts it as seen", async () => {
    const server = await pop3Server([
      { uid: "a", date: OLD },
      { uid: "big", date: now(), bodyBytes: 5000 },
      { uid: "c", date: now() },
    ]);
    try {
      const session = await server.open(1024);
      // followed by a cursor: "big" and "c" are new
      const check = await session.check({ protocol: "POP3", seen: ["a"] }, since(), 10);
      expect(await Promise.all(check.messages.map(async (m) => (await m.read()).subject))).toEqual(["c"]);
      const size = Buffer.byteLength(source({ uid: "big", date: "", bodyBytes: 5000 })) + now().length;
      expect(check.skipped).toEqual([{ message: "message 2 (UIDL big)", size, limit: 1024 }]);
      // the cursor moves past it, handled or not
      expect(check.cursorAfter(0)).toEqual({ protocol: "POP3", seen: ["a", "big"] });
      expect(check.cursorAfter(1)).toEqual({ protocol: "POP3", seen: ["a", "big", "c"] });
      const warnings: string[] = [];
      warnSkipped(check, server.mailbox, {
        warn: (message, ...args) => warnings.push(args.reduce<string>((m, a) => m.replace("{}", String(a)), message)),
      });
      expect(warnings).toEqual([
        `Skipped message 2 (UIDL big) of POP3 server 127.0.0.1:${server.mailbox.port}: it has ${size} bytes, more than the 1 KiB a mail trigger reads; it counts as seen`,
      ]);

      // the first check (no cursor) skips it too, its date read by TOP
      const first = await session.check(undefined, since(), 10);
      expect(first.skipped.map((s) => s.message)).toEqual(["message 2 (UIDL big)"]);
      expect(first.messages).toHaveLength(1);
      await session.close();
      expect(server.commands.filter((c) => c.startsWith("RETR"))).toEqual(["RETR 3"]);
    } finally {
      await server.close();
    }
  });

  it("close() gives every caller the same promise, settled once the connection is closed", async () => {
    const server = await pop3Server([]);
    try {
      const session = await server.open();
      const closing = session.close();
      expect(session.close()).toBe(closing);
      await closing;
      expect(server.commands.filter((c) => c === "QUIT")).toHaveLength(1);
    } finally {
      await server.close();
    }
  });
});
