/**
 * Every task of the plugin for SFTP and FTP (FTPS: ftps.test.ts), through a real engine instance
 * against real servers on loopback serving temporary folders.
 */
import { afterAll, beforeAll, describe } from "vitest";
import type { TestInstance } from "@saker/engine/testing";
import { fsInstance, ftpServer, sftpServer, type TestServer } from "../test/support.ts";
import { describeTypes } from "../test/typesSuite.ts";

let test: TestInstance;
const servers: Record<string, TestServer> = {};

beforeAll(async () => {
  test = await fsInstance();
  servers.sftp = await sftpServer();
  servers.ftp = await ftpServer();
}, 30_000);
afterAll(async () => {
  await test?.close();
  for (const s of Object.values(servers)) await s.close();
});

describe.each(["sftp", "ftp"] as const)("%s", (protocol) =>
  describeTypes(
    protocol,
    () => test,
    () => servers[protocol]!,
  ),
);
