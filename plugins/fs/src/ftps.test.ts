/**
 * Every task of the plugin over FTPS (explicit TLS, the test server's self-signed certificate
 * trusted with insecureTrustAllCertificates), through a real engine instance.
 */
import { describe } from "vitest";
import { ftpServer } from "../test/support.ts";
import { describeTypes } from "../test/typesSuite.ts";
import { fsFixture } from "../test/fixture.ts";

const { test, servers } = fsFixture({ ftps: () => ftpServer({ tls: true }) });

describe("ftps", () =>
  describeTypes(
    "ftps",
    () => test,
    () => servers.ftps!,
  ));
