/**
 * Every task of the plugin over FTPS (explicit TLS, the test server's self-signed certificate
 * trusted with insecureTrustAllCertificates), through a real engine instance.
 */
import { afterAll, beforeAll, describe } from "vitest";
import type { TestInstance } from "@saker/engine/testing";
import { fsInstance, ftpServer, type TestServer } from "../test/support.ts";
import { describeTypes } from "../test/typesSuite.ts";

let test: TestInstance;
let server: TestServer;

beforeAll(async () => {
  test = await fsInstance();
  server = await ftpServer({ tls: true });
}, 30_000);
afterAll(async () => {
  await test?.close();
  await server?.close();
});

describe("ftps", () =>
  describeTypes(
    "ftps",
    () => test,
    () => server,
  ));
