/**
 * Test support: a real engine instance with the core plugin and this one registered, an FTP(S)
 * server (ftp-srv) and an SFTP server (./sftpServer.ts) on loopback, each serving a temporary folder.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FtpSrv } from "ftp-srv";
import { coreRegistry, openTestInstance, type TestInstance } from "@saker/engine/testing";
import fs from "../src/index.ts";
import { startSftpServer, type SftpUser } from "./sftpServer.ts";

export { taskRun, outputsOf, eventually, storedText } from "@saker/engine/testing";

export async function fsInstance(
  options: { scheduler?: boolean; configuration?: Record<string, unknown> } = {},
): Promise<TestInstance> {
  const registry = coreRegistry();
  registry.addPlugin({ name: "@saker/plugin-fs", version: "1.0.0", core: false }, fs);
  return openTestInstance({
    registry,
    ...(options.scheduler ? { scheduler: true } : {}),
    ...(options.configuration
      ? { overrides: { plugins: { configurations: [{ type: "io.kestra.plugin.fs", values: options.configuration }] } } }
      : {}),
  });
}

export const USER = "alice";
export const PASSWORD = "s3cret-Pa55word";

/** A running server of one protocol, and the YAML of the connection properties that reach it. */
export interface TestServer {
  protocol: "sftp" | "ftp" | "ftps";
  root: string;
  port: number;
  /** host, port, username, password (and what the protocol needs) as YAML lines. */
  connection(overrides?: Record<string, unknown>): string;
  close(): Promise<void>;
}

function yamlLines(props: Record<string, unknown>): string {
  return Object.entries(props)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}: ${typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v)}`)
    .join("\n");
}

function tempRoot(): string {
  return mkdtempSync(join(tmpdir(), "saker-fs-root-"));
}

export async function sftpServer(
  options: {
    users?: Record<string, SftpUser>;
    hostileNames?: readonly string[];
    stallReadsFrom?: number;
    stallListings?: boolean;
    home?: string;
  } = {},
): Promise<TestServer> {
  const root = tempRoot();
  const server = await startSftpServer({
    root,
    users: options.users ?? { [USER]: { password: PASSWORD } },
    ...(options.hostileNames ? { hostileNames: options.hostileNames } : {}),
    ...(options.stallReadsFrom !== undefined ? { stallReadsFrom: options.stallReadsFrom } : {}),
    ...(options.home ? { home: options.home } : {}),
    ...(options.stallListings ? { stallListings: true } : {}),
  });
  return {
    protocol: "sftp",
    root,
    port: server.port,
    connection: (overrides = {}) =>
      yamlLines({ host: "127.0.0.1", port: server.port, username: USER, password: PASSWORD, ...overrides }),
    close: async () => {
      await server.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

const quiet = {
  child: () => quiet,
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  fatal: () => {},
};

let serversStarted = 0;

/**
 * A block of passive ports of its own for each FTP server: in this worker (VITEST_POOL_ID) and
 * among this worker's servers. ftp-srv checks that a port is free and listens on it later; when a
 * server in another test process takes it meanwhile, the listen fails unseen and the PASV command
 * is never answered, so the client waits for its socket timeout (30 s). Disjoint blocks make that
 * race impossible between the suite's own servers while there are at most 8 test workers and a
 * worker has at most 10 servers open at once (the blocks are reused past that).
 */
function passivePorts(): { pasv_min: number; pasv_max: number } {
  const worker = Number(process.env.VITEST_POOL_ID ?? 0) % 8;
  const pasv_min = 40_000 + worker * 1_000 + (serversStarted++ % 10) * 100;
  return { pasv_min, pasv_max: pasv_min + 99 };
}

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));

/** `tls`: explicit (AUTH TLS) with `true`, or TLS from the first byte with `"implicit"`. */
export async function ftpServer(
  options: {
    tls?: boolean | "implicit";
    /** Commands the server refuses (502), e.g. PASV. */ blacklist?: string[];
  } = {},
): Promise<TestServer> {
  const root = tempRoot();
  const server = new FtpSrv({
    url: options.tls === "implicit" ? "ftps://127.0.0.1:0" : "ftp://127.0.0.1:0",
    pasv_url: "127.0.0.1",
    ...passivePorts(),
    anonymous: false,
    log: quiet as never,
    ...(options.blacklist ? { blacklist: options.blacklist } : {}),
    ...(options.tls ? { tls: { key: fixture("ftps-test.key"), cert: fixture("ftps-test.crt") } } : {}),
  });
  server.on("login", ({ username, password }, resolve, reject) => {
    if (username === USER && password === PASSWORD) resolve({ root });
    else reject(new Error("Invalid username or password"));
  });
  server.on("client-error", () => {});
  await server.listen();
  const port = ((server as unknown as { server: Server }).server.address() as AddressInfo).port;
  const protocol = options.tls ? "ftps" : "ftp";
  return {
    protocol,
    root,
    port,
    connection: (overrides = {}) =>
      yamlLines({
        host: "127.0.0.1",
        port,
        username: USER,
        password: PASSWORD,
        ...(options.tls ? { insecureTrustAllCertificates: true } : {}),
        ...(options.tls === "implicit" ? { mode: "IMPLICIT" } : {}),
        ...overrides,
      }),
    close: async () => {
      await server.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** A TCP server that accepts connections and never says a word: a server that hangs. */
export async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on (taken from the OS, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A flow of one task (`id: t`) of `type` with the YAML `props`, after optional `before` tasks. */
export function taskFlow(id: string, type: string, props: string, before = ""): string {
  const indent = (text: string) =>
    text
      .trim()
      .split("\n")
      .map((l) => `    ${l}`)
      .join("\n");
  return `id: ${id}
namespace: company.fs
tasks:
${before}  - id: t
    type: ${type}
${indent(props)}
`;
}
