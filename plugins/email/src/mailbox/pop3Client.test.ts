/**
 * The POP3 client against the machine's real Dovecot (clear text and POP3S), and against small
 * servers of the test's own for what Dovecot never does: answers cut at every byte, a silent
 * server, one that hangs up, one that does not speak POP3, answers too large to read.
 */
import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { beforeAll, describe, expect, it } from "vitest";
import { dovecotAvailable, useDovecot } from "../../test/dovecot.ts";
import { DEFAULT_MAX_ANSWER_BYTES, Pop3Client, Pop3Error, sizeName } from "./pop3Client.ts";

const available = dovecotAvailable();
const USER = "pop@example.com";

describe.skipIf(!available)("Pop3Client against Dovecot", () => {
  const dovecot = useDovecot([USER]);
  const first = Buffer.from("From: a@example.com\r\nSubject: one\r\n\r\nfirst body\r\n");
  const dotted = Buffer.from(
    "From: b@example.com\r\nSubject: dots\r\n\r\n.starts with a dot\r\n..two dots\r\n.\r\nlast line\r\n",
  );
  beforeAll(() => {
    dovecot.deliver(USER, first);
    dovecot.deliver(USER, dotted);
  });

  const connect = (tls: boolean, rejectUnauthorized = false) =>
    Pop3Client.connect({
      host: "127.0.0.1",
      port: tls ? dovecot.ports.pop3s : dovecot.ports.pop3,
      tls,
      rejectUnauthorized,
      timeoutMs: 5000,
    });

  it.each([false, true])("lists and retrieves every message byte for byte (tls: %s)", async (tls) => {
    const client = await connect(tls);
    await client.login(USER, dovecot.password);
    expect(await client.stat()).toEqual({ count: 2, size: first.length + dotted.length });
    expect(await client.list()).toEqual([
      { number: 1, size: first.length },
      { number: 2, size: dotted.length },
    ]);
    const uids = await client.uidl();
    // pop3_uidl_format %08Xu%08Xv: the IMAP UID, then the folder's UIDVALIDITY
    expect(uids.map((u) => [u.number, u.uid.slice(0, 8)])).toEqual([
      [1, "00000001"],
      [2, "00000002"],
    ]);
    expect(uids[1]!.uid.slice(8)).toBe(uids[0]!.uid.slice(8));
    expect(await client.retr(1)).toEqual(first);
    expect(await client.retr(2)).toEqual(dotted);
    await client.quit();
    // QUIT deleted nothing
    const again = await connect(tls);
    await again.login(USER, dovecot.password);
    expect((await again.uidl()).map((u) => u.uid)).toEqual(uids.map((u) => u.uid));
    await again.quit();
    await dovecot.idle(USER);
  });

  it("a wrong password is refused by PASS, with the server's words and without the password", async () => {
    const client = await connect(false);
    const error = await client.login(USER, "Wrong-pw-123").then(
      () => undefined,
      (e: unknown) => e,
    );
    client.close();
    expect(error).toBeInstanceOf(Pop3Error);
    const refused = error as Pop3Error;
    expect([refused.kind, refused.command]).toEqual(["refused", "PASS"]);
    expect(refused.message).toBe(`the server refused PASS: ${refused.serverText}`);
    expect(refused.serverText).toContain("Authentication failed");
    expect(refused.message).not.toContain("Wrong-pw-123");
  });

  it("refuses a self-signed certificate unless told to accept it", async () => {
    const error = await connect(true, true).then(
      () => undefined,
      (e: unknown) => e as Pop3Error,
    );
    expect(error?.kind).toBe("connection");
    expect((error?.cause as { code?: string }).code).toBe("DEPTH_ZERO_SELF_SIGNED_CERT");
  });

  it("a retrieval of a message that is not there is refused", async () => {
    const client = await connect(false);
    await client.login(USER, dovecot.password);
    await expect(client.retr(99)).rejects.toThrow("the server refused RETR: There's no message 99.");
    await client.quit();
  });
});

/** What a fake server answers a command: a text, `HANG UP`, or what a function of the line does (it may write itself). */
type Answer = string | ((line: string, socket: Socket) => string | undefined);

/** A server that plays `script` (answers by expected command) and sends each answer in `chunk`-byte pieces. */
async function fakeServer(greeting: string | undefined, answers: Record<string, Answer>, chunk = 1) {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    // a client that closes with data unread resets the connection
    socket.on("error", () => {});
    const send = (text: string) => {
      const bytes = Buffer.from(text, "latin1");
      for (let at = 0; at < bytes.length; at += chunk) socket.write(bytes.subarray(at, at + chunk));
    };
    if (greeting !== undefined) send(greeting);
    let pending = "";
    socket.on("data", (data) => {
      pending += data.toString("latin1");
      let end: number;
      while ((end = pending.indexOf("\r\n")) >= 0) {
        const line = pending.slice(0, end);
        const command = line.split(" ")[0]!;
        pending = pending.slice(end + 2);
        const script = answers[command];
        const answer = typeof script === "function" ? script(line, socket) : script;
        if (answer === "HANG UP") socket.destroy();
        else if (answer !== undefined) send(answer);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    sockets,
    connect: (timeoutMs = 2000, signal?: AbortSignal, maxAnswerBytes?: number) =>
      Pop3Client.connect({
        host: "127.0.0.1",
        port,
        tls: false,
        rejectUnauthorized: true,
        timeoutMs,
        signal,
        maxAnswerBytes,
      }),
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

describe("Pop3Client's protocol handling", () => {
  it("reads answers that arrive a byte at a time, unstuffs dots, and reads an empty listing", async () => {
    const server = await fakeServer("+OK ready\r\n", {
      USER: "+OK\r\n",
      PASS: "+OK logged in\r\n",
      UIDL: "+OK\r\n.\r\n",
      RETR: "+OK 30 octets\r\nSubject: x\r\n\r\n..one\r\n...\r\n.\r\n",
      QUIT: "+OK bye\r\n",
    });
    try {
      const client = await server.connect();
      await client.login("u", "p");
      expect(await client.uidl()).toEqual([]);
      expect((await client.retr(1)).toString()).toBe("Subject: x\r\n\r\n.one\r\n..\r\n");
      await client.quit();
    } finally {
      await server.close();
    }
  });

  it("says what is wrong: not POP3, a refused greeting, a hang-up, silence, a stop", async () => {
    const notPop = await fakeServer("220 smtp.example.com ESMTP\r\n", {});
    await expect(notPop.connect()).rejects.toThrow("the answer to greeting is not POP3");
    await notPop.close();

    const busy = await fakeServer("-ERR too many connections\r\n", {});
    await expect(busy.connect()).rejects.toThrow("the server refused the connection: too many connections");
    await busy.close();

    const hangUp = await fakeServer("+OK\r\n", { USER: "HANG UP" });
    const client = await hangUp.connect();
    await expect(client.login("u", "p")).rejects.toThrow("the server closed the connection");
    await hangUp.close();

    const silent = await fakeServer(undefined, {});
    const started = Date.now();
    await expect(silent.connect(300)).rejects.toThrow("no answer to greeting within 0.3 s");
    expect(Date.now() - started).toBeLessThan(2000);

    const controller = new AbortController();
    const stopped = silent.connect(60_000, controller.signal);
    setTimeout(() => controller.abort(), 50);
    await expect(stopped).rejects.toThrow("the server closed the connection");
    await silent.close();
  });
});

/** Resolves once every socket the server accepted is closed. */
function allClosed(sockets: Set<Socket>): Promise<unknown> {
  return Promise.all(
    [...sockets].map((s) => (s.closed ? undefined : new Promise((resolve) => s.once("close", resolve)))),
  );
}

describe("Pop3Client's answer size limit", () => {
  const LOGIN = { USER: "+OK\r\n", PASS: "+OK\r\n", QUIT: "+OK\r\n" };

  it("an answer larger than the limit fails its command, names the limit, and closes the client", async () => {
    const big = `+OK\r\n${"x".repeat(100)}\r\n`.repeat(20) + ".\r\n";
    const server = await fakeServer("+OK\r\n", { ...LOGIN, RETR: big, STAT: "+OK 1 2000\r\n" }, 512);
    try {
      const client = await server.connect(2000, undefined, 1024);
      await client.login("u", "p");
      const error = await client.retr(1).then(
        () => undefined,
        (e: unknown) => e as Pop3Error,
      );
      expect(error).toBeInstanceOf(Pop3Error);
      expect([error?.kind, error?.command, error?.message]).toEqual([
        "tooLarge",
        "RETR",
        "the answer to RETR is larger than 1 KiB, the most this client reads",
      ]);
      // the connection is closed: the server sees it go, and the next command fails alike
      await allClosed(server.sockets);
      await expect(client.stat()).rejects.toBe(error);
      await client.quit();
    } finally {
      await server.close();
    }
  });

  it("a server that sends without end is stopped by the limit, not by the timeout", async () => {
    let sent = 0;
    const server = await fakeServer("+OK\r\n", {
      ...LOGIN,
      RETR: (_line, socket) => {
        socket.write("+OK\r\n");
        const garbage = Buffer.alloc(64 * 1024, "garbage\r\n");
        const flood = () => {
          while (!socket.destroyed && socket.write(garbage)) sent += garbage.length;
          if (!socket.destroyed) socket.once("drain", flood);
        };
        flood();
        return undefined;
      },
    });
    try {
      const client = await server.connect(60_000, undefined, 4 * 1024 * 1024);
      await client.login("u", "p");
      await expect(client.retr(1)).rejects.toThrow(`the answer to RETR is larger than ${sizeName(4 * 1024 * 1024)}`);
      await allClosed(server.sockets);
      expect(sent).toBeGreaterThan(4 * 1024 * 1024 - 64 * 1024);
    } finally {
      await server.close();
    }
  });

  it("defaults to 64 MiB", () => {
    expect(sizeName(DEFAULT_MAX_ANSWER_BYTES)).toBe("64 MiB");
  });
});

describe("Pop3Client's results", () => {
  it("a retrieved message is a buffer of its own, which the next answer does not overwrite", async () => {
    // no dot in either message: nothing to unstuff
    const server = await fakeServer(
      "+OK\r\n",
      {
        USER: "+OK\r\n",
        PASS: "+OK\r\n",
        RETR: (line) => `+OK\r\nSubject: message ${line.split(" ")[1]}\r\n\r\nbody\r\n.\r\n`,
        QUIT: "+OK\r\n",
      },
      4096,
    );
    try {
      const client = await server.connect();
      await client.login("u", "p");
      const first = await client.retr(1);
      const copy = Buffer.from(first);
      const second = await client.retr(2);
      expect(second.toString()).toBe("Subject: message 2\r\n\r\nbody\r\n");
      expect(first).toEqual(copy);
      expect(first.toString()).toBe("Subject: message 1\r\n\r\nbody\r\n");
      await client.quit();
    } finally {
      await server.close();
    }
  });

  it("TOP reads the header; quit called twice gives one promise and one QUIT", async () => {
    const lines: string[] = [];
    const server = await fakeServer(
      "+OK\r\n",
      {
        USER: "+OK\r\n",
        PASS: "+OK\r\n",
        TOP: (line) => (lines.push(line), "+OK\r\nSubject: x\r\n..dot: header\r\n\r\n.\r\n"),
        QUIT: (line) => (lines.push(line), "+OK bye\r\n"),
      },
      4096,
    );
    try {
      const client = await server.connect();
      await client.login("u", "p");
      expect((await client.top(3, 0)).toString()).toBe("Subject: x\r\n.dot: header\r\n\r\n");
      const quitting = client.quit();
      expect(client.quit()).toBe(quitting);
      await quitting;
      expect(lines).toEqual(["TOP 3 0", "QUIT"]);
    } finally {
      await server.close();
    }
  });
});
