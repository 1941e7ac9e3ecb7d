/**
 * Every task of the plugin for SFTP and FTP (FTPS: ftps.test.ts), through a real engine instance
 * against real servers on loopback serving temporary folders.
 */
import { describe } from "vitest";
import { ftpServer, sftpServer } from "../test/support.ts";
import { describeTypes } from "../test/typesSuite.ts";
import { fsFixture } from "../test/fixture.ts";

const { test, servers } = fsFixture({ sftp: () => sftpServer(), ftp: () => ftpServer() });

describe.each(["sftp", "ftp"] as const)("%s", (protocol) =>
  describeTypes(
    protocol,
    () => test,
    () => servers[protocol]!,
  ),
);
