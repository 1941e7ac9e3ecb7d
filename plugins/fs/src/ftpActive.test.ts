/**
 * FTP and FTPS in active mode (`passiveMode: false`) against ftp-srv refusing PASV and EPSV, so
 * every transfer of the type suite goes through PORT; and what goes wrong: a server refusing
 * PORT, and one accepting it but never connecting back.
 */
import { connect, createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { PASSWORD, USER, ftpServer, taskFlow, type TestServer } from "../test/support.ts";
import { fsFixture } from "../test/fixture.ts";
import { describeTypes } from "../test/typesSuite.ts";
import type { FTPContext } from "basic-ftp";
import { ActiveDataSocket, portCommand } from "./remote/ftpActive.ts";

const { test, servers, errors } = fsFixture({
  ftp: () => ftpServer({ blacklist: ["PASV", "EPSV"] }),
  ftps: () => ftpServer({ tls: true, blacklist: ["PASV", "EPSV"] }),
  noPort: () => ftpServer({ blacklist: ["PORT", "EPRT"] }),
});

/** The server, with `passiveMode: false` in its connection. */
const active = (server: () => TestServer) => (): TestServer => ({
  ...server(),
  connection: (overrides = {}) => server().connection({ passiveMode: false, ...overrides }),
});

describe("ftp active mode", () =>
  describeTypes(
    "ftp",
    () => test,
    active(() => servers.ftp!),
  ));

describe("ftps active mode", () =>
  describeTypes(
    "ftps",
    () => test,
    active(() => servers.ftps!),
  ));

it("announces IPv4 with PORT and IPv6 with EPRT", () => {
  expect(portCommand("127.0.0.1", 50_000)).toBe("PORT 127,0,0,1,195,80");
  expect(portCommand("::ffff:10.0.0.2", 21)).toBe("PORT 10,0,0,2,0,21");
  expect(portCommand("::1", 4242)).toBe("EPRT |2|::1|4242|");
});

it("fails clearly when the server refuses PORT", async () => {
  const ex = await test.run(
    taskFlow(
      "ftp-no-port",
      "io.kestra.plugin.fs.ftp.List",
      `${servers.noPort!.connection()}\nfrom: /\npassiveMode: false`,
    ),
  );
  expect(ex.state.current).toBe("FAILED");
  expect(errors(ex.id)).toMatch(/the server refused active mode \(PORT: .*\); set passiveMode to true/);
});

/**
 * A server that logs in, accepts PORT and starts every transfer, but never connects back: the
 * data connection a firewall keeps from arriving.
 */
async function neverConnectsBack(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.write("220 ready\r\n");
    let buffered = "";
    socket.on("data", (data) => {
      buffered += data.toString();
      let end: number;
      while ((end = buffered.indexOf("\r\n")) >= 0) {
        const [verb] = buffered.slice(0, end).split(" ");
        buffered = buffered.slice(end + 2);
        const reply: Record<string, string> = {
          USER: "331 password please",
          PASS: "230 logged in",
          FEAT: "211 no features",
          PWD: '257 "/"',
          PORT: "200 PORT ok",
          EPRT: "200 EPRT ok",
          LIST: "150 opening data connection",
          MLSD: "150 opening data connection",
          RETR: "150 opening data connection",
          STOR: "150 opening data connection",
        };
        socket.write(`${reply[verb!.toUpperCase()] ?? "200 ok"}\r\n`);
      }
    });
    socket.on("error", () => {});
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

it("fails within dataTimeout when the data connection never arrives", async () => {
  const server = await neverConnectsBack();
  try {
    const ex = await test.run(
      taskFlow(
        "ftp-never-back",
        "io.kestra.plugin.fs.ftp.List",
        `host: 127.0.0.1\nport: ${server.port}\nusername: ${USER}\npassword: ${PASSWORD}\nfrom: /\npassiveMode: false\noptions:\n  dataTimeout: PT0.5S`,
      ),
    );
    expect(ex.state.current).toBe("FAILED");
    expect(errors(ex.id)).toContain("the server did not open the active-mode data connection within 500 ms");
  } finally {
    await server.close();
  }
});

it("takes the data connection only from the control connection's address", async () => {
  const listener = createServer();
  await new Promise<void>((r) => listener.listen(0, "127.0.0.1", r));
  const { port } = listener.address() as AddressInfo;
  const ftp = { socket: { remoteAddress: "127.0.0.1" } } as unknown as FTPContext;
  const data = new ActiveDataSocket(listener, ftp, { remoteIpVerification: true, acceptTimeout: 10_000 });
  // Another loopback address stands for another host: its connection is closed unread.
  const intruder = connect({ host: "127.0.0.1", port, localAddress: "127.0.0.2" });
  intruder.on("error", () => {});
  intruder.write("forged");
  await new Promise((r) => intruder.on("close", r));
  const server = connect({ host: "127.0.0.1", port });
  server.end("genuine");
  const chunks: Buffer[] = [];
  for await (const chunk of data) chunks.push(chunk as Buffer);
  expect(Buffer.concat(chunks).toString()).toBe("genuine");
  expect(data.bytesRead).toBe(7);
  data.destroy();
});
