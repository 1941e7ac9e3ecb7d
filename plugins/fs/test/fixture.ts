/**
 * The set-up every test file of the plugin shares: one engine instance with the plugin and the
 * servers the file names, started before its tests and closed after them, with the helpers the
 * files use on them (an execution's ERROR lines, a file written into a server's folder).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { deferredTestInstance, type TestInstance } from "@saker/engine/testing";
import { fsInstance, type TestServer } from "./support.ts";

export interface FsFixture {
  /** The instance (usable inside the tests: it is opened before them). */
  readonly test: TestInstance;
  /** The servers by the names given, started before the tests. */
  readonly servers: Record<string, TestServer>;
  /** An execution's ERROR log lines, one per line. */
  errors(executionId: string): string;
  /** Writes a file (and its folders) into a server's root. */
  put(server: TestServer, path: string, content: string | Buffer): void;
}

export function fsFixture(
  start: Record<string, () => Promise<TestServer>>,
  options: Parameters<typeof fsInstance>[0] = {},
): FsFixture {
  let opened: TestInstance | undefined;
  const servers: Record<string, TestServer> = {};
  const test = deferredTestInstance(() => opened);
  beforeAll(async () => {
    opened = await fsInstance(options);
    for (const [name, startServer] of Object.entries(start)) servers[name] = await startServer();
  }, 30_000);
  afterAll(async () => {
    await opened?.close();
    for (const server of Object.values(servers)) await server.close();
  });
  return {
    test,
    servers,
    errors: (executionId) =>
      test.instance.logs
        .find({ executionId, minLevel: "ERROR" })
        .map((e) => e.message)
        .join("\n"),
    put(server, path, content) {
      const full = join(server.root, path);
      mkdirSync(join(full, ".."), { recursive: true });
      writeFileSync(full, content);
    },
  };
}
